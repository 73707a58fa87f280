"""The composite's outputs, opened and read back as a reviewer would: the timeline chart (PNG, SVG), its
text alternative and figures, and the composite as a workbook, a Word document and a PDF, coded unless
the personal view is asked for."""

import io
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, datetime, time
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from PIL import Image

from commissioning.chronology.charts import timeline_png, timeline_svg
from commissioning.chronology.checks import Entry
from commissioning.chronology.columns import STANDARD, added_column
from commissioning.chronology.composite import AgencyChronology, Composite, Settings, merge
from commissioning.chronology.dates import Period, parse_date
from commissioning.chronology.documents import Rendering, numbers
from commissioning.chronology.glossary import glossary
from commissioning.chronology.pdf import composite_pdf
from commissioning.chronology.spreadsheet import composite_xlsx
from commissioning.chronology.timeline import figures
from commissioning.chronology.word import composite_docx
from core.errors import Invalid

REVIEW = Period(date(2016, 1, 1), date(2016, 12, 31))
INCIDENT = date(2016, 11, 20)
HEALTH, POLICE, SOCIAL_CARE, HOUSING = (
    "Northtown Health",
    "Northtown Police",
    "Northtown Children's Social Care",
    "Northtown Housing",
)
ASKED = (HEALTH, POLICE, SOCIAL_CARE, HOUSING)  # Housing has sent nothing yet
FAMILY = glossary([("Jane Smith", "Mother"), ("Tyler", "Child A"), ("Sarah Jones", "HV1")])
NAMES = ("Jane", "Smith", "Tyler", "Sarah", "Jones")  # none of them may show in the coded view


def entry(when: str, source: str, event: str, *, at: time | None = None, row: int = 2, **rest: str) -> Entry:
    return Entry(row, f"Row {row}", parse_date(when, REVIEW), at, None, source, event, **rest)  # type: ignore[arg-type]


def sample(**settings: int) -> Composite:
    """Ten rows from three agencies: a doubted day, a month, a range, one event two agencies report,
    a busy week before the incident, and quiet spells either side of it."""
    health = AgencyChronology(
        HEALTH,
        [
            entry("10/01/2016", "GP notes", "Jane Smith registered Tyler with the practice", role="GP"),
            entry(
                "?01/03/2016",
                "Health visitor notes",
                "Home visit by Sarah Jones; Jane Smith and Tyler seen",
                row=3,
                role="Health visitor",
            ),
            entry("20/04/2016 - 22/04/2016", "Hospital letter", "Admitted with a chest infection", row=4),
            entry(
                "May 2016",
                "Health visitor notes",
                "Developmental check missed",
                row=5,
                comment="Tyler not brought",
            ),
            entry("02/11/2016", "Health visitor notes", "Home visit, Tyler not seen", at=time(10), row=6),
        ],
    )
    police = AgencyChronology(
        POLICE,
        [
            entry("05/02/2016", "Police log", "Domestic incident at the home of Jane Smith"),
            entry(
                "03/11/2016",
                "Police log",
                "Strategy meeting held with police and social care",
                at=time(14),
                row=3,
            ),
            entry("04/11/2016", "Police log", "Welfare check, Tyler seen asleep", row=4),
        ],
    )
    social_care = AgencyChronology(
        SOCIAL_CARE,
        [
            entry("03/11/2016", "Case file", "Strategy meeting with police", at=time(14, 30)),
            entry("05/11/2016", "Case file", "Section 47 enquiry started", row=3),
        ],
    )
    chosen = Settings(**({"gap_days": 28, "cluster_size": 4, "cluster_days": 7} | settings))
    return merge([health, police, social_care], period=REVIEW, incident=INCIDENT, settings=chosen)


def rendering(view: str = "coded", **rest: object) -> Rendering:
    given: dict[str, object] = {
        "period": REVIEW,
        "partnership": "Northtown Safeguarding Children Partnership",
        "agencies": ASKED,
        "glossary": FAMILY,
        "view": view,
    }
    return Rendering("NSCP-2016-004", **(given | rest))  # type: ignore[arg-type]


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "chronology.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


# The timeline: its figures, text alternative and pictures


def test_the_text_alternative_says_what_the_chart_shows() -> None:
    assert figures(sample(), rendering()).summary == (
        "Timeline of 10 events from 4 agencies, 1 January 2016 to 31 December 2016, one lane per agency: "
        "Northtown Health (5 events); Northtown Police (3 events); Northtown Children's Social Care (2 "
        "events); Northtown Housing (no events yet). The incident on 20 November 2016 is marked with a "
        "line. 3 gaps with no contact from any agency are shaded grey; the longest is 193 days, 23 April "
        "2016 to 1 November 2016. 1 cluster of contacts is hatched; it is 4 contacts within 2 November "
        "2016 to 5 November 2016, from Northtown Children's Social Care, Northtown Health, Northtown "
        "Police. 5 events fall in the 4 weeks before the incident, shown enlarged on the right. 2 events "
        "with an uncertain date are drawn hollow."
    )


