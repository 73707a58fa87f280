"""Database functions for terms of reference: gather a case's facts, store each generated version, give
one in any format, diff two.

Keyword-only, ``session`` first; ``actor`` is what the audit log records. A version stores the content
object (JSON) and its Markdown, with the template and clause-library versions and a content hash.
Regenerating when nothing has changed returns the latest version instead of storing a copy: the hash
covers the content and the template version but not the issue date, so asking again on another day
does not make a new version; a change to the case, its decision or its commission does.
"""

import difflib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from commissioning import commissions, rules, store
from commissioning.models import Case, CaseDecision, CommissionStatus, TermsVersion
from commissioning.render import RENDERERS, TEMPLATE_VERSION, Format, render_markdown
from commissioning.terms import Agency, BoardDecision, CaseFacts, CommissionFacts, Inputs, assemble
from commissioning.terms_document import Missing, Terms, from_dict, to_dict
from core import audit
from core.errors import NotFound
from core.transaction import atomic
from registry.agencies import resolve_agency
from registry.models import Consultant, ConsultantAccreditation, ReviewRecord
from registry.vocabulary import ReviewRole

# Prefer the furthest-advanced commission, then the lead reviewer, then the latest.
_STATUS_RANK = {CommissionStatus.confirmed: 0, CommissionStatus.declared: 1, CommissionStatus.proposed: 2}
_ROLE_RANK = {"lead_reviewer": 0, "overview_author": 1, "panel_chair": 2}
_LEAD_ROLES = [
    str(role) for role in (ReviewRole.lead_reviewer, ReviewRole.overview_author, ReviewRole.panel_chair)
]


def _case(session: Session, ref: str) -> Case:
    case = session.exec(select(Case).where(Case.ref == ref)).first()
    if case is None:
        raise NotFound(f"No case with reference {ref!r}.")
    return case


# Facts ------------------------------------------------------------------------------------------


Naming = Callable[[str], str]
"""Who a stored actor (an email) is, as people read it: the shell that knows the users names them."""


def _as_stored(actor: str) -> str:
    return actor


def inputs_for(*, session: Session, case: Case, named: Naming = _as_stored) -> Inputs:
    """A case's facts, the decision the terms follow, the board's decision and the current commission;
    ``named`` turns the email of the chair who recorded the board's decision into the name the terms print;
    one it cannot name (it gives the email back) is asked for rather than printed as an address.

    The board's decision, when there is one, is the decision of record: its own outcomes when it departed
    from the recommendation, the recommendation it accepted otherwise. If the case changed afterwards and
    the engine now recommends other outcomes, the terms ask whether the board's decision still stands.
    """
    agencies: list[Agency] = []
    other_areas: list[str] = []
    for name in case.features.get("agencies_involved") or ():
        agency = resolve_agency(session=session, name=name)
        agencies.append(Agency(agency.id, agency.name, str(agency.kind)) if agency else Agency(name, name))
        if agency and agency.area.strip().casefold() != case.area.strip().casefold():
            other_areas.append(agency.area)
    view = store.get_case(session=session, ref=case.ref)
    recommendation, board_record = view.recommendation, view.board
    board = None
    if board_record is None:
        decision = recommendation.result if recommendation else {}
    else:
        ruleset = {"id": board_record.ruleset_id, "version": board_record.ruleset_version}
        decision = {"ruleset": ruleset, "outcomes": [], **board_record.result}
        superseded_on = None
        newer = recommendation is not None and (recommendation.id or 0) > (board_record.id or 0)
        if newer and recommendation and _outcomes(recommendation.result) != _outcomes(decision):
            superseded_on = recommendation.decided_at.date()
        chair = named(board_record.decided_by)  # their email when no name is known: never printed
        board = BoardDecision(
            decided_by=None if chair.casefold() == board_record.decided_by.casefold() else chair,
            decided_on=decided_on(board_record),
            superseded_on=superseded_on,
        )
    return Inputs(
        case=CaseFacts(
            ref=case.ref,
            features={**case.features, "area": case.area},
            agencies=tuple(agencies),
            other_areas=tuple(dict.fromkeys(other_areas)),
        ),
        decision=decision,
        board=board,
        commission=_commission_facts(session, case.ref),
    )


def decided_on(record: CaseDecision) -> date:
    """The day the board decided: a board decision is stored as of that day (its ``today``, which the
    board may give as an earlier day than the one it was recorded on), and its clocks count from it."""
    return record.today


def _outcomes(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(o.get("type", ""), o.get("requirement", "")) for o in result.get("outcomes", ())]


