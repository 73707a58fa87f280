"""The admin import's commit posts only the previewed file's hash, so a file that previews also imports.

Before, the commit form re-posted the whole CSV in one hidden field, and Starlette refuses a form field over
1 MiB: a file between 1 MiB and the 2 MB upload limit previewed fine and then failed at commit.
"""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from admin_pages_client import signed_in_as
from sqlalchemy import func, update
from sqlmodel import select

from core.clock import utcnow
from registry.models import Consultant
from service.models import ImportPreview

ROWS = 300
NOTES = "Sole trader; reviews across London. " * 100  # about 3,600 characters, within the 4,000 allowed


@pytest.fixture
def signed_in(client, session, admin):  # type: ignore[no-untyped-def]
    return signed_in_as(client, session, admin.email, "/admin/import")


def large_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "notes"])
    for n in range(ROWS):
        writer.writerow([f"Reviewer {n:03d}", f"reviewer{n:03d}@reviews.example.org", NOTES])
    return out.getvalue().encode()


def preview(client, body: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/import/preview",
        data={"csrf_token": client.token},
        files={"file": ("list.csv", body, "text/csv")},
    )


def commit_form(page: str) -> dict[str, str]:
    """The hidden fields of the page's import form, as a browser would post them."""
    form = re.search(r'<form method="post" action="/admin/import/commit">(.*?)</form>', page, re.S)
    assert form, "the preview has no import button"
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1))
    return {name: html.unescape(value) for name, value in fields}


def consultants(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(func.count()).select_from(Consultant)).one()


def test_a_file_over_one_mebibyte_that_previews_also_imports(signed_in, session):
    body = large_csv()
    assert 1024 * 1024 < len(body) < 2_000_000

    page = preview(signed_in, body)
    assert page.status_code == 200, page.text[:500]
    assert f"{ROWS} to add" in page.text
    form = commit_form(page.text)
    assert sum(len(value) for value in form.values()) < 1000, "the form carries the file, not its hash"

    done = signed_in.post("/admin/import/commit", data=form, follow_redirects=False)

    assert done.status_code == 303, done.text[:500]
    assert consultants(session) == ROWS
    assert session.exec(select(ImportPreview)).all() == [], "an imported file is not kept"


def test_a_commit_names_a_kept_preview_or_imports_nothing(signed_in, session):
    page = preview(signed_in, b"name,email\nAna Good,ana@reviews.example.org\n")
    form = commit_form(page.text)
    assert list(form) == ["csrf_token", "sha256"]

    for sha256 in ("0" * 64, "not-a-hash", ""):
        refused = signed_in.post("/admin/import/commit", data={**form, "sha256": sha256})
        assert refused.status_code == 422
        assert "Upload the file again" in refused.text

    session.exec(update(ImportPreview).values(created_at=utcnow() - timedelta(hours=2)))  # type: ignore[call-overload]
    session.commit()
    expired = signed_in.post("/admin/import/commit", data=form)
    assert expired.status_code == 422
    assert "expired" in expired.text
    assert consultants(session) == 0


def test_a_second_click_on_import_imports_nothing_more(signed_in, session):
    form = commit_form(preview(signed_in, b"name,email\nAna Good,ana@reviews.example.org\n").text)
    first = signed_in.post("/admin/import/commit", data=form, follow_redirects=False)
    again = signed_in.post("/admin/import/commit", data=form)
    assert (first.status_code, again.status_code) == (303, 422)
    assert consultants(session) == 1
