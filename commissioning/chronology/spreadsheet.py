"""The composite as an Excel workbook (openpyxl), for the reviewer who sorts, filters and annotates.

The first sheet is the composite, a row per event with its agency and every mark in a column of its own
(so a filter finds the uncertain dates, the linked events or the final weeks), its heading row frozen and
filtered, and its first date as a real date to sort and filter by. The second lists the gaps, the
clusters and the final weeks; the third holds the chart with its figures and text alternative. Text
that would start a formula is kept as text: a chronology's words are never run.
"""

import io
from collections.abc import Sequence
from datetime import timedelta

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from commissioning.chronology import charts, timeline
from commissioning.chronology.composite import Composite
from commissioning.chronology.documents import (
    Rendering,
    cells,
    cluster_note,
    count,
    describe_cluster,
    describe_gap,
    gap_note,
    marks,
    numbers,
)

HEADING_ROW = 4  # the title, the view and the facts above it
BOLD, ITALIC = Font(bold=True), Font(italic=True)
HEADING_FILL = PatternFill("solid", fgColor="DDE7F0")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DAY = "DD/MM/YYYY"
# (heading, width in characters, wrapped); the partnership's own columns go after "Significance or comment"
COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("No.", 6, False),
    ("Date", 13, False),
    ("Time", 7, False),
    ("Agency", 20, True),
    ("Source of information", 18, True),
    ("Event", 48, True),
    ("Practitioner role", 16, True),
    ("Significance or comment", 32, True),
)
MARK_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("Date uncertain", 10, False),
    ("Same event as", 10, False),
    ("Cluster", 26, True),
    ("Gap", 30, True),
    ("Final weeks", 9, False),
    ("Earliest date", 12, False),
    ("In the agency's file", 16, False),
)


