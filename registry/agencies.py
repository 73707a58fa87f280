"""The agencies on the approved list, and the names people use for them.

Every name must mean one agency: an agency's id, name and aliases (stored case-folded) resolve to it, and
a new name or alias that another agency holds is refused. Conventions as in ``registry.changes``.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from core.errors import Conflict, Invalid, NotFound
from core.transaction import atomic
from registry.changes import audit_change, problem, refuse_nulls
from registry.models import (
    Agency,
    AgencyAlias,
    AgencyCreate,
    AgencyPublic,
    AgencyUpdate,
    Engagement,
    Interest,
    fold,
)
from registry.vocabulary import AgencyKind


def _agency(session: Session, agency_id: str) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"No agency with id {agency_id!r}.")
    return agency


def _aliases_of(session: Session, agency_ids: Sequence[str] | None = None) -> dict[str, list[str]]:
    query = select(AgencyAlias).order_by(col(AgencyAlias.alias))
    if agency_ids is not None:
        query = query.where(col(AgencyAlias.agency_id).in_(agency_ids))
    grouped: dict[str, list[str]] = defaultdict(list)
    for alias in session.exec(query):
        grouped[alias.agency_id].append(alias.alias)
    return grouped


def _agency_public(agency: Agency, aliases: list[str]) -> AgencyPublic:
    return AgencyPublic(
        id=agency.id, name=agency.name, kind=AgencyKind(agency.kind), area=agency.area, aliases=aliases
    )


def list_agencies(
    *, session: Session, area: str | None = None, kind: AgencyKind | None = None, q: str | None = None
) -> list[AgencyPublic]:
    """Agencies by name, optionally in one area (any case), of one kind, or with ``q`` in the name."""
    query = select(Agency).order_by(col(Agency.name), col(Agency.id))
    if area:
        query = query.where(func.lower(Agency.area) == area.strip().lower())
    if kind:
        query = query.where(Agency.kind == AgencyKind(kind).value)
    if q:
        query = query.where(func.lower(Agency.name).contains(q.strip().lower(), autoescape=True))
    agencies = list(session.exec(query))
    aliases = _aliases_of(session)
    return [_agency_public(agency, aliases.get(agency.id, [])) for agency in agencies]


def get_agency(*, session: Session, agency_id: str) -> AgencyPublic:
    """One agency by id; NotFound if there is none."""
    agency = _agency(session, agency_id)
    return _agency_public(agency, _aliases_of(session, [agency.id]).get(agency.id, []))


def agency_names(*, session: Session, agency_ids: Iterable[str]) -> dict[str, str]:
    """The names of the agencies with ``agency_ids`` (ids no agency has are left out)."""
    wanted = list(set(agency_ids))
    if not wanted:
        return {}
    return dict(session.exec(select(Agency.id, Agency.name).where(col(Agency.id).in_(wanted))).all())


def agency_directory(*, session: Session) -> dict[str, str]:
    """Each agency's id, name and aliases, folded, mapped to its id: how names people use resolve."""
    directory: dict[str, str] = {}
    for agency_id, name in session.exec(select(Agency.id, Agency.name)):
        directory.setdefault(fold(name), agency_id)
    for alias in session.exec(select(AgencyAlias)):
        directory.setdefault(alias.alias, alias.agency_id)
    for agency_id in session.exec(select(Agency.id)):
        directory[fold(agency_id)] = agency_id
    return directory


def resolve_agency(*, session: Session, name: str) -> AgencyPublic | None:
    """The agency whose id, name or alias is ``name`` (any case and spacing), or None."""
    agency = session.get(Agency, name.strip())
    if agency is None:
        folded = fold(name)
        alias = session.get(AgencyAlias, folded)
        if alias is not None:
            agency = session.get(Agency, alias.agency_id)
        else:
            agency = session.exec(select(Agency).where(func.lower(Agency.name) == folded)).first()
    if agency is None:
        return None
    return _agency_public(agency, _aliases_of(session, [agency.id]).get(agency.id, []))


