"""The composite as a Word document (python-docx), for the review's papers.

Landscape A4: the title with the case reference and period, which view it is (and on every page's
header), the timeline chart with its text alternative and figures, the gaps, clusters and final weeks,
then the composite as one table whose heading row repeats on every page, a gap printed as a shaded band
across it where it falls. The table's rows are written as Word's XML directly (python-docx's own row and
cell objects take seconds over thousands of rows); the document, styles, picture and headings are
python-docx's.
"""

import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from commissioning.chronology import charts, timeline
from commissioning.chronology.composite import Composite, CompositeRow
from commissioning.chronology.documents import (
    Rendering,
    describe_gap,
    in_order,
    marks,
    sections,
    table_cells,
    table_layout,
)

PAGE_WIDTH_CM, MARGIN_CM = 29.7, 1.5
USABLE_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM
CHART_HEIGHT_CM = 15.5  # at most, so the chart and its heading share a page
TWIPS_PER_CM = 567
HEADING_SHADE, GAP_SHADE = "DDE7F0", "D9D9D9"
PERSONAL_RED = RGBColor(0x9C, 0x2A, 0x00)


def composite_docx(composite: Composite, rendering: Rendering) -> bytes:
    """The Word document of the composite, in the rendering's view."""
    document = Document()
    document.styles["Normal"].font.size = Pt(9)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    section.header.paragraphs[0].text = rendering.running_head()
    _page_number(section.footer.paragraphs[0])

    document.add_heading(rendering.title(), level=0)
    notice = document.add_paragraph().add_run(rendering.notice())
    notice.bold = True
    if rendering.view == "personal":
        notice.font.color.rgb = PERSONAL_RED
    for line in rendering.facts(composite):
        document.add_paragraph(line).paragraph_format.space_after = Pt(0)

    found = timeline.figures(composite, rendering)
    document.add_heading("Timeline", level=1)
    png = charts.timeline_png(composite, rendering, dpi=150)
    document.add_picture(io.BytesIO(png), **_fit(png))
    picture = document.inline_shapes[-1]._inline.docPr
    picture.set("title", f"Timeline of {rendering.reference}")
    picture.set("descr", found.summary)
    document.add_paragraph(found.summary)
    document.add_paragraph("Events by agency and month, as the chart shows them:")
    _simple_table(document, [[str(value) for value in line] for line in found.table()], font=6.5)

    for heading, points in sections(composite):
        document.add_heading(heading, level=1)
        for point in points:
            document.add_paragraph(point, style="List Bullet" if len(points) > 1 else None)

    document.add_heading("The chronology", level=1)
    if not composite.rows:
        document.add_paragraph("No agency's chronology has been accepted yet.")
    else:
        _chronology(document, composite, rendering)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fit(png: bytes) -> dict[str, Cm]:
    """The picture as wide as the page allows, and no taller than ``CHART_HEIGHT_CM``."""
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the PNG's IHDR
    if USABLE_CM * height / width <= CHART_HEIGHT_CM:
        return {"width": Cm(USABLE_CM)}
    return {"height": Cm(CHART_HEIGHT_CM)}


def _chronology(document: WordDocument, composite: Composite, rendering: Rendering) -> None:
    layout = table_layout(rendering)
    total = sum(weight for *_, weight in layout)
    widths = [round(USABLE_CM * weight / total * TWIPS_PER_CM) for *_, weight in layout]
    table = _table(document, [heading for heading, *_ in layout], widths)
    found = marks(composite)
    body = table._tbl
    for item in in_order(composite):
        if isinstance(item, tuple):
            body.append(_band(describe_gap(item[1], item[0]), sum(widths), len(widths)))
        else:
            text = table_cells(item, rendering, found, composite)
            body.append(_row([text[key] for _, key, _ in layout], widths, item))


