"""Chronology files read the way a person reads them: the templates filled in and read back, a Word table
edited by hand, worksheets and CSV files as agencies save them, and files that cannot be read."""

import io
from datetime import date, datetime, time

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table
from openpyxl import Workbook, load_workbook

from commissioning.chronology import tables
from commissioning.chronology.columns import STANDARD, added_column, match, with_added
from commissioning.chronology.dates import Period
from commissioning.chronology.files import cell_text, read_file
from commissioning.chronology.tables import Cell, Grid, column_label, read
from commissioning.chronology.templates import instructions, template_docx, template_xlsx
from core.errors import Invalid

REVIEW = Period(date(2015, 1, 1), date(2016, 12, 31))
HEADERS = [column.header for column in STANDARD]
FILLED = [
    ["22/05/2016", "14:30", "1", "GP notes", "Home visit; mother seen", "Health visitor", "First contact"],
    ["?June 2016", "", "", "Case file", "Telephone call to mother", "Social worker", ""],
]


def values(sheet: tables.Sheet) -> list[tuple[int, dict[str, str]]]:
    return [(row.number, {k: v for k, v in row.values.items() if v}) for row in sheet.rows]


def saved(document: object) -> bytes:
    out = io.BytesIO()
    document.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


# Templates ------------------------------------------------------------------------------------------


def test_the_word_template_is_one_table_with_the_standard_columns_and_a_note() -> None:
    document = Document(io.BytesIO(template_docx(period=REVIEW)))
    assert len(document.tables) == 1
    table = document.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == HEADERS
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # the headings repeat on each page
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "The period under review is 1 January 2015 to 31 December 2016." in text
    assert "Source of information: The record the entry comes from" in text


def test_the_excel_template_has_the_same_columns_and_its_note_on_a_sheet_of_its_own() -> None:
    book = load_workbook(io.BytesIO(template_xlsx()))
    assert book.sheetnames == ["Chronology", "How to fill this in"]
    assert [cell.value for cell in book["Chronology"][1]] == HEADERS
    assert book["Chronology"].freeze_panes == "A2"
    assert book["Chronology"]["A2"].number_format == "@"  # a date stays as typed, never a US date
    note = [row[0].value for row in book["How to fill this in"].iter_rows()]
    assert note[0] == "Agency chronology"
    assert any("Event: What happened" in line for line in note)


def test_a_partnerships_added_columns_are_in_both_templates_and_its_note() -> None:
    columns = with_added([added_column("Ethnicity recorded", required=True, help="As the record gives it.")])
    document = Document(io.BytesIO(template_docx(columns)))
    assert document.tables[0].rows[0].cells[-1].text == "Ethnicity recorded"
    assert [c.value for c in load_workbook(io.BytesIO(template_xlsx(columns)))["Chronology"][1]][-1] == (
        "Ethnicity recorded"
    )
    assert "Ethnicity recorded: As the record gives it. Every row needs this." in instructions(columns)
    assert "Shoe size: as your agency records it." in instructions(with_added([added_column("Shoe size")]))


def test_the_word_template_filled_in_reads_back_row_by_row() -> None:
    document = Document(io.BytesIO(template_docx()))
    table = document.tables[0]
    for row, line in zip(table.rows[1:], FILLED, strict=False):
        for cell, text in zip(row.cells, line, strict=True):
            cell.text = text
    sheet = read_file("Northtown Health.docx", saved(document))
    assert sheet.problems == ()
    assert values(sheet) == [
        (
            2,
            dict(
                zip(
                    ["date", "time", "sequence", "source", "event", "role", "comment"], FILLED[0], strict=True
                )
            ),
        ),
        (
            3,
            {
                "date": "?June 2016",
                "source": "Case file",
                "event": "Telephone call to mother",
                "role": "Social worker",
            },
        ),
    ]
    assert sheet.rows[0].place == "Row 2"
    assert sheet.rows[0].headers["source"] == "Source of information"


def test_the_excel_template_filled_in_reads_back_with_spreadsheet_row_numbers() -> None:
    book = load_workbook(io.BytesIO(template_xlsx()))
    sheet = book["Chronology"]
    for column, text in enumerate(FILLED[0], 1):
        sheet.cell(row=2, column=column, value=text)
    sheet["A4"], sheet["B4"], sheet["C4"] = datetime(2016, 6, 3), time(9, 5), 2.0
    sheet["D4"], sheet["E4"] = "School log", "Child A absent"
    read_back = read_file("agency.xlsx", saved(book))
    assert read_back.problems == ()
    assert [(row.number, row.place) for row in read_back.rows] == [(2, "Row 2"), (4, "Row 4")]
    assert read_back.rows[1].values["date"] == "2016-06-03"
    assert (read_back.rows[1].values["time"], read_back.rows[1].values["sequence"]) == ("09:05", "2")


