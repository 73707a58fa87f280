"""Every response says nosniff, API answers and downloads are not cached, and no redirect is built from
the ``Host`` header a client sends."""

import pytest
from factories import HARM_FEATURES

from service.headers import on_this_site

API = "/api/v1"


def ok(response, status=200):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response


@pytest.fixture
def terms_ref(client, chair, commissioner) -> str:
    ref = ok(
        client.post(f"{API}/cases", json={"features": HARM_FEATURES}, headers=chair.headers), 201
    ).json()["ref"]
    ok(client.post(f"{API}/cases/{ref}/decision", json={"accepted": True}, headers=chair.headers))
    ok(client.post(f"{API}/cases/{ref}/terms", headers=commissioner.headers), 201)
    return ref


def test_api_answers_and_downloads_are_neither_sniffed_nor_stored(client, admin, commissioner, terms_ref):
    responses = {
        "health": client.get("/healthz"),
        "public json": client.post(f"{API}/threshold", json={"features": HARM_FEATURES}),
        "signed-in json": client.get(f"{API}/consultants", headers=admin.headers),
        "refusal": client.get(f"{API}/consultants"),
        "not found": client.get(f"{API}/cases/HAC-2026-9999", headers=admin.headers),
        "csv export": client.get(f"{API}/consultants/export", headers=admin.headers),
        **{
            f"terms .{fmt}": client.get(
                f"{API}/cases/{terms_ref}/terms/1.{fmt}", headers=commissioner.headers
            )
            for fmt in ("md", "html", "docx", "pdf")
        },
    }
    for name, response in responses.items():
        assert response.status_code < 500, name
        assert response.headers.get("x-content-type-options") == "nosniff", name
        assert response.headers.get("cache-control") == "no-store", name


def test_pages_keep_their_own_cache_rules_and_say_nosniff(client):
    page = client.get("/admin/sign-in")
    stylesheet = client.get("/admin/static/admin.css")
    assert (page.headers["cache-control"], page.headers["x-content-type-options"]) == ("no-store", "nosniff")
    assert stylesheet.headers["cache-control"] == "max-age=3600"
    assert stylesheet.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8443", "evil.example/phish?x=", "EVIL.example"]
)
def test_the_trailing_slash_redirect_stays_on_this_site_whatever_the_host_header(client, admin, host):
    response = client.get(
        f"{API}/consultants/?status=approved",
        headers={**admin.headers, "Host": host},
        follow_redirects=False,
    )
    assert response.status_code in (301, 302, 307, 308), response.text
    assert response.headers["location"] == "/api/v1/consultants?status=approved"


def test_a_redirect_target_never_names_another_host():
    assert on_this_site("http://evil.example/api/v1/consultants?q=a#b") == "/api/v1/consultants?q=a#b"
    assert on_this_site("//evil.example/x") == "/x"
    assert on_this_site("/\\evil.example/x") == "/evil.example/x"
    assert on_this_site("https://evil.example") == "/"
    assert on_this_site("/admin/sign-in?next=%2Fadmin") == "/admin/sign-in?next=%2Fadmin"