def _table(document: WordDocument, headings: Sequence[str], widths: Sequence[int]) -> Table:
    """A fixed-width grid table with a bold, shaded heading row that repeats on every page."""
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(width))
    heading = table.rows[0]
    for cell, text, width in zip(heading.cells, headings, widths, strict=True):
        cell.width = width * 635  # EMU per twip
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        _shade(cell._tc.get_or_add_tcPr(), HEADING_SHADE)
    properties = heading._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
    return table


def _simple_table(document: WordDocument, rows: Sequence[Sequence[str]], *, font: float) -> None:
    """A small table of figures: the heading row bold and repeated, the last column and row totals."""
    widths = [round(USABLE_CM * TWIPS_PER_CM / (len(rows[0]) + 2))] * len(rows[0])
    widths[0] = round(USABLE_CM * TWIPS_PER_CM) - sum(widths[1:])
    table = _table(document, rows[0], widths)
    for cell in table.rows[0].cells:
        cell.paragraphs[0].runs[0].font.size = Pt(font)
    for line in rows[1:]:
        table._tbl.append(_row(line, widths, None, size=font))


def _row(
    texts: Sequence[str], widths: Sequence[int], row: CompositeRow | None, size: float = 0
) -> BaseOxmlElement:
    """One table row as Word's XML: a cell per text, a line break for each line in it; an uncertain
    date in italics."""
    tr = OxmlElement("w:tr")
    for index, (text, width) in enumerate(zip(texts, widths, strict=True)):
        tc, _ = _cell(tr, width)
        italic = index == 1 and row is not None and row.entry.when.uncertain
        tc.append(_paragraph(text, italic=italic, size=size))
    return tr


def _band(text: str, width: int, columns: int) -> BaseOxmlElement:
    """A gap: one shaded cell across the whole table, in bold."""
    tr = OxmlElement("w:tr")
    tc, properties = _cell(tr, width)
    span = OxmlElement("w:gridSpan")
    span.set(qn("w:val"), str(columns))
    properties.append(span)
    _shade(properties, GAP_SHADE)
    tc.append(_paragraph(text, bold=True))
    return tr


def _cell(tr: BaseOxmlElement, width: int) -> tuple[BaseOxmlElement, BaseOxmlElement]:
    """A cell of ``width`` twips added to ``tr``, and its properties."""
    tc = OxmlElement("w:tc")
    properties = OxmlElement("w:tcPr")
    size = OxmlElement("w:tcW")
    size.set(qn("w:w"), str(width))
    size.set(qn("w:type"), "dxa")
    properties.append(size)
    tc.append(properties)
    tr.append(tc)
    return tc, properties


def _paragraph(text: str, *, italic: bool = False, bold: bool = False, size: float = 0) -> BaseOxmlElement:
    paragraph = OxmlElement("w:p")
    run = OxmlElement("w:r")
    if italic or bold or size:
        properties = OxmlElement("w:rPr")
        for wanted, tag in ((bold, "w:b"), (italic, "w:i")):
            if wanted:
                properties.append(OxmlElement(tag))
        if size:
            half_points = OxmlElement("w:sz")
            half_points.set(qn("w:val"), str(round(size * 2)))
            properties.append(half_points)
        run.append(properties)
    for number, line in enumerate(text.split("\n")):
        if number:
            run.append(OxmlElement("w:br"))
        words = OxmlElement("w:t")
        words.set(qn("xml:space"), "preserve")
        words.text = line
        run.append(words)
    paragraph.append(run)
    return paragraph


def _shade(properties: BaseOxmlElement, colour: str) -> None:
    shade = OxmlElement("w:shd")
    shade.set(qn("w:val"), "clear")
    shade.set(qn("w:color"), "auto")
    shade.set(qn("w:fill"), colour)
    properties.append(shade)


def _page_number(paragraph: Paragraph) -> None:
    """ "Page N" in a footer, N being Word's own page field."""
    paragraph.add_run("Page ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    number = OxmlElement("w:t")
    number.text = "1"
    run.append(number)
    field.append(run)
    paragraph._p.append(field)