# A Word table edited by hand ------------------------------------------------------------------------


def hand_edited() -> bytes:
    """A table as agencies send them back: columns reordered and reworded, a date merged down beside two
    events, a blank row, the headings typed again at the top of the next page, a heading row merged
    across the table, an event merged across the role and comment cells, and a row that starts a cell
    late."""
    headings = ["Date of event", "Source", "Details of event", "Time", "Role", "Comments", "Seq"]
    document = Document()
    document.add_paragraph("Chronology: Northtown Health")
    table = document.add_table(rows=9, cols=len(headings))
    fill(table, 0, headings)
    fill(table, 1, ["", "GP notes", "Home visit, mother seen", "10:00", "Health visitor", "", "1"])
    fill(table, 2, ["", "GP notes", "Telephone call to mother", "15:00", "Health visitor", "", "2"])
    table.cell(1, 0).merge(table.cell(2, 0)).text = "22/05/2016"
    fill(table, 4, headings)  # row 4 stays blank; row 5 is the headings again
    table.cell(5, 0).merge(table.cell(5, 6)).text = "June 2016"
    fill(table, 6, ["03/06/2016", "Case file", "", "", "", "", ""])
    table.cell(6, 2).merge(table.cell(6, 5)).text = "Strategy meeting"
    fill(table, 7, ["04/06/2016", "Case file", "Visit to school", "", "Social worker", "", ""])
    late = table.rows[7]._tr  # the row starts a cell late: Word's gridBefore, its first cell deleted
    late.remove(late.tc_lst[0])
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "1")
    late.get_or_add_trPr().append(before)
    return saved(document)


def fill(table: Table, row: int, texts: list[str]) -> None:
    for cell, text in zip(table.rows[row].cells, texts, strict=True):
        cell.text = text


def test_a_hand_edited_word_table_is_read_as_a_person_reads_it() -> None:
    sheet = read_file("edited.docx", hand_edited())
    assert values(sheet) == [
        (2, {"date": "22/05/2016", "source": "GP notes", "event": "Home visit, mother seen", "time": "10:00",
             "role": "Health visitor", "sequence": "1"}),
        (3, {"date": "22/05/2016", "source": "GP notes", "event": "Telephone call to mother", "time": "15:00",
             "role": "Health visitor", "sequence": "2"}),
        (7, {"date": "03/06/2016", "source": "Case file", "event": "Strategy meeting"}),
        (8, {"source": "Case file", "event": "Visit to school", "role": "Social worker"}),
    ]  # fmt: skip
    assert [problem.msg for problem in sheet.problems] == [
        "Row 6: 'June 2016' spans the whole table, so it was read as a heading, not an event."
    ]
    assert sheet.headers["event"] == "Details of event"
    assert sheet.rows[0].headers["sequence"] == "Seq"


def test_a_chronology_split_over_word_tables_is_read_whole_and_a_cover_table_is_passed_over() -> None:
    document = Document()
    cover = document.add_table(rows=2, cols=2)
    fill(cover, 0, ["Agency", "Northtown Health"])
    fill(cover, 1, ["Author", "Safeguarding lead"])
    first = document.add_table(rows=2, cols=3)
    fill(first, 0, ["Date", "Source of information", "Event"])
    fill(first, 1, ["22/05/2016", "GP notes", "Home visit"])
    document.add_paragraph("")
    second = document.add_table(rows=1, cols=3)  # the rest of the table, split off without its headings
    fill(second, 0, ["23/05/2016", "GP notes", "Call"])
    narrow = document.add_table(rows=1, cols=2)  # a sign-off box: not the chronology
    fill(narrow, 0, ["Signed", "A. Lead"])
    sheet = read_file("split.docx", saved(document))
    assert [(row.place, row.values["event"]) for row in sheet.rows] == [
        ("Table 2, row 2", "Home visit"),
        ("Table 3, row 1", "Call"),
    ]


# Worksheets and CSV -----------------------------------------------------------------------------------