def resolve_agency_id(*, session: Session, name: str, field: str) -> str:
    """The id of the agency ``name`` names (its id, name or alias); Invalid, on ``field``, if none does."""
    agency = resolve_agency(session=session, name=name)
    if agency is None:
        raise Invalid(
            f"Unknown agency {name!r}.",
            problems=[problem(field, f"no agency has the id, name or alias {name!r}; add the agency first")],
        )
    return agency.id


def _names_taken(session: Session, *, agency_id: str, name: str | None, aliases: Iterable[str]) -> None:
    """Conflict if the name or an alias would resolve to another agency: every name must mean one agency."""
    wanted = ([fold(name)] if name is not None else []) + [fold(alias) for alias in aliases]
    findings = []
    for folded in dict.fromkeys(wanted):
        holder = resolve_agency(session=session, name=folded)
        if holder is not None and holder.id != agency_id:
            findings.append({"name": folded, "agency_id": holder.id, "agency_name": holder.name})
    if findings:
        names = ", ".join(f"{f['name']!r} (already {f['agency_id']})" for f in findings)
        raise Conflict(f"These names already belong to another agency: {names}.", findings=findings)


def create_agency(*, session: Session, data: AgencyCreate, actor: str) -> AgencyPublic:
    """Add an agency with its aliases; Conflict if the id, name or an alias is taken."""
    with atomic(session=session):
        if session.get(Agency, data.id) is not None:
            raise Conflict(f"An agency with id {data.id!r} already exists.")
        _names_taken(session, agency_id=data.id, name=data.name, aliases=data.aliases)
        agency = Agency(id=data.id, name=data.name, kind=data.kind.value, area=data.area)
        session.add(agency)
        session.flush()
        aliases = sorted({fold(alias) for alias in data.aliases})
        session.add_all(AgencyAlias(alias=alias, agency_id=agency.id) for alias in aliases)
        public = _agency_public(agency, aliases)
        audit_change(session, "agency.create", agency.id, actor=actor, after=public)
    return public


def update_agency(*, session: Session, agency_id: str, data: AgencyUpdate, actor: str) -> AgencyPublic:
    """Change an agency; ``aliases``, when given, replaces them all."""
    with atomic(session=session):
        agency = _agency(session, agency_id)
        before = get_agency(session=session, agency_id=agency_id)
        changes = data.model_dump(exclude_unset=True)
        refuse_nulls(Agency.__table__, {k: v for k, v in changes.items() if k != "aliases"})  # type: ignore[arg-type]
        aliases = changes.pop("aliases", None)
        _names_taken(session, agency_id=agency_id, name=changes.get("name"), aliases=aliases or [])
        for name, value in changes.items():
            setattr(agency, name, getattr(value, "value", value))
        session.add(agency)
        if aliases is not None:
            session.exec(delete(AgencyAlias).where(col(AgencyAlias.agency_id) == agency_id))  # type: ignore[call-overload]
            session.add_all(
                AgencyAlias(alias=a, agency_id=agency_id) for a in sorted({fold(a) for a in aliases})
            )
        session.flush()
        after = get_agency(session=session, agency_id=agency_id)
        audit_change(session, "agency.update", agency_id, actor=actor, before=before, after=after)
    return after


def delete_agency(*, session: Session, agency_id: str, actor: str) -> None:
    """Delete an agency nobody's history refers to; Conflict (with the counts) if one does."""
    with atomic(session=session):
        agency = _agency(session, agency_id)
        engagements = session.exec(
            select(func.count()).select_from(Engagement).where(Engagement.agency_id == agency_id)
        ).one()
        interests = session.exec(
            select(func.count()).select_from(Interest).where(Interest.agency_id == agency_id)
        ).one()
        if engagements or interests:
            raise Conflict(
                f"Agency {agency_id!r} is named in {engagements} engagements and {interests} declared "
                "interests, so it cannot be deleted; add an alias or rename it instead.",
                findings=[{"engagements": engagements, "interests": interests}],
            )
        before = get_agency(session=session, agency_id=agency_id)
        session.exec(delete(AgencyAlias).where(col(AgencyAlias.agency_id) == agency_id))  # type: ignore[call-overload]
        session.delete(agency)
        audit_change(session, "agency.delete", agency_id, actor=actor, before=before)