def _commission_facts(session: Session, ref: str) -> CommissionFacts | None:
    views = [
        v
        for v in commissions.list_commissions(session=session, ref=ref)
        if v.commission.status in _STATUS_RANK
    ]
    if not views:
        return None
    view = min(
        views,
        key=lambda v: (
            _STATUS_RANK[CommissionStatus(v.commission.status)],
            _ROLE_RANK.get(v.commission.role, 9),
            -(v.commission.id or 0),
        ),
    )
    declaration = view.declaration
    if declaration is not None and not commissions.the_consultants_own(declaration):
        declaration = None  # entered for them: the terms ask for their own
    statement = None
    if declaration is not None:
        statement = (
            f"no conflict of interest with any of the {len(declaration.agencies)} agencies in scope."
            if declaration.no_conflict
            else "a possible conflict of interest, which the commissioner considered before confirming."
        )
        if declaration.statement:
            statement = f"{statement} Their statement: {declaration.statement.strip()}"
    return CommissionFacts(
        consultant_name=view.consultant_name,
        role=str(view.commission.role),
        commissioned_on=view.commission.created_at.date(),
        warnings=_warnings(view.commission.warnings),
        declared_on=declaration.declared_at.date() if declaration else None,
        declaration=statement,
        signed_on=declaration.signed_on if declaration else None,
        **_record(session, view.commission.consultant_id),
    )


def _warnings(warnings: list[dict[str, Any]]) -> tuple[str, ...]:
    """What the commissioner weighed before commissioning: each warning's sentence, as they read it."""
    return tuple(str(w.get("reason", "")).strip() for w in warnings if str(w.get("reason", "")).strip())


def _record(session: Session, consultant_id: int) -> dict[str, Any]:
    """The reviewer's experience as the terms state it: backgrounds, accreditations, specialisms and
    languages, and how many reviews of each type they led or wrote (completed ones)."""
    consultant = session.get(Consultant, consultant_id)
    assert consultant is not None
    accreditations = session.exec(
        select(ConsultantAccreditation.name)
        .where(ConsultantAccreditation.consultant_id == consultant_id)
        .order_by(col(ConsultantAccreditation.awarded_on))
    ).all()
    reviews = Counter(
        str(kind)
        for kind in session.exec(
            select(ReviewRecord.review_type).where(
                ReviewRecord.consultant_id == consultant_id,
                col(ReviewRecord.role).in_(_LEAD_ROLES),
                col(ReviewRecord.completed_on).is_not(None),
            )
        )
    )
    return {
        "backgrounds": tuple(str(b) for b in consultant.backgrounds),
        "accreditations": tuple(dict.fromkeys(str(a) for a in accreditations)),
        "reviews": tuple(sorted(reviews.items(), key=lambda item: (-item[1], item[0]))),
        "specialisms": tuple(str(s) for s in consultant.specialisms),
        "languages": tuple(consultant.languages),
    }


# Versions ---------------------------------------------------------------------------------------


def content_hash(terms: Terms) -> str:
    """SHA-256 of the content and template version, without the issue date (see the module note)."""
    content = {**to_dict(terms), "issued_on": None, "template_version": TEMPLATE_VERSION}
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class Generated:
    version: TermsVersion
    created: bool  # False: nothing changed since the latest version, which is returned
    missing: tuple[Missing, ...]


def _lock_case(session: Session, case_id: int) -> None:
    """Serialise version numbering per case: FOR UPDATE on PostgreSQL, the write lock on SQLite."""
    if session.get_bind().dialect.name == "sqlite":
        session.exec(update(Case).where(col(Case.id) == case_id).values(updated_at=Case.updated_at))  # type: ignore[call-overload]
    session.exec(select(Case.id).where(Case.id == case_id).with_for_update()).first()


def _latest(session: Session, case_id: int) -> TermsVersion | None:
    return session.exec(
        select(TermsVersion).where(TermsVersion.case_id == case_id).order_by(col(TermsVersion.version).desc())
    ).first()


def generate(
    *,
    session: Session,
    ref: str,
    actor: str,
    today: date,
    rule_settings: Mapping[str, Any],
    named: Naming = _as_stored,
    partnership_starts: Mapping[str, date] = MappingProxyType({}),
) -> Generated:
    """Assemble the case's terms as of ``today`` and store them as a new version if they changed.

    ``rule_settings`` are the service's local ruleset settings, so the review's completion time is the
    one the decision's ruleset version was made with. ``named`` names the people the terms mention;
    ``partnership_starts`` the day each area moved to the safeguarding partners.
    """
    settings = (rule_settings, partnership_starts)
    try:
        with atomic(session=session):
            return _generate(session, ref, actor, today, *settings, named)
    except IntegrityError:
        # A concurrent request numbered the same version first; try once more against it.
        with atomic(session=session):
            return _generate(session, ref, actor, today, *settings, named)


def _ruleset(decision: Mapping[str, Any], settings: Mapping[str, Any]) -> rules.Ruleset | None:
    """The ruleset version the decision applied, under these settings; None if they have changed since."""
    ref = decision.get("ruleset") or {}
    if not ref.get("id"):
        return None
    try:
        return rules.load(ref["id"], ref.get("version"), settings)
    except NotFound:
        return None


