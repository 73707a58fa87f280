"""The request letter as Word and PDF, read back as a person reads them: every line of the letter is
there, in order, with the questions as points and the chronology's columns as a table."""

import io
import re
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from test_chronology_requests import facts

from commissioning.chronology import columns as cols
from commissioning.chronology import letters, requests

EXTRA = cols.added_column("Ethnicity recorded", help="As your agency's record shows it.")
REQUEST = facts(agency="St Mary's & Northgate Academy", agency_kind="school", columns=(*cols.STANDARD, EXTRA))
LETTER = requests.letter(REQUEST)


def prose(letter: requests.Letter) -> list[str]:
    """The letter's lines that are not in its columns table."""
    table = {f"{name}: {what}" for part in letter.parts for name, what in part.table}
    return [line for line in letter.text() if line not in table]


@pytest.fixture(scope="module")
def word() -> Document:
    return Document(io.BytesIO(letters.letter_docx(REQUEST)))


def test_the_word_letter_reads_as_the_letter_in_order(word: Document) -> None:
    paragraphs = [p.text for p in word.paragraphs if p.text.strip()]
    assert paragraphs == prose(LETTER)
    bullets = [p.text for p in word.paragraphs if p.style.name == "List Bullet"]
    assert bullets == [point for part in LETTER.parts for point in part.points]
    assert (
        word.sections[0].header.paragraphs[0].text
        == "HAC-2026-0001: request to St Mary's & Northgate Academy"
    )
    assert word.core_properties.title == LETTER.title


def test_the_word_letter_lists_the_columns_as_a_table(word: Document) -> None:
    [table] = word.tables
    rows = [tuple(cell.text for cell in row.cells) for row in table.rows]
    assert rows[0] == ("Column", "What to write")
    assert rows[1:] == [
        (f"{c.header}{' (every row)' if c.required else ''}", c.help) for c in REQUEST.columns
    ]


def pdf_text(data: bytes, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    run = subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True)
    return run.stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_letter_reads_as_the_letter_in_order(tmp_path: Path) -> None:
    data = letters.letter_pdf(REQUEST)
    text = flat(pdf_text(data, tmp_path))
    at = 0
    for line in prose(LETTER):
        found = text.find(flat(line).removeprefix("• "), at)
        assert found >= 0, f"not found in order: {line!r}"
        at = found
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None and reader.metadata.title == LETTER.title
    assert reader.metadata.author == REQUEST.partnership
    pages = [flat(page.extract_text()) for page in reader.pages]
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert LETTER.running_head in page and f"Page {number}" in page


def test_the_pdf_letter_lists_the_columns_side_by_side(tmp_path: Path) -> None:
    layout = pdf_text(letters.letter_pdf(REQUEST), tmp_path, "-layout")
    assert re.search(r"Column\s{3,}What to write", layout)
    assert re.search(r"Ethnicity recorded\s{3,}As your agency's record shows it\.", layout)
    assert re.search(r"Time\s{3,}Optional: the time, as 14:30\.", layout)


def test_the_files_are_named_for_the_case_and_agency() -> None:
    assert (
        letters.filename(REQUEST, "pdf") == "chronology-request-HAC-2026-0001-st-mary-s-northgate-academy.pdf"
    )
    assert letters.filename(facts(case_ref="HAC/2026 01"), "docx") == (
        "chronology-request-HAC-2026-01-county-police.docx"
    )
