"""An uploaded chronology file (DOCX, XLSX or CSV) turned into ``tables.Grid``s, merges kept.

Rows are numbered as the file shows them: a spreadsheet's row numbers (the heading row included) for
XLSX and CSV, the table's row number (the heading row is row 1) for a Word table. Nothing here judges
the values: ``tables`` finds the columns and ``checks`` the rows.
"""

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time

from docx import Document
from docx.table import Table, _Cell
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from commissioning.chronology import columns as cols
from commissioning.chronology.columns import Column
from commissioning.chronology.problems import Problem
from commissioning.chronology.tables import Cell, Grid, Sheet, read

FORMATS = ("docx", "xlsx", "csv")


def read_file(filename: str, data: bytes, columns: Sequence[Column] = cols.STANDARD) -> Sheet:
    """The rows of an uploaded file, told apart by its name's ending; a file that cannot be opened
    comes back as one problem saying so."""
    kind = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if kind not in FORMATS:
        message = f"'{filename}' is not a chronology file: send a Word (.docx), Excel (.xlsx) or CSV file."
        return Sheet((), (Problem(None, None, message),))
    try:
        grids = {"docx": docx_grids, "xlsx": xlsx_grids, "csv": csv_grids}[kind](data)
    except Exception:  # a damaged file breaks its format's library in many ways; each is the file's fault
        name, saved = {
            "docx": ("a Word document", "in Word as a Word Document (.docx)"),
            "xlsx": ("an Excel workbook", "in Excel as an Excel Workbook (.xlsx)"),
            "csv": ("a CSV file", "as CSV UTF-8"),
        }[kind]
        message = f"'{filename}' could not be opened as {name}: save it {saved} and send it again."
        return Sheet((), (Problem(None, None, message),))
    return read(grids, columns)


def docx_grids(data: bytes) -> list[Grid]:
    """Every top-level table of a Word document; several are named "Table 1", "Table 2"."""
    document = Document(io.BytesIO(data))
    tables = document.tables
    return [
        Grid(list(_docx_rows(table)), f"Table {n}" if len(tables) > 1 else "", lettered=False)
        for n, table in enumerate(tables, 1)
    ]


def _docx_rows(table: Table) -> Iterator[tuple[int, list[Cell]]]:
    """Each row's grid positions, read from the table's XML as Word lays it out: cells skipped before
    the row starts (``gridBefore``), cells merged across (``gridSpan``) and down (``vMerge``)."""
    for number, tr in enumerate(table._tbl.tr_lst, 1):
        cells = [Cell() for _ in range(tr.grid_before)]
        for tc in tr.tc_lst:
            merged_down = tc.vMerge == "continue"
            cells.append(Cell(merged_from_above=True) if merged_down else Cell(_Cell(tc, table).text))
            cells.extend(Cell(merged_from_left=True) for _ in range(tc.grid_span - 1))
        yield number, cells


def xlsx_grids(data: bytes) -> list[Grid]:
    """Every worksheet, the active one first (where the agency left off is where the chronology is)."""
    book = load_workbook(io.BytesIO(data), data_only=True)
    sheets = [book.active, *(sheet for sheet in book.worksheets if sheet is not book.active)]
    return [_sheet_grid(sheet) for sheet in sheets if isinstance(sheet, Worksheet)]


def _sheet_grid(sheet: Worksheet) -> Grid:
    merged: dict[tuple[int, int], Cell] = {}
    for span in sheet.merged_cells.ranges:
        for row in range(span.min_row, span.max_row + 1):
            for column in range(span.min_col, span.max_col + 1):
                if row > span.min_row:
                    merged[row, column] = Cell(merged_from_above=True)
                elif column > span.min_col:
                    merged[row, column] = Cell(merged_from_left=True)
    rows = []
    for line in sheet.iter_rows():
        cells = [merged.get((cell.row, cell.column)) or Cell(cell_text(cell.value)) for cell in line]
        rows.append((line[0].row, cells))
    return Grid(rows, sheet.title)


def cell_text(value: object) -> str:
    """A spreadsheet value as text the checks read: a date cell as 2016-05-22 (with its time when it has
    one), a time as 14:30, a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        clock = value.time()
        return value.date().isoformat() + (f" {clock:%H:%M}" if clock != time(0) else "")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def csv_grids(data: bytes) -> list[Grid]:
    """A CSV file as one grid. Excel's "CSV UTF-8" starts with a byte-order mark, which is dropped; its
    plain "CSV" is Windows-1252, read as such when the text is not UTF-8. Fields are separated by commas,
    semicolons or tabs, whichever the start of the file has most of."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    start = text[:4096]
    delimiter = max(",;\t", key=start.count)  # a separator comes in every row; prose's commas do not
    rows = [
        (number, [Cell(value) for value in record])
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)
    ]
    return [Grid(rows)]
