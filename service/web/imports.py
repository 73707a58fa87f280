"""CSV import in the browser: upload, a preview listing every row's problems or changes, then commit.

Preview is ``registry.store.import_csv`` with ``dry_run``; commit runs it again for real on the same
text, so it re-checks every row and writes all of them or none.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from registry import importer
from registry import store as registry_store
from registry.errors import Invalid
from registry.importer import ImportReport
from service.db import SessionDep
from service.models import User
from service.settings import get_settings
from service.web.pages import flash, render
from service.web.session import AdminPage, CheckedForm

router = APIRouter(prefix="/admin/import", include_in_schema=False)


def _page(request: Request, user: User, *, status: int = 200, **context: Any) -> Response:
    full = {"section": "import", "columns": importer.COLUMNS, "labels": {"file": "CSV file"}, **context}
    return render(request, "import.html", full, user=user, status=status)


@router.get("")
def upload_page(request: Request, user: AdminPage) -> Response:
    return _page(request, user)


def _import(session: SessionDep, user: User, *, text: str, dry_run: bool) -> ImportReport:
    settings = get_settings()
    return registry_store.import_csv(
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
    return _page(request, user, report=report, text=text)


@router.post("/commit")
def commit(request: Request, session: SessionDep, user: AdminPage, form: CheckedForm) -> Response:
    try:
        report = _import(session, user, text=str(form.get("text", "")), dry_run=False)
    except Invalid as error:
        return _problems_page(request, user, error)
    flash(
        request,
        f"Import done: {report.created} added, {report.updated} updated, {report.unchanged} unchanged.",
    )
    return RedirectResponse("/admin/consultants", status_code=303)
