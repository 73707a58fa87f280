"""The blank chronology an agency fills in: one Word table (python-docx) or one worksheet (openpyxl), with
the same columns, and a short note in plain words on how to fill it in."""

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from commissioning.chronology import columns as cols
from commissioning.chronology.columns import Column
from commissioning.chronology.dates import Period

TITLE = "Agency chronology"
BLANK_ROWS = 20  # rows ready to type into; an agency adds more as it needs
INTRODUCTION = (
    "Please list your agency's contact with the child and family during the period under review, one "
    "event per row, in date order. Keep the column headings as they are; add rows as you need them."
)
CLOSING = (
    "Use roles, not names, for practitioners. Write dates day first (22/05/2016): the service never reads "
    "a date month first. Before anything is stored, every row is checked and you are told of any problem "
    "by row and column."
)


def instructions(columns: Sequence[Column] = cols.STANDARD, period: Period | None = None) -> list[str]:
    """The note on the template, one paragraph a line: what to write in each column, in plain words."""
    lines = [INTRODUCTION]
    if period is not None:
        lines.append(f"The period under review is {period.describe()}.")
    for column in columns:
        must = " Every row needs this." if column.required and "Every row" not in column.help else ""
        lines.append(f"{column.header}: {column.help or 'as your agency records it.'}{must}")
    lines.append(CLOSING)
    return lines


def template_docx(columns: Sequence[Column] = cols.STANDARD, period: Period | None = None) -> bytes:
    """The template as a landscape Word document holding one table; its heading row repeats on each page."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.add_heading(TITLE, level=1)
    for line in instructions(columns, period):
        document.add_paragraph(line).paragraph_format.space_after = Pt(3)
    table = document.add_table(rows=1 + BLANK_ROWS, cols=len(columns))
    table.style = "Table Grid"
    heading_row = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    heading_row._tr.get_or_add_trPr().append(repeat)
    for cell, column in zip(heading_row.cells, columns, strict=True):
        cell.text = column.header
        cell.paragraphs[0].runs[0].bold = True
    for index, column in enumerate(columns):
        for cell in table.columns[index].cells:
            cell.width = Cm(column.width_cm)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def template_xlsx(columns: Sequence[Column] = cols.STANDARD, period: Period | None = None) -> bytes:
    """The template as a workbook: the chronology sheet first (its heading row is row 1 and stays in view),
    and the note on a second sheet, so row numbers in any problem are the sheet's own."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Chronology"
    sheet.append([column.header for column in columns])
    fill = PatternFill("solid", start_color="DDDDDD")
    for index, column in enumerate(columns, 1):
        heading = sheet.cell(row=1, column=index)
        heading.font = Font(bold=True)
        heading.fill = fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width_cm * 5
        # Dates and times stay as typed: Excel set to US ways would turn 05/06/2016 into 6 May.
        as_typed = column.key in ("date", "time", "sequence")
        for row in range(2, BLANK_ROWS + 2):
            cell = sheet.cell(row=row, column=index)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if as_typed:
                cell.number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("How to fill this in")
    notes.column_dimensions["A"].width = 120
    notes.append([TITLE])
    notes["A1"].font = Font(bold=True, size=14)
    for line in instructions(columns, period):
        notes.append([line])
        notes.cell(row=notes.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
