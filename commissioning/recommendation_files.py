"""Recommendations read from the files a review's report comes in: a DOCX with a numbered list, or a CSV
with a row for each. Pure: bytes in, ``Draft`` recommendations out, or ``Invalid`` listing every problem
(nothing is half-read).

In a DOCX, a recommendation is a paragraph of a numbered list (Word's own numbering, a "List Number"
style, or a number typed at its start: "1.", "2)", "Recommendation 3:"). When the document has a
heading "Recommendations", only the numbered paragraphs after it count, so a numbered list of terms or
findings before it is not read as recommendations. A paragraph starting "Finding" names the finding the
recommendations after it answer.

In a CSV, the first row names the columns (any case; ``text`` is the one that must be there): text,
scope (single-agency or multi-agency), agencies (separated by ; or ,), owner, priority (high, medium,
low), due (2027-03-31, 31/03/2027 or 31 March 2027) and finding.
"""

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, cast

from docx import Document
from docx.text.paragraph import Paragraph

from commissioning.recommendations import Draft, Priority, Scope
from core.errors import Invalid
from core.values import EARLIEST, LATEST

MAX_RECOMMENDATIONS = 200  # a file with more is not a review's recommendations
_NUMBERED = re.compile(r"^\s*(?:recommendation\s*)?\d{1,3}\s*[.):]\s*(\S.*)$", re.IGNORECASE | re.DOTALL)
_FINDING = re.compile(r"^\s*finding\b", re.IGNORECASE)
_HEADING = re.compile(r"^\s*recommendations\s*:?\s*$", re.IGNORECASE)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")
SCOPES: Mapping[str, Scope] = {
    "single": "single_agency",
    "single agency": "single_agency",
    "multi": "multi_agency",
    "multi agency": "multi_agency",
}
PRIORITIES = ("high", "medium", "low")
COLUMNS: Mapping[str, str] = {
    "text": "text",
    "recommendation": "text",
    "scope": "scope",
    "agencies": "agencies",
    "agency": "agencies",
    "owner": "owner",
    "priority": "priority",
    "due": "due",
    "due date": "due",
    "finding": "finding",
}


def _problem(row: int | None, column: str | None, msg: str) -> dict[str, Any]:
    return {"row": row, "column": column, "msg": msg}


# DOCX ----------------------------------------------------------------------------------------------------


def _numbered(paragraph: Paragraph) -> str | None:
    """The paragraph's text when it is an item of a numbered list, else None."""
    text = paragraph.text.strip()
    typed = _NUMBERED.match(text)
    if typed:
        return typed.group(1).strip()
    properties = paragraph._p.pPr
    listed = properties is not None and properties.numPr is not None
    style = paragraph.style.name if paragraph.style is not None else ""
    return text if text and (listed or style.startswith("List Number")) else None


def read_docx(data: bytes) -> list[Draft]:
    """The recommendations of a DOCX's numbered list, each with the finding written before it."""
    try:
        paragraphs = Document(io.BytesIO(data)).paragraphs
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise Invalid(
            "The file is not a Word document.",
            [_problem(None, None, "save it from Word as a .docx file, then upload it again")],
        ) from None
    headed = next((i for i, p in enumerate(paragraphs) if _HEADING.match(p.text)), -1)
    drafts: list[Draft] = []
    finding: str | None = None
    for paragraph in paragraphs[headed + 1 :]:
        text = paragraph.text.strip()
        if _FINDING.match(text):
            finding = text
            continue
        item = _numbered(paragraph)
        if item is not None:
            drafts.append(Draft(text=item, finding=finding))
    if not drafts:
        raise Invalid(
            "The document has no numbered list of recommendations.",
            [
                _problem(
                    None, None, "number each recommendation (1., 2., ...) in a list, then upload it again"
                )
            ],
        )
    return _few(drafts)


def _few(drafts: list[Draft]) -> list[Draft]:
    if len(drafts) > MAX_RECOMMENDATIONS:
        raise Invalid(
            f"The file holds {len(drafts)} recommendations.",
            [_problem(None, None, f"a review's file holds at most {MAX_RECOMMENDATIONS}: split it")],
        )
    return drafts


# CSV -----------------------------------------------------------------------------------------------------


def parse_day(text: str) -> date:
    """A date as people in England write it, never month first; ValueError saying what is accepted."""
    for form in DATE_FORMATS:
        try:
            found = datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
        if not EARLIEST <= found <= LATEST:
            raise ValueError(f"{text!r} is not between {EARLIEST.year} and {LATEST.year}")
        return found
    raise ValueError(f"{text!r} is not a date: write it as 31/03/2027, 31 March 2027 or 2027-03-31")


def _scope(text: str) -> Scope:
    folded = " ".join(text.lower().replace("-", " ").replace("_", " ").split())
    if folded not in SCOPES:
        raise ValueError(f"{text!r} is not a scope: write single-agency or multi-agency")
    return SCOPES[folded]


def _priority(text: str) -> Priority | None:
    folded = text.strip().lower()
    if folded and folded not in PRIORITIES:
        raise ValueError(f"{text!r} is not a priority: write high, medium or low")
    return cast(Priority, folded) if folded else None


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for place, name in enumerate(header):
        key = COLUMNS.get(" ".join(name.strip().lower().replace("_", " ").split()))
        if key is not None and key not in found:
            found[key] = place
    if "text" not in found:
        raise Invalid(
            "The file has no column of recommendations.",
            [_problem(1, None, "name the first row's columns, one of them 'text' (the recommendation)")],
        )
    return found


def _row(
    number: int, cells: list[str], columns: Mapping[str, int]
) -> tuple[Draft | None, list[dict[str, Any]]]:
    def cell(key: str) -> str:
        place = columns.get(key)
        return cells[place].strip() if place is not None and place < len(cells) else ""

    problems: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    for key, read in (("scope", _scope), ("priority", _priority), ("due", parse_day)):
        if cell(key):
            try:
                values[key] = read(cell(key))
            except ValueError as error:
                problems.append(_problem(number, key, str(error)))
    if not cell("text"):
        problems.append(_problem(number, "text", "the recommendation's text is empty"))
    if problems:
        return None, problems
    agencies = tuple(name.strip() for name in re.split(r"[;,]", cell("agencies")) if name.strip())
    draft = Draft(
        text=cell("text"),
        agencies=agencies,
        owner=cell("owner") or None,
        finding=cell("finding") or None,
        **values,
    )
    return draft, []


def read_csv(data: bytes) -> list[Draft]:
    """The recommendations of a CSV, a row each (blank rows skipped); Invalid naming every bad cell."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise Invalid("The file is empty.", [_problem(None, None, "the file has no rows")])
    columns = _columns(rows[0])
    drafts: list[Draft] = []
    problems: list[dict[str, Any]] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in cells):
            continue
        draft, found = _row(number, cells, columns)
        problems += found
        if draft is not None:
            drafts.append(draft)
    if problems:
        raise Invalid("Some rows of the file cannot be read; nothing was recorded.", problems)
    if not drafts:
        raise Invalid("The file has no recommendations.", [_problem(None, None, "add a row for each")])
    return _few(drafts)


def read_file(filename: str, data: bytes) -> list[Draft]:
    """The recommendations in a file, read by its name's ending: .docx or .csv."""
    ending = filename.lower().rpartition(".")[2]
    if ending == "docx":
        return read_docx(data)
    if ending == "csv":
        return read_csv(data)
    raise Invalid(
        f"{filename!r} is neither a Word document nor a CSV file.",
        [_problem(None, None, "upload the recommendations as a .docx or a .csv file")],
    )
