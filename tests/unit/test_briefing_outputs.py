"""The briefing's documents: HTML, PDF and DOCX each carry the charts with their text alternatives and
every figure as a table; the publishable version names no case."""

import io
import subprocess
from datetime import date
from pathlib import Path

import pytest
from briefing_cases import STUDY_YEAR, study_cases
from docx import Document

from commissioning.briefing import charts, references
from commissioning.briefing.facts import Period
from commissioning.briefing.html import briefing_html
from commissioning.briefing.pdf import briefing_pdf
from commissioning.briefing.report import Briefing, build
from commissioning.briefing.word import briefing_docx


def _briefing(publishable: bool) -> Briefing:
    return build(
        study_cases(),
        period=Period(date(STUDY_YEAR, 1, 1), date(STUDY_YEAR, 12, 31)),
        scope="London",
        publishable=publishable,
        references=references.for_partnership(None),
    )


@pytest.fixture(scope="module")
def internal() -> Briefing:
    return _briefing(False)


@pytest.fixture(scope="module")
def public() -> Briefing:
    return _briefing(True)


def test_the_charts_are_pngs_of_the_groups_that_ask_for_one(internal: Briefing) -> None:
    drawn = charts.charts(internal)
    assert set(drawn) == {"age", "theme"} and all(png.startswith(b"\x89PNG") for png in drawn.values())


def test_the_html_embeds_each_chart_with_its_text_alternative_and_a_table_per_group(
    internal: Briefing,
) -> None:
    page = briefing_html(internal)
    assert page.count('<img src="data:image/png;base64,') == 2
    assert (
        'alt="Bar chart of age at the incident' in page and "<caption>Themes: the figures</caption>" in page
    )
    assert "LDN-2006-0001" in page and "Not for publication" in page


def test_the_pdf_reads_as_the_briefing(public: Briefing, tmp_path: Path) -> None:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(briefing_pdf(public))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Thematic briefing: London" in text and "Publishable version" in text
    assert "Bar chart of themes" in text and "fewer than 5" in text and "LDN-2006" not in text


def test_the_docx_has_each_chart_described_and_every_figure_in_a_table(internal: Briefing) -> None:
    document = Document(io.BytesIO(briefing_docx(internal)))
    described = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert len(described) == 2 and described[0].startswith("Bar chart of age at the incident")
    rows = sum(len(table.rows) - 1 for table in document.tables)
    assert rows == len(internal.figures)
    assert document.tables[0].rows[1].cells[1].text == "11"