def test_a_worksheet_with_a_title_merged_cells_and_a_heading_row_is_read_as_a_person_reads_it() -> None:
    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes["A1"] = "Written by the safeguarding lead"
    sheet = book.create_sheet("Chronology")
    book.active = sheet
    sheet["A1"] = "Chronology for Northtown Health"
    sheet.append([])
    sheet.append(["Event", "Date", "Source of information"])
    sheet.append(["Home visit", date(2016, 5, 22), "GP notes"])
    sheet.append(["Call", None, "GP notes"])
    sheet.merge_cells("B4:B5")  # one date beside two events
    sheet.append(["Section two"])
    sheet.merge_cells("A6:C6")
    sheet.append(["Case conference", datetime(2016, 6, 3, 14, 30), "Minutes"])
    sheet.merge_cells("C7:C8")  # one source for two rows, and a blank row below
    sheet.append([None, None, None])
    read_back = read_file("agency.xlsx", saved(book))
    assert values(read_back) == [
        (4, {"event": "Home visit", "date": "2016-05-22", "source": "GP notes"}),
        (5, {"event": "Call", "date": "2016-05-22", "source": "GP notes"}),
        (7, {"event": "Case conference", "date": "2016-06-03 14:30", "source": "Minutes"}),
    ]
    assert [problem.row for problem in read_back.problems] == [6]


def test_a_worksheet_merge_across_and_down_belongs_to_its_first_column_in_each_row() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Source", "Event", "Comment"])
    sheet.append(["22/05/2016", "GP notes", "Home visit", None])
    sheet.append(["23/05/2016", None, None, "Follow-up"])
    sheet.merge_cells("B2:C3")
    assert values(read_file("a.xlsx", saved(book))) == [
        (2, {"date": "22/05/2016", "source": "GP notes"}),
        (3, {"date": "23/05/2016", "source": "GP notes", "comment": "Follow-up"}),
    ]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"Date,Source,Event\r\n22/05/2016,GP notes,Home visit\r\n", "plain UTF-8"),
        ("\ufeffDate,Source,Event\r\n22/05/2016,GP notes,Home visit\r\n".encode(), "Excel's CSV UTF-8"),
        (b"Date;Source;Event\n22/05/2016;GP notes;Home visit\n", "semicolons"),
        (b"Date\tSource\tEvent\n22/05/2016\tGP notes\tHome visit\n", "tabs"),
    ],
)
def test_a_csv_file_is_read_however_a_spreadsheet_saved_it(data: bytes, name: str) -> None:
    assert values(read_file("agency.CSV", data)) == [
        (2, {"date": "22/05/2016", "source": "GP notes", "event": "Home visit"})
    ], name


def test_a_windows_csv_keeps_its_pound_signs_and_curly_quotes() -> None:
    data = "Date,Source,Event\n22/05/2016,GP notes,\u201cMum\u201d paid \u00a320\n".encode("cp1252")
    assert read_file("agency.csv", data).rows[0].values["event"] == "\u201cMum\u201d paid \u00a320"


def test_csv_rows_are_numbered_as_a_spreadsheet_numbers_them() -> None:
    data = b'Date,Source,Event\n22/05/2016,GP notes,"Home visit,\nmother seen"\n\n23/05/2016,GP notes,Call\n'
    assert [row.number for row in read_file("agency.csv", data).rows] == [2, 4]


def test_the_cell_values_a_spreadsheet_holds_become_the_text_the_checks_read() -> None:
    assert cell_text(None) == ""
    assert cell_text(datetime(2016, 5, 22)) == "2016-05-22"
    assert cell_text(datetime(2016, 5, 22, 9, 5)) == "2016-05-22 09:05"
    assert cell_text(date(2016, 5, 22)) == "2016-05-22"
    assert cell_text(time(14, 30)) == "14:30"
    assert cell_text(3.0) == "3"
    assert cell_text(2.5) == "2.5"
    assert cell_text(7) == "7"


# Files that cannot be read, and headings that will not do ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("chronology.pdf", b"%PDF", "'chronology.pdf' is not a chronology file: send a Word (.docx), Excel"),
        ("chronology", b"", "'chronology' is not a chronology file"),
        ("chronology.docx", b"not a zip", "could not be opened as a Word document: save it in Word"),
        ("chronology.xlsx", b"not a zip", "could not be opened as an Excel workbook: save it in Excel"),
        ("chronology.xlsx", None, "could not be opened as an Excel workbook"),
    ],
)
def test_a_file_that_cannot_be_opened_is_one_problem_saying_so(
    name: str, data: bytes | None, message: str
) -> None:
    sheet = read_file(name, data if data is not None else template_docx())
    assert len(sheet.problems) == 1
    assert sheet.problems[0].row is None and sheet.problems[0].severity == "error"
    assert message in sheet.problems[0].msg


