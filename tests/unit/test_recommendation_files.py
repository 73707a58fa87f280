"""Recommendations read from a review's DOCX (a numbered list, findings before them) and from a CSV."""

import io
from datetime import date

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from commissioning.recommendation_files import MAX_RECOMMENDATIONS, parse_day, read_csv, read_docx, read_file
from core.errors import Invalid


def docx(*paragraphs: tuple[str, str | None]) -> bytes:
    """A Word document of ``(text, style)`` paragraphs; the style "numPr" numbers it as Word's own list
    does, on the paragraph itself."""
    document = Document()
    for text, style in paragraphs:
        if style == "numPr":
            paragraph = document.add_paragraph(text)
            numbering = OxmlElement("w:numPr")
            for tag, value in (("w:ilvl", "0"), ("w:numId", "1")):
                element = OxmlElement(tag)
                element.set(qn("w:val"), value)
                numbering.append(element)
            paragraph._p.get_or_add_pPr().append(numbering)
        else:
            document.add_paragraph(text, style=style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_numbered_list_after_the_heading_becomes_recommendations_with_their_findings() -> None:
    data = docx(
        ("Terms of reference", "Heading 1"),
        ("1. Agencies to provide chronologies.", None),  # a numbered list before the heading: not read
        ("Recommendations", "Heading 1"),
        ("Finding 1: strategy discussions left out the police.", None),
        ("Hackney CSC will invite the police to every strategy discussion.", "List Number"),
        ("2) The partnership will audit 20 strategy discussions.", None),
        ("A paragraph of explanation, not numbered.", None),
        ("Finding 2: the health visitor was not told.", None),
        ("Health will share discharge summaries within 2 days.", "numPr"),
        ("Recommendation 4: publish the learning.", None),
    )
    drafts = read_docx(data)
    assert [d.text for d in drafts] == [
        "Hackney CSC will invite the police to every strategy discussion.",
        "The partnership will audit 20 strategy discussions.",
        "Health will share discharge summaries within 2 days.",
        "publish the learning.",
    ]
    assert [d.finding for d in drafts] == [
        "Finding 1: strategy discussions left out the police.",
        "Finding 1: strategy discussions left out the police.",
        "Finding 2: the health visitor was not told.",
        "Finding 2: the health visitor was not told.",
    ]
    assert read_file("Report.DOCX", data) == drafts


def test_without_a_heading_every_numbered_paragraph_counts() -> None:
    drafts = read_docx(docx(("Intro", None), ("1. Audit 20 files.", None), ("", "List Number")))
    assert [d.text for d in drafts] == ["Audit 20 files."]
    assert drafts[0].finding is None


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"not a word file", "not a Word document"),
        (docx(("Just prose.", None)), "no numbered list"),
        (docx(*[(f"{n}. Audit file {n}.", None) for n in range(1, MAX_RECOMMENDATIONS + 2)]), "201"),
    ],
)
def test_a_docx_without_recommendations_is_refused_saying_what_to_do(data: bytes, words: str) -> None:
    with pytest.raises(Invalid, match=words) as refused:
        read_docx(data)
    assert refused.value.problems[0]["msg"]


CSV = (
    "Text,Scope,Agencies,Owner,Priority,Due date,Finding,Notes\n"
    "Audit 20 files so that every one has a plan.,single-agency,hackney-csc,Head of service,High,"
    "31/03/2027,Finding 1,ignored\n"
    ",,,,,,,\n"
    '"Share summaries within 2 days.",Multi agency,"Hackney CSC; Met Police",,,31 March 2027,,\n'
    "Publish the learning.,,,,,,,\n"
)


def test_a_csv_row_each_with_its_columns_in_any_case() -> None:
    first, second, third = read_csv(("\ufeff" + CSV).encode())
    assert first.scope == "single_agency" and first.agencies == ("hackney-csc",)
    assert (first.owner, first.priority, first.due, first.finding) == (
        "Head of service",
        "high",
        date(2027, 3, 31),
        "Finding 1",
    )
    assert second.scope == "multi_agency" and second.agencies == ("Hackney CSC", "Met Police")
    assert second.owner is None and second.due == date(2027, 3, 31)
    assert third.scope is None and third.priority is None and third.due is None
    assert read_file("plan.csv", CSV.encode()) == [first, second, third]


def test_a_windows_csv_is_read_too() -> None:
    [draft] = read_csv(
        "recommendation\nReview the caf\u00e9\u2019s policy so that staff know it.\n".encode("cp1252")
    )
    assert draft.text == "Review the caf\u00e9\u2019s policy so that staff know it."


def test_every_bad_cell_is_named_and_nothing_is_read() -> None:
    data = (
        b"text,scope,priority,due\nAudit 20 files.,both,urgent,2027-02-30\n,single,,\nAudit.,,,31/12/1850\n"
    )
    with pytest.raises(Invalid, match="nothing was recorded") as refused:
        read_csv(data)
    assert [(p["row"], p["column"]) for p in refused.value.problems] == [
        (2, "scope"),
        (2, "priority"),
        (2, "due"),
        (3, "text"),
        (4, "due"),
    ]
    assert "write single-agency or multi-agency" in refused.value.problems[0]["msg"]
    assert "between 1900 and 2100" in refused.value.problems[4]["msg"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"owner,due\nJo,2027-01-01\n", "no column of recommendations"),
        (b"text\n\n", "no recommendations"),
        (("text\n" + "Audit 2 files.\n" * (MAX_RECOMMENDATIONS + 1)).encode(), "201"),
    ],
)
def test_a_csv_without_recommendations_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(Invalid, match=words):
        read_csv(data)


def test_another_kind_of_file_is_refused() -> None:
    with pytest.raises(Invalid, match="neither a Word document nor a CSV"):
        read_file("plan.pdf", b"%PDF")


@pytest.mark.parametrize(
    ("text", "day"),
    [("2027-03-31", date(2027, 3, 31)), ("31.03.2027", date(2027, 3, 31)), ("1 Mar 2027", date(2027, 3, 1))],
)
def test_dates_are_read_as_written_in_england(text: str, day: date) -> None:
    assert parse_day(text) == day


def test_a_month_first_date_is_not_a_date() -> None:
    with pytest.raises(ValueError, match="31/03/2027"):
        parse_day("03/31/2027")
