"""The request letter to an agency as a Word document (python-docx) and a PDF (reportlab's platypus).

Both lay out ``requests.letter`` and nothing else, so they say the same thing: portrait A4, the case
reference and agency at the head of every page, the letter's details, its parts under headings, the
questions as points and the chronology's columns as a table. The PDF is laid out as every PDF the
service prints is (``commissioning.pdf_layout``), so any name prints as written. The chronology template
is not attached: the letter says where to download it.
"""

import io
import re

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Cm, Pt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from commissioning.chronology.requests import Letter, RequestFacts, letter
from commissioning.pdf_layout import BOLD, FONT, Pages, markup, register_fonts, ruled_table

MARGIN_CM = 2.0
USABLE_CM = 21.0 - 2 * MARGIN_CM
PAGES = Pages(A4, MARGIN_CM * cm, head_rise=0.2 * cm, foot_drop=0.8 * cm, top_extra=0.3 * cm)
COLUMN_HEADINGS = ("Column", "What to write")
NAME_CM = 5.0  # the columns table's first column: "Significance or comment" on one line
_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9]+")


def filename(facts: RequestFacts, extension: str) -> str:
    """``chronology-request-ABC-2026-0001-county-police.pdf``: the case and agency, safe in any system."""
    agency = _NOT_IN_NAMES.sub("-", facts.agency).strip("-").lower()
    return f"chronology-request-{_NOT_IN_NAMES.sub('-', facts.case_ref).strip('-')}-{agency}.{extension}"


def letter_docx(facts: RequestFacts) -> bytes:
    """The request letter as a Word document."""
    content = letter(facts)
    document = Document()
    document.styles["Normal"].font.size = Pt(10.5)
    section = document.sections[0]
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    section.header.paragraphs[0].text = content.running_head
    document.core_properties.title = content.title
    document.core_properties.author = facts.partnership
    document.add_heading(content.title, level=0)
    for label, value in content.details:
        line = document.add_paragraph()
        line.paragraph_format.space_after = Pt(0)
        line.add_run(f"{label}: ").bold = True
        line.add_run(value)
    for text in content.opening:
        document.add_paragraph(text).paragraph_format.space_before = Pt(6)
    for part in content.parts:
        document.add_heading(part.heading, level=1)
        for text in part.paragraphs:
            document.add_paragraph(text)
        for text in part.points:
            document.add_paragraph(text, style="List Bullet")
        if part.table:
            _columns_table(document, part.table)
    for text in content.closing:
        document.add_paragraph(text).paragraph_format.space_before = Pt(12)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _columns_table(document: WordDocument, rows: tuple[tuple[str, str], ...]) -> None:
    """The chronology's columns, a heading row then one row each: the heading, what to write."""
    table = document.add_table(rows=1 + len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cells, texts in zip(table.rows, (COLUMN_HEADINGS, *rows), strict=True):
        for cell, text in zip(cells.cells, texts, strict=True):
            cell.text = text
    for cell in table.rows[0].cells:
        cell.paragraphs[0].runs[0].bold = True
    for index, width in enumerate((NAME_CM, USABLE_CM - NAME_CM)):
        for cell in table.columns[index].cells:
            cell.width = Cm(width)


def letter_pdf(facts: RequestFacts) -> bytes:
    """The request letter as a PDF."""
    register_fonts()
    content = letter(facts)
    return PAGES.build(
        _story(content),
        head=content.running_head,
        title=content.title,
        subject=content.running_head,
        author=facts.partnership,
    )


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("letter", fontName=FONT, fontSize=10.5, leading=14, spaceAfter=6)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=17, leading=21, spaceAfter=10),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=BOLD, fontSize=12.5, leading=16, spaceBefore=8, spaceAfter=4
        ),
        "body": body,
        "detail": ParagraphStyle("detail", parent=body, spaceAfter=0),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=3, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12, spaceAfter=0),
        "cell_heading": ParagraphStyle(
            "cell-heading", parent=body, fontName=BOLD, fontSize=9.5, spaceAfter=0
        ),
    }


def _story(content: Letter) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = [Paragraph(markup(content.title), styles["title"])]
    story += [
        Paragraph(f"<b>{markup(label)}:</b> {markup(value)}", styles["detail"])
        for label, value in content.details
    ]
    story.append(Spacer(1, 8))
    story += [Paragraph(markup(text), styles["body"]) for text in content.opening]
    for part in content.parts:
        story.append(Paragraph(markup(part.heading), styles["heading"]))
        story += [Paragraph(markup(text), styles["body"]) for text in part.paragraphs]
        story += [Paragraph(markup(text), styles["bullet"], bulletText="•") for text in part.points]
        if part.table:
            story.append(_columns(part.table, styles))
    story.append(Spacer(1, 10))
    story += [Paragraph(markup(text), styles["body"]) for text in content.closing]
    return story


def _columns(rows: tuple[tuple[str, str], ...], styles: dict[str, ParagraphStyle]) -> Table:
    data = [[Paragraph(markup(text), styles["cell_heading"]) for text in COLUMN_HEADINGS]]
    data += [[Paragraph(markup(text), styles["cell"]) for text in row] for row in rows]
    return ruled_table(data, [NAME_CM * cm, (USABLE_CM - NAME_CM) * cm])