def test_a_csv_that_cannot_be_opened_says_to_save_it_as_csv_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes) -> list[Grid]:
        raise ValueError("nothing a person should read")

    monkeypatch.setattr("commissioning.chronology.files.csv_grids", broken)
    (problem,) = read_file("a.csv", b"").problems
    assert problem.msg == "'a.csv' could not be opened as a CSV file: save it as CSV UTF-8 and send it again."


def test_a_file_with_no_heading_row_says_which_headings_it_needs() -> None:
    (problem,) = read_file("a.csv", b"22/05/2016,GP notes,Home visit\n").problems
    assert problem.msg == (
        "No table in the file has a row of column headings: the chronology needs Date, Source of "
        "information, Event."
    )


def test_every_problem_with_the_headings_is_listed_with_its_row_and_heading() -> None:
    data = b"Date,Event,Description,Mystery,,Time,\n22/05/2016,Visit,Visit,x,stray,10:00,\n,,,,,,\n"
    sheet = read_file("a.csv", data)
    assert [(p.row, p.column, p.severity, p.msg) for p in sheet.problems] == [
        (1, "Source of information", "error",
         "Row 1: there is no 'Source of information' column; add it, headed 'Source of information'. "
         "The record the entry comes from, for example GP notes, case file or call log. "
         "Every row needs one."),
        (1, "Event", "error",
         "Row 1: the columns 'Event' and 'Description' both read as 'Event'; rename or remove one."),
        (1, "Mystery", "warning",
         "Row 1: the column 'Mystery' is not one of the chronology's columns and was not read."),
        (2, None, "error",
         "Row 2: column E has text but no heading, so it was not read; give the column a heading or move the "
         "text into the right column."),
    ]  # fmt: skip


def test_a_word_table_names_an_unheaded_column_by_its_number() -> None:
    document = Document()
    table = document.add_table(rows=2, cols=4)
    fill(table, 0, ["Date", "Source", "Event", ""])
    fill(table, 1, ["22/05/2016", "GP notes", "Visit", "stray"])
    (problem,) = read_file("a.docx", saved(document)).problems
    assert "Row 2: column 4 has text but no heading" in problem.msg


def test_a_file_longer_than_any_chronology_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 2)
    (problem,) = read_file("a.csv", b"Date,Source,Event\n1/1/16,a,b\n2/1/16,a,b\n3/1/16,a,b\n").problems
    assert problem.msg == "The file has more than 2 rows; send one agency's chronology per file."


def test_a_heading_close_to_a_columns_wording_is_read_as_that_column() -> None:
    data = (
        b"Dates,Sourse of information,Evnt,Practitioner (optional),Significance / comments\n1/1/16,a,b,c,d\n"
    )
    sheet = read_file("a.csv", data)
    assert sheet.problems == ()
    assert values(sheet) == [
        (2, {"date": "1/1/16", "source": "a", "event": "b", "role": "c", "comment": "d"})
    ]


def test_grids_in_odd_shapes_are_still_read() -> None:
    ragged = Grid([(1, [Cell("Date"), Cell("Source"), Cell("Event")]), (2, [Cell("1/1/16"), Cell("a")])])
    assert read([ragged]).rows[0].values == {"date": "1/1/16", "source": "a"}
    longer_below = Grid(
        [
            (1, [Cell("Date"), Cell("Source"), Cell("Event")]),
            (2, [Cell("1/1/16"), Cell("a")]),
            (3, [Cell("2/1/16"), Cell("b"), Cell(merged_from_above=True)]),  # nothing above it to copy
        ]
    )
    assert read([longer_below]).rows[1].values == {"date": "2/1/16", "source": "b", "event": ""}
    assert read([Grid([])]).rows == ()
    assert column_label(0, True) == "column A" and column_label(27, True) == "column AB"
    assert column_label(2, False) == "column 3"


def test_a_partnerships_column_is_read_by_its_heading_and_may_not_pass_for_another() -> None:
    ethnicity = added_column("Ethnicity recorded")
    assert ethnicity.key == "ethnicity_recorded"
    sheet = read_file(
        "a.csv", b"Date,Source,Event,Ethnicity recorded\n1/1/16,a,b,c\n", with_added([ethnicity])
    )
    assert sheet.rows[0].values["ethnicity_recorded"] == "c"
    with pytest.raises(Invalid, match="A column needs a heading with letters or numbers in it"):
        added_column(" * ")
    with pytest.raises(Invalid, match="The column 'Comments' would be read as the 'Significance or comment'"):
        with_added([added_column("Comments")])
    assert match("  ", STANDARD) is None
    assert match("Favourite colour", STANDARD) is None