def test_the_figures_count_each_agencys_events_month_by_month() -> None:
    found = figures(sample(), rendering())
    table = found.table()
    assert table[0] == [
        "Agency",
        *(
            f"{m} 2016"
            for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
        ),
        "Total",
    ]
    assert table[1] == [HEALTH, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 5]
    assert table[2] == [POLICE, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 3]
    assert table[4] == [HOUSING, *[0] * 12, 0]
    assert table[-1] == ["All agencies", 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 5, 0, 10]
    shown = found.to_json()
    assert shown["rows"][2] == {"agency": SOCIAL_CARE, "counts": [0] * 10 + [2, 0], "total": 2}  # type: ignore[index]
    assert shown["totals"][10] == 5  # type: ignore[index]


def test_a_long_span_is_counted_year_by_year_and_quiet_phrases_stay_plain() -> None:
    long_review = Period(date(2012, 1, 1), date(2016, 12, 31))
    composite = merge([AgencyChronology(HEALTH, [entry("10/01/2016", "GP notes", "Registered")])])
    found = figures(composite, Rendering("NSCP-2016-004", long_review))
    assert found.columns == ("2012", "2013", "2014", "2015", "2016")
    assert found.table()[1] == [HEALTH, 0, 0, 0, 0, 1, 1]
    assert "There is no gap without contact." in found.summary
    assert "incident" not in found.summary and "uncertain" not in found.summary


def test_an_incident_with_nothing_in_the_weeks_before_it_is_said_so() -> None:
    composite = merge(
        [AgencyChronology(HEALTH, [entry("10/01/2016", "GP notes", "Registered")])],
        period=REVIEW,
        incident=INCIDENT,
    )
    assert "No event falls in the 4 weeks before the incident" in figures(composite, rendering()).summary


def test_there_is_no_timeline_without_a_period_or_a_row() -> None:
    with pytest.raises(Invalid) as refused:
        figures(merge([]), Rendering("NSCP-2016-004"))
    assert "needs the period under review or at least one accepted chronology" in refused.value.message


def test_the_png_opens_as_a_picture_sized_for_its_lanes() -> None:
    four = Image.open(io.BytesIO(timeline_png(sample(), rendering(), dpi=100)))
    two = Image.open(io.BytesIO(timeline_png(sample(), rendering(agencies=(HEALTH, POLICE)), dpi=100)))
    assert four.format == "PNG" and four.size[0] == 1200
    assert four.size[1] > two.size[1]  # a lane for Social care and one for Housing, still empty


