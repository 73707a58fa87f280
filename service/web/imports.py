"""CSV import in the browser: upload, a preview listing every row's problems or changes, then commit.

Preview is ``registry.sync.import_csv`` with ``dry_run``. It keeps the file in the database under its
SHA-256 (``ImportPreview``, so any worker or replica can finish the import), and the commit form posts
only that hash: a form field holds at most 1 MiB, while a file that previews may be up to 2 MB. Commit
runs the import again for real on the kept text, so it re-checks every row and writes all of them or
none, and removes the kept file in the same transaction. Kept files expire after ``PREVIEW_LIFETIME``.
"""

import hashlib
import re
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from starlette.datastructures import UploadFile

from core.clock import utcnow
from core.errors import Invalid
from core.transaction import atomic
from registry import importer, sync
from registry.importer import ImportReport
from service.db import SessionDep, UnitOfWorkRoute
from service.models import ImportPreview, User
from service.settings import get_settings
from service.web.pages import flash_then_redirect, render
from service.web.session import AdminPage, CheckedForm

router = APIRouter(prefix="/admin/import", include_in_schema=False, route_class=UnitOfWorkRoute)

# Long enough to read a preview of thousands of rows; short, since the file holds personal details.
PREVIEW_LIFETIME = timedelta(hours=1)
EXPIRED = (
    "This check has expired or its file was already imported. Upload the file again to check it, "
    "then import it"
)


def _page(request: Request, user: User, *, status: int = 200, **context: Any) -> Response:
    full = {"section": "import", "columns": importer.COLUMNS, "labels": {"file": "CSV file"}, **context}
    return render(request, "import.html", full, user=user, status=status)


@router.get("")
def upload_page(request: Request, user: AdminPage) -> Response:
    return _page(request, user)


def _import(session: SessionDep, user: User, *, text: str, dry_run: bool) -> ImportReport:
    settings = get_settings()
    return sync.import_csv(
        session=session,
        text=text,
        actor=user.email,
        max_rows=settings.csv_max_rows,
        dry_run=dry_run,
        reapproval_years=settings.reapproval_years,
    )


def _problems_page(request: Request, user: User, error: Invalid) -> Response:
    return _page(request, user, status=422, problems=error.problems, summary=error.message)


@router.post("/preview")
def preview(request: Request, session: SessionDep, user: AdminPage, form: CheckedForm) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, user, status=422, errors={"file": "Choose a CSV file to upload"})
    try:
        text = importer.decode(upload.file.read())
    except Invalid as error:
        return _page(request, user, status=422, errors={"file": error.message})
    if "\x00" in text:
        message = "The file holds NUL characters, so it is not CSV text: save it from the spreadsheet as CSV"
        return _page(request, user, status=422, errors={"file": message})
    try:
        report = _import(session, user, text=text, dry_run=True)
    except Invalid as error:
        return _problems_page(request, user, error)
    return _page(request, user, report=report, sha256=_keep(session, text))


def _keep(session: Session, text: str) -> str:
    """Keep a previewed file for its commit, and drop expired ones; the file's SHA-256 names it."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    now = utcnow()
    session.exec(delete(ImportPreview).where(col(ImportPreview.created_at) < now - PREVIEW_LIFETIME))  # type: ignore[call-overload]
    try:
        with atomic(session=session):
            kept = session.get(ImportPreview, digest)
            if kept is None:
                session.add(ImportPreview(sha256=digest, csv_text=text, created_at=now))
            else:
                kept.created_at = now
    except IntegrityError:  # the same file previewed at the same moment elsewhere: that copy serves
        pass
    return digest


def _kept(session: Session, digest: str) -> ImportPreview | None:
    """The previewed file named by ``digest``, unless it has expired or was imported."""
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        return None
    kept = session.get(ImportPreview, digest)
    if kept is None or kept.created_at < utcnow() - PREVIEW_LIFETIME:
        return None
    return kept


@router.post("/commit")
def commit(request: Request, session: SessionDep, user: AdminPage, form: CheckedForm) -> Response:
    kept = _kept(session, str(form.get("sha256", "")))
    if kept is None:
        return _page(request, user, status=422, errors={"file": EXPIRED})
    digest, text = kept.sha256, kept.csv_text
    try:
        with atomic(session=session):
            # Claim the file first, so a second click (here or on another worker) finds it gone.
            claimed = session.exec(delete(ImportPreview).where(col(ImportPreview.sha256) == digest))  # type: ignore[call-overload]
            if claimed.rowcount != 1:
                return _page(request, user, status=422, errors={"file": EXPIRED})
            report = _import(session, user, text=text, dry_run=False)
    except Invalid as error:
        return _problems_page(request, user, error)
    return flash_then_redirect(
        request,
        f"Import done: {report.created} added, {report.updated} updated, {report.unchanged} unchanged.",
        "/admin/consultants",
    )
