"""Error messages a person can read: a long problem is cut between words and keeps what is wrong, and the
example case reference people are shown has the shape of the references the service issues."""

import re

from factories import CASE_FEATURES

from bot.views import errors
from service.api.cases import MAX_SHOWN

ISSUED = re.compile(r"^[A-Z]{3}-\d{4}-\d{4}$")


def test_a_long_echoed_value_is_cut_between_words_and_the_reason_is_kept(client):
    value = "a long answer typed into the wrong box " * 30
    response = client.post("/api/v1/threshold", json={"features": {**CASE_FEATURES, "outcome": value}})
    assert response.status_code == 422
    (problem,) = [p for p in response.json()["problems"] if p.get("feature") == "outcome"]
    message = problem["msg"]
    assert len(message) <= MAX_SHOWN
    assert message.endswith("is not one of the valid values")
    whole = f"{value!r} is not one of the valid values".split()
    assert all(word in whole for word in message.replace("…", " ").split()), message


def test_the_example_case_reference_has_the_shape_of_an_issued_one(client, chair):
    issued = client.post("/api/v1/cases", json={"features": CASE_FEATURES}, headers=chair.headers).json()[
        "ref"
    ]
    assert ISSUED.match(issued)
    examples = re.findall(r"`([A-Z]+-[^`]*)`", errors.unknown_case("nope"))
    assert examples == ["HAC-2026-0007"] and ISSUED.match(examples[0])
    assert "HAC-2026-0007" in client.get("/openapi.json").text