def test_the_svg_has_one_lane_label_per_agency_and_describes_itself() -> None:
    svg = ET.fromstring(timeline_svg(sample(), rendering()))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    texts = ["".join(element.itertext()).strip() for element in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert {agency: texts.count(agency) for agency in ASKED} == dict.fromkeys(ASKED, 1)
    assert "Final 4 weeks" in texts and "Incident" in texts
    assert svg.get("role") == "img"
    assert svg.findtext("svg:title", namespaces=ns) == "Multi-agency chronology: NSCP-2016-004"
    assert svg.findtext("svg:desc", namespaces=ns) == figures(sample(), rendering()).summary
    assert not any(name in text for text in texts for name in NAMES)


def test_a_chart_of_nothing_yet_still_shows_every_agency_asked() -> None:
    svg = ET.fromstring(timeline_svg(merge([], period=REVIEW), rendering()))
    texts = ["".join(element.itertext()).strip() for element in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert all(agency in texts for agency in ASKED)


# What every document says


def test_a_rendering_is_coded_or_personal_and_names_its_case() -> None:
    with pytest.raises(Invalid, match="coded or the personal view"):
        rendering(view="everything")
    with pytest.raises(Invalid, match="case reference"):
        Rendering("  ")
    assert Rendering("NSCP-2016-004").notice().startswith("Coded view, but the case has no glossary yet")


def test_agencies_not_asked_follow_those_asked_in_the_order_a_person_reads() -> None:
    composite = merge(
        [AgencyChronology(f"Agency {n}", [entry("10/01/2016", "Notes", "Seen")]) for n in (10, 2)]
    )
    assert Rendering("R", agencies=["Agency 9"]).lanes(composite) == ["Agency 9", "Agency 2", "Agency 10"]


def test_row_numbers_are_written_as_runs() -> None:
    assert numbers([9, 3, 4, 5, 6, 12, 13]) == "3-6, 9, 12-13"
    assert numbers([]) == ""


# The workbook


def test_the_workbook_holds_the_coded_composite_with_every_mark_in_its_own_column() -> None:
    book = load_workbook(io.BytesIO(composite_xlsx(sample(), rendering())))
    assert book.sheetnames == ["Chronology (coded)", "Gaps and clusters", "Timeline"]
    sheet = book["Chronology (coded)"]
    assert sheet["A1"].value == "Multi-agency chronology: NSCP-2016-004"
    assert sheet["A2"].value.startswith("Coded view:")
    assert "Period under review: 1 January 2016 to 31 December 2016" in sheet["A3"].value
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    headings = rows[0]
    assert headings == (
        "No.", "Date", "Time", "Agency", "Source of information", "Event", "Practitioner role",
        "Significance or comment", "Date uncertain", "Same event as", "Cluster", "Gap", "Final weeks",
        "Earliest date", "In the agency's file",
    )  # fmt: skip
    by_number = {row[0]: dict(zip(headings, row, strict=True)) for row in rows[1:]}
    assert len(by_number) == 10
    visit = by_number[3]
    assert (visit["Date"], visit["Agency"], visit["Event"]) == (
        "?01/03/2016",
        HEALTH,
        "Home visit by HV1; Mother and Child A seen",
    )
    assert visit["Date uncertain"] == "Yes" and visit["Earliest date"] == datetime(2016, 3, 1)
    assert (
        by_number[5]["Date"] == "May 2016"
        and by_number[5]["Significance or comment"] == "Child A not brought"
    )
    assert by_number[4]["Gap"] == "After gap 1 (49 days with no contact)"
    assert by_number[4]["Date uncertain"] is None  # a range known to the day is certain
    assert (by_number[7]["Same event as"], by_number[8]["Same event as"]) == ("8", "7")
    assert by_number[7]["Cluster"] == "Cluster 1" and by_number[7]["Final weeks"] == "Yes"
    assert by_number[10]["Gap"] == "Before gap 3 (56 days with no contact)"
    assert by_number[10]["In the agency's file"] == "Row 3"
    assert sheet.freeze_panes == "C5" and sheet.auto_filter.ref == "A4:O14"
    assert sheet["B7"].font.i  # row 3's uncertain date in italics
    every_text = " ".join(
        str(value) for ws in book for row in ws.iter_rows(values_only=True) for value in row
    )
    assert not any(name in every_text for name in NAMES)


def test_the_workbook_lists_the_gaps_clusters_and_final_weeks() -> None:
    book = load_workbook(io.BytesIO(composite_xlsx(sample(), rendering())))
    rows = list(book["Gaps and clusters"].iter_rows(values_only=True))
    assert rows[0] == ("What", "From", "To", "Days", "Contacts", "Agencies", "Rows", "Description")
    assert [row[0] for row in rows[1:]] == ["Gap 1", "Gap 2", "Gap 3", "Cluster 1", "Final weeks"]
    assert rows[2][1:4] == (datetime(2016, 4, 23), datetime(2016, 11, 1), 193)
    assert rows[2][7] == (
        "Gap 2: no contact from any agency for 193 days, 23 April 2016 to 1 November 2016. The uncertain "
        "date of row 5 may fall in it."
    )
    assert rows[4][4:7] == (4, f"{SOCIAL_CARE}, {HEALTH}, {POLICE}", "6-7, 9-10")  # row 8 is row 7's event
    assert rows[5][4] == 5 and rows[5][6] == "6-10"
    timeline = book["Timeline"]
    assert timeline["A2"].value == figures(sample(), rendering()).summary
    assert [cell.value for cell in timeline[5]][:2] == [HEALTH, 1]
    assert len(timeline._images) == 1


def test_the_personal_view_is_named_as_such_and_shows_the_names() -> None:
    book = load_workbook(io.BytesIO(composite_xlsx(sample(), rendering("personal"))))
    sheet = book["Chronology (personal)"]
    assert sheet["A2"].value.startswith("Personal view:")
    assert sheet["F7"].value == "Home visit by Sarah Jones; Jane Smith and Tyler seen"


def test_text_that_looks_like_a_formula_stays_text() -> None:
    trap = '=HYPERLINK("http://example.invalid","Click")'
    composite = merge([AgencyChronology(HEALTH, [entry("10/01/2016", "GP notes", trap)])])
    sheet = load_workbook(io.BytesIO(composite_xlsx(composite, Rendering("R")))).active
    assert sheet is not None
    assert sheet["F5"].value == trap and sheet["F5"].data_type == "s"


def test_a_partnerships_own_column_is_shown_under_its_heading() -> None:
    ethnicity = added_column("Ethnicity recorded")
    composite = merge(
        [
            AgencyChronology(
                HEALTH, [entry("10/01/2016", "GP notes", "Seen", extra={"ethnicity_recorded": "Yes"})]
            )
        ]
    )
    shown = rendering(columns=(*STANDARD, ethnicity))
    sheet = load_workbook(io.BytesIO(composite_xlsx(composite, shown))).active
    assert sheet is not None
    assert (sheet["I4"].value, sheet["I5"].value) == ("Ethnicity recorded", "Yes")
    table = Document(io.BytesIO(composite_docx(composite, shown))).tables[-1]
    assert [cell.text for cell in table.rows[0].cells][-2:] == ["Ethnicity recorded", "Marks"]


# The Word document


def test_the_word_document_has_the_title_view_chart_and_the_coded_table() -> None:
    document = Document(io.BytesIO(composite_docx(sample(), rendering())))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert paragraphs[0] == "Multi-agency chronology: NSCP-2016-004"
    assert paragraphs[1].startswith("Coded view:")
    assert "Period under review: 1 January 2016 to 31 December 2016" in paragraphs
    assert (
        document.sections[0].header.paragraphs[0].text == "NSCP-2016-004: multi-agency chronology, coded view"
    )
    (picture,) = document.inline_shapes
    assert picture._inline.docPr.get("descr") == figures(sample(), rendering()).summary
    blob = document.part.related_parts[picture._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    assert Image.open(io.BytesIO(blob)).format == "PNG"
    for heading in ("Gaps in contact", "Clusters of contact", "The final weeks before the incident"):
        assert heading in paragraphs
    table = document.tables[-1]
    header = table.rows[0]
    assert [cell.text for cell in header.cells] == [
        "No.", "Date", "Time", "Agency", "Source of information", "Event", "Practitioner role",
        "Significance or comment", "Marks",
    ]  # fmt: skip
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert len(rows) == 13  # ten events and three gaps
    assert rows[2][:6] == ["3", "?01/03/2016", "", HEALTH, "Health visitor notes",
                           "Home visit by HV1; Mother and Child A seen"]  # fmt: skip
    assert rows[3][0].startswith("Gap 1: no contact from any agency for 49 days")
    assert rows[8][0] == "7" and rows[8][8] == "Same event as row 8; Cluster 1; Final 4 weeks"
    assert rows[-1][0].startswith("Gap 3: no contact from any agency for 56 days")
    every_text = " ".join([*paragraphs, *(cell for row in rows for cell in row)])
    assert not any(name in every_text for name in NAMES)


def test_the_personal_word_document_says_so_and_shows_the_names() -> None:
    document = Document(io.BytesIO(composite_docx(sample(), rendering("personal"))))
    assert document.paragraphs[1].text.startswith("Personal view:")
    assert document.tables[-1].rows[3].cells[5].text == "Home visit by Sarah Jones; Jane Smith and Tyler seen"


def test_an_empty_composite_still_makes_a_document() -> None:
    document = Document(io.BytesIO(composite_docx(merge([], period=REVIEW), rendering())))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "No agency's chronology has been accepted yet." in paragraphs
    assert "0 events from 0 agencies of the 4 asked" in paragraphs


# The PDF


def test_the_pdf_reads_as_the_coded_composite_with_its_chart(tmp_path: Path) -> None:
    data = composite_pdf(sample(), rendering())
    text = pdf_text(data, tmp_path)
    pages = text.split("\f")[:-1]
    assert "Multi-agency chronology: NSCP-2016-004" in pages[0]
    assert "Coded view:" in pages[0] and "Period under review: 1 January 2016 to 31 December 2016" in pages[0]
    assert all("NSCP-2016-004: multi-agency chronology, coded view" in page for page in pages)
    for agency in (HEALTH, POLICE, "Northtown Children's", "Northtown Housing"):
        assert agency in text
    for coded in ("HV1", "Mother", "Child A", "Gap 2: no contact from any agency", "Cluster 1"):
        assert coded in text
    assert not any(name in text for name in NAMES)
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "chronology.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]  # under its two heading lines, a line per picture (and its transparency)
    assert [line.split()[:3] for line in images if line.split()[2] == "image"] == [["1", "0", "image"]]


def test_the_personal_pdf_says_so_on_every_page_and_shows_the_names(tmp_path: Path) -> None:
    text = pdf_text(composite_pdf(sample(), rendering("personal")), tmp_path)
    pages = text.split("\f")[:-1]
    assert "Personal view:" in pages[0]
    assert all("multi-agency chronology, personal view" in page for page in pages)
    assert "Jane Smith" in text and "Sarah Jones" in text