def composite_xlsx(composite: Composite, rendering: Rendering) -> bytes:
    """The workbook: the composite, its gaps and clusters, and its timeline."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    _composite_sheet(sheet, composite, rendering)
    _marks_sheet(book.create_sheet("Gaps and clusters"), composite, rendering)
    _timeline_sheet(book.create_sheet("Timeline"), composite, rendering)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _composite_sheet(sheet: Worksheet, composite: Composite, rendering: Rendering) -> None:
    sheet.title = f"Chronology ({rendering.view})"
    added = rendering.added_columns()
    layout = [*COLUMNS, *((column.header, 20.0, True) for column in added), *MARK_COLUMNS]
    _preamble(sheet, rendering, composite)
    _headings(sheet, HEADING_ROW, layout)
    found = marks(composite)
    first = HEADING_ROW + 1
    for row in composite.rows:
        text = cells(row, rendering)
        _put(
            sheet,
            first + row.number - 1,
            [
                row.number,
                text["date"],
                text["time"] or None,
                row.agency,
                *(text[key] for key in ("source", "event", "role", "comment")),
                *(text[column.key] for column in added),
                "Yes" if row.entry.when.uncertain else None,
                numbers(row.same_as) or None,
                cluster_note(row, found) or None,
                gap_note(row, found, composite) or None,
                "Yes" if row.final_weeks else None,
                row.entry.when.start,
                row.entry.place,
            ],
        )
    last = first + len(composite.rows) - 1
    for index, (_, _, wrapped) in enumerate(layout, 1):
        for (cell,) in sheet.iter_rows(min_row=first, max_row=last, min_col=index, max_col=index):
            cell.alignment = WRAP if wrapped else TOP
    for (cell,) in sheet.iter_rows(
        min_row=first, max_row=last, min_col=len(layout) - 1, max_col=len(layout) - 1
    ):
        cell.number_format = DAY
    for row in composite.rows:
        if row.entry.when.uncertain:
            sheet.cell(first + row.number - 1, 2).font = ITALIC
    sheet.freeze_panes = sheet.cell(first, 3)  # the heading row, and each row's number and date
    sheet.auto_filter.ref = f"A{HEADING_ROW}:{get_column_letter(len(layout))}{max(last, HEADING_ROW)}"
    sheet.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
    _print_setup(sheet, rendering)


def _marks_sheet(sheet: Worksheet, composite: Composite, rendering: Rendering) -> None:
    layout = [
        ("What", 12, False),
        ("From", 12, False),
        ("To", 12, False),
        ("Days", 7, False),
        ("Contacts", 9, False),
        ("Agencies", 30, True),
        ("Rows", 20, True),
        ("Description", 70, True),
    ]
    _headings(sheet, 1, layout)
    at = 1
    for number, gap in enumerate(composite.gaps, 1):
        at += 1
        _put(
            sheet,
            at,
            [
                f"Gap {number}",
                gap.start,
                gap.end,
                gap.days,
                0,
                None,
                numbers(gap.maybe) or None,
                describe_gap(gap, number),
            ],
        )
    for number, cluster in enumerate(composite.clusters, 1):
        days = (cluster.end - cluster.start).days + 1
        at += 1
        _put(
            sheet,
            at,
            [
                f"Cluster {number}",
                cluster.start,
                cluster.end,
                days,
                cluster.contacts,
                ", ".join(cluster.agencies),
                numbers(cluster.rows),
                describe_cluster(cluster, number),
            ],
        )
    if composite.incident is not None and composite.settings.final_weeks:
        inside = [row for row in composite.rows if row.final_weeks]
        weeks = composite.settings.final_weeks
        agencies = ", ".join(dict.fromkeys(row.agency for row in inside))
        at += 1
        _put(
            sheet,
            at,
            [
                "Final weeks",
                composite.incident - timedelta(weeks=weeks),
                composite.incident,
                weeks * 7 + 1,
                len(inside),
                agencies or None,
                numbers([row.number for row in inside]) or None,
                f"{count(len(inside), 'event')} in the {count(weeks, 'week')} before the incident.",
            ],
        )
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = WRAP
        line[1].number_format = line[2].number_format = DAY
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(layout))}{at}"
    _print_setup(sheet, rendering)


def _timeline_sheet(sheet: Worksheet, composite: Composite, rendering: Rendering) -> None:
    """The chart's text alternative and figures, then the chart itself below them."""
    found = timeline.figures(composite, rendering)
    sheet["A1"] = "Timeline"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = found.summary
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=min(len(found.columns) + 2, 14))
    sheet.row_dimensions[2].height = 15 * (1 + len(found.summary) // 140)
    table = found.table()
    for offset, values in enumerate(table):
        for column, value in enumerate(values, 1):
            sheet.cell(4 + offset, column, value)
    for cell in sheet[4]:
        cell.font, cell.fill = BOLD, HEADING_FILL
    for cell in sheet[4 + len(table) - 1]:
        cell.font = BOLD
    sheet.column_dimensions["A"].width = 28
    picture = Image(io.BytesIO(charts.timeline_png(composite, rendering, dpi=80)))
    sheet.add_image(picture, f"A{4 + len(table) + 2}")
    _print_setup(sheet, rendering)


def _preamble(sheet: Worksheet, rendering: Rendering, composite: Composite) -> None:
    sheet["A1"] = rendering.title()
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = rendering.notice()
    sheet["A2"].font = Font(bold=True, color="9C2A00" if rendering.view == "personal" else "000000")
    sheet["A3"] = ". ".join(rendering.facts(composite)) + "."


def _headings(sheet: Worksheet, at: int, layout: Sequence[tuple[str, float, bool]]) -> None:
    for index, (heading, width, _) in enumerate(layout, 1):
        cell = sheet.cell(at, index, heading)
        cell.font, cell.fill, cell.alignment = BOLD, HEADING_FILL, WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width


def _put(sheet: Worksheet, at: int, values: Sequence[object]) -> None:
    """Row ``at`` filled in, text staying text even when it starts with "=" as a formula would."""
    for column, value in enumerate(values, 1):
        if value is not None:
            cell = sheet.cell(at, column, value)
            if cell.data_type == "f":
                cell.data_type = "s"


def _print_setup(sheet: Worksheet, rendering: Rendering) -> None:
    """Printed landscape, a page wide, with the case and the view on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddHeader.center.text = rendering.running_head()
    sheet.oddFooter.center.text = "Page &P of &N"