def _generate(
    session: Session,
    ref: str,
    actor: str,
    today: date,
    rule_settings: Mapping[str, Any],
    partnership_starts: Mapping[str, date],
    named: Naming,
) -> Generated:
    case = _case(session, ref)
    assert case.id is not None
    _lock_case(session, case.id)
    inputs = inputs_for(session=session, case=case, named=named)
    terms = assemble(
        case=inputs.case,
        decision=inputs.decision,
        board=inputs.board,
        commission=inputs.commission,
        today=today,
        ruleset=_ruleset(inputs.decision, rule_settings),
        partnership_starts=partnership_starts,
    )
    digest = content_hash(terms)
    latest = _latest(session, case.id)
    if latest is not None and latest.content_hash == digest and latest.markdown:  # not purged
        return Generated(latest, created=False, missing=terms.missing)
    record = TermsVersion(
        case_id=case.id,
        version=(latest.version if latest else 0) + 1,
        template_version=TEMPLATE_VERSION,
        clauses_version=terms.clauses_version,
        content_hash=digest,
        content=to_dict(terms),
        markdown=render_markdown(terms),
        created_by=actor,
    )
    audit.added(
        session,
        record,
        "terms.generate",
        f"{ref}/v{record.version}",
        actor=actor,
        entity_type="terms_version",
        after={
            "case_ref": ref,
            "version": record.version,
            "content_hash": digest,
            "template_version": TEMPLATE_VERSION,
            "clauses_version": terms.clauses_version,
            "missing": [m.what for m in terms.missing],
        },
    )
    return Generated(record, created=True, missing=terms.missing)


def list_versions(*, session: Session, ref: str) -> list[TermsVersion]:
    """The case's stored versions, oldest first."""
    case = _case(session, ref)
    return list(
        session.exec(
            select(TermsVersion).where(TermsVersion.case_id == case.id).order_by(col(TermsVersion.version))
        )
    )


def get_version(*, session: Session, ref: str, version: int) -> TermsVersion:
    case = _case(session, ref)
    record = session.exec(
        select(TermsVersion).where(TermsVersion.case_id == case.id, TermsVersion.version == version)
    ).first()
    if record is None:
        count = session.exec(
            select(func.count()).select_from(TermsVersion).where(TermsVersion.case_id == case.id)
        ).one()
        hint = f"it has versions 1 to {count}" if count else "generate them first with POST .../terms"
        raise NotFound(f"Case {ref} has no terms of reference version {version}: {hint}.")
    if not record.markdown:
        raise NotFound(
            f"Version {version} of the terms of reference for {ref} was removed under the retention policy "
            f"(the case closed on {case.closed_on}); its content hash {record.content_hash} is kept."
        )
    return record


# Downloads --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One version of a case's terms in one format, named and labelled the same wherever it is fetched."""

    body: bytes
    media_type: str
    filename: str
    headers: Mapping[str, str]  # the file's name, and the template, clause library and content behind it


def document(*, ref: str, record: TermsVersion, fmt: Format) -> Document:
    """``record`` as Markdown (stored verbatim), HTML, DOCX or PDF (rendered from its stored content).

    A version stored under an older template is re-rendered with the current one, with the same content;
    ``X-Template-Version`` names the layout that produced the file.
    """
    media_type, render = RENDERERS[fmt]
    if fmt is Format.md:
        body, template = record.markdown.encode(), record.template_version
    else:
        body, template = render(from_dict(record.content)), TEMPLATE_VERSION
    filename = f"{ref}-terms-v{record.version}.{fmt.value}"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Template-Version": template,
        "X-Clauses-Version": record.clauses_version,
        "X-Content-Hash": record.content_hash,
    }
    return Document(body, media_type, filename, headers)


def download(*, session: Session, ref: str, version: int, fmt: Format) -> Document:
    """A stored version in one format: for the API, the case pages and the command line alike."""
    return document(ref=ref, record=get_version(session=session, ref=ref, version=version), fmt=fmt)


# Diff -------------------------------------------------------------------------------------------

_HEADING = re.compile(r"^## \d+\. (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class VersionDiff:
    case_ref: str
    from_version: int
    to_version: int
    identical: bool
    changed_sections: tuple[str, ...]  # headings whose text differs, in document order
    unified: str  # a unified diff of the two Markdown documents


def _sections(markdown: str) -> dict[str, str]:
    parts = _HEADING.split(markdown)
    return {"Title and details": parts[0], **{parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}}


def diff(*, session: Session, ref: str, from_version: int, to_version: int) -> VersionDiff:
    """What changed between two versions of a case's terms, over their Markdown."""
    old = get_version(session=session, ref=ref, version=from_version)
    new = get_version(session=session, ref=ref, version=to_version)
    unified = "".join(
        difflib.unified_diff(
            old.markdown.splitlines(keepends=True),
            new.markdown.splitlines(keepends=True),
            fromfile=f"{ref} terms v{from_version}",
            tofile=f"{ref} terms v{to_version}",
        )
    )
    before, after = _sections(old.markdown), _sections(new.markdown)
    changed = tuple(
        title for title in dict.fromkeys([*after, *before]) if before.get(title) != after.get(title)
    )
    return VersionDiff(ref, from_version, to_version, not unified, changed, unified)
