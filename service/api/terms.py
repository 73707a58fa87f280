"""Terms of reference: generate a version from the case, download it in four formats, compare versions."""

from typing import Any

from fastapi import APIRouter, Response

from commissioning import terms_store
from commissioning.models import TermsVersion
from commissioning.render import RENDERERS, Format
from core import clock
from service.access import CaseCommissioner, CaseReader
from service.api.params import Id, Ref
from service.api.schemas import DiffOut, GeneratedOut, MissingOut, VersionOut
from service.db import SessionDep, UnitOfWorkRoute
from service.people import naming
from service.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["terms"], route_class=UnitOfWorkRoute)


def _version_out(ref: str, record: TermsVersion) -> dict[str, Any]:
    base = f"/api/v1/cases/{ref}/terms/{record.version}"
    return {
        "case_ref": ref,
        "version": record.version,
        "template_version": record.template_version,
        "clauses_version": record.clauses_version,
        "content_hash": record.content_hash,
        "created_by": record.created_by,
        "created_at": record.created_at,
        "downloads": {fmt.value: f"{base}.{fmt.value}" for fmt in Format},
    }


@router.post(
    "/cases/{ref}/terms",
    status_code=201,
    responses={200: {"model": GeneratedOut, "description": "nothing changed: the latest version"}},
)
def generate_terms(
    ref: Ref, session: SessionDep, actor: CaseCommissioner, response: Response
) -> GeneratedOut:
    """Generate the case's terms of reference; a new version only when the content changed."""
    result = terms_store.generate(
        session=session,
        ref=ref,
        actor=actor.email,
        today=clock.today(),
        rule_settings=get_settings().rule_settings,
        named=naming(session),
        partnership_starts=get_settings().partnership_start_dates,
    )
    record = result.version
    if result.created:
        message = f"Stored version {record.version} of the terms of reference for {ref}."
    else:
        response.status_code = 200
        message = f"Nothing has changed since version {record.version}; no new version was stored."
    if result.missing:
        count = len(result.missing)
        message += f" {count} item{' is' if count == 1 else 's are'} still to be confirmed."
    return GeneratedOut(
        **_version_out(ref, record),
        created=result.created,
        message=message,
        missing=[MissingOut(section=m.section, title=m.title, what=m.what) for m in result.missing],
    )


@router.get("/cases/{ref}/terms")
def list_terms(ref: Ref, session: SessionDep, _: CaseReader) -> list[VersionOut]:
    """The case's stored versions, oldest first."""
    return [VersionOut(**_version_out(ref, r)) for r in terms_store.list_versions(session=session, ref=ref)]


@router.get(
    "/cases/{ref}/terms/{version:int}.{fmt}",
    response_class=Response,
    responses={
        200: {
            "description": "the document",
            "content": {media: {} for media, _ in RENDERERS.values()},
        }
    },
)
def download_terms(ref: Ref, version: Id, fmt: Format, session: SessionDep, _: CaseReader) -> Response:
    """One version as Markdown (stored verbatim), HTML, DOCX or PDF (rendered from its stored content).

    The X-Template-Version header names the layout that produced the file: a version stored under an
    older template is re-rendered with the current one, with the same content.
    """
    document = terms_store.download(session=session, ref=ref, version=version, fmt=fmt)
    return Response(document.body, media_type=document.media_type, headers=document.headers)


@router.get("/cases/{ref}/terms/{from_version:int}/diff/{to_version:int}")
def diff_terms(ref: Ref, from_version: Id, to_version: Id, session: SessionDep, _: CaseReader) -> DiffOut:
    """What changed between two versions, section by section and as a unified diff of the Markdown."""
    result = terms_store.diff(session=session, ref=ref, from_version=from_version, to_version=to_version)
    return DiffOut(
        case_ref=result.case_ref,
        from_version=result.from_version,
        to_version=result.to_version,
        identical=result.identical,
        changed_sections=list(result.changed_sections),
        diff=result.unified,
    )
