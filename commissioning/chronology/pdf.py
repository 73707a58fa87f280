"""The composite as a PDF (reportlab's platypus), to print, file and send as it stands.

The same content as the Word document, laid out the same way: landscape A4, the title, the view on the
first page and in every page's header, the chart with its text alternative and figures, the gaps,
clusters and final weeks, then the composite as a table whose heading row repeats on every page, with
each gap a shaded band across it.

Why platypus and not HTML through WeasyPrint (which the terms of reference use): a 2,000-row composite
is a table of some 18,000 cells across about a hundred pages, and WeasyPrint's CSS layout took 12.8 s on
this machine, over the 10 s allowed. Platypus lays out a table with fixed column widths row by row, in
a few seconds. The text is set in DejaVu Sans, which matplotlib ships, so names written in any European
alphabet print as written rather than as blanks.
"""

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate

from commissioning.chronology import charts, timeline
from commissioning.chronology.composite import Composite
from commissioning.chronology.documents import (
    Rendering,
    describe_gap,
    in_order,
    marks,
    sections,
    table_cells,
    table_layout,
)

PAGE = landscape(A4)
MARGIN = 1.5 * cm
USABLE = PAGE[0] - 2 * MARGIN
CHART_HEIGHT = 14 * cm  # at most, so the chart and its heading share a page
FONT, BOLD, ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"
HEADING_SHADE, GAP_SHADE = colors.HexColor("#DDE7F0"), colors.HexColor("#D9D9D9")
PERSONAL_RED = colors.HexColor("#9C2A00")
SHORT = {"number", "date", "time"}  # one line each: plain strings, which need no wrapping


@cache
def register_fonts() -> None:
    """DejaVu Sans, as shipped with matplotlib, registered once with reportlab."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name in (FONT, BOLD, ITALIC):
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5, spaceAfter=3)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=18, leading=22, spaceAfter=8),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=BOLD, fontSize=12.5, leading=15, spaceBefore=10, spaceAfter=5
        ),
        "body": body,
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2),
        "notice": ParagraphStyle(
            "notice",
            parent=body,
            fontName=BOLD,
            borderWidth=0.8,
            borderColor=colors.black,
            borderPadding=5,
            spaceBefore=4,
            spaceAfter=10,
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9, spaceAfter=0),
        "small": ParagraphStyle("small", parent=body, fontSize=6, leading=7, spaceAfter=0),
    }


def composite_pdf(composite: Composite, rendering: Rendering) -> bytes:
    """The PDF of the composite, in the rendering's view."""
    register_fonts()
    styles = _styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 0.3 * cm,
        bottomMargin=MARGIN,
        title=rendering.title(),
        subject=rendering.view_name,
        author=rendering.partnership,
        creator="",
    )
    head = rendering.running_head()

    def on_page(canvas: Canvas, page: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, PAGE[1] - MARGIN + 0.2 * cm, head)
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN - 0.7 * cm, f"Page {page.page}")
        canvas.restoreState()

    story = _story(composite, rendering, styles)
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


def _text(value: str) -> str:
    """Text as a platypus paragraph takes it: markup escaped, its line breaks kept."""
    return escape(value).replace("\n", "<br/>")


def _story(composite: Composite, rendering: Rendering, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    notice = styles["notice"]
    if rendering.view == "personal":
        notice = ParagraphStyle("personal", parent=notice, textColor=PERSONAL_RED, borderColor=PERSONAL_RED)
    story: list[Flowable] = [
        Paragraph(_text(rendering.title()), styles["title"]),
        Paragraph(_text(rendering.notice()), notice),
        *(Paragraph(_text(line), styles["body"]) for line in rendering.facts(composite)),
    ]
    found = timeline.figures(composite, rendering)
    png = charts.timeline_png(composite, rendering, dpi=150)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the PNG's IHDR
    scale = min(USABLE / width, CHART_HEIGHT / height)
    story += [
        Paragraph("Timeline", styles["heading"]),
        Image(io.BytesIO(png), width=width * scale, height=height * scale),
        Spacer(1, 4),
        Paragraph(_text(found.summary), styles["body"]),
        Paragraph("Events by agency and month, as the chart shows them:", styles["body"]),
        _figures([[str(value) for value in line] for line in found.table()], styles["small"]),
    ]
    for heading, points in sections(composite):
        story.append(Paragraph(heading, styles["heading"]))
        story += [
            Paragraph(_text(point), styles["bullet"], bulletText="•")
            if len(points) > 1
            else Paragraph(_text(point), styles["body"])
            for point in points
        ]
    story.append(Paragraph("The chronology", styles["heading"]))
    if composite.rows:
        story.append(_chronology(composite, rendering, styles["cell"]))
    else:
        story.append(Paragraph("No agency's chronology has been accepted yet.", styles["body"]))
    return story


def _chronology(composite: Composite, rendering: Rendering, style: ParagraphStyle) -> LongTable:
    layout = table_layout(rendering)
    total = sum(weight for *_, weight in layout)
    widths = [USABLE * weight / total for *_, weight in layout]
    heading = ParagraphStyle("heading-cell", parent=style, fontName=BOLD)
    data: list[list[object]] = [[Paragraph(_text(name), heading) for name, *_ in layout]]
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, style.fontSize, style.leading),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), HEADING_SHADE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    found = marks(composite)
    band = ParagraphStyle("band", parent=style, fontName=BOLD)
    for item in in_order(composite):
        at = len(data)
        if isinstance(item, tuple):  # not one spanning cell: reportlab then redoes every split's spans
            number, gap = item
            when = f"{gap.start:%d/%m/%Y} to {gap.end:%d/%m/%Y}"
            band_cells = {
                "date": Paragraph(when, band),
                "event": Paragraph(_text(describe_gap(gap, number)), band),
            }
            data.append([band_cells.get(key, "") for _, key, _ in layout])
            commands.append(("BACKGROUND", (0, at), (-1, at), GAP_SHADE))
            continue
        text = table_cells(item, rendering, found, composite)
        data.append([text[key] if key in SHORT else _cell(text[key], style) for _, key, _ in layout])
        if item.entry.when.uncertain:
            commands.append(("FONT", (1, at), (1, at), ITALIC, style.fontSize, style.leading))
    return LongTable(data, colWidths=widths, repeatRows=1, style=TableStyle(commands))


def _cell(value: str, style: ParagraphStyle) -> Paragraph | str:
    """A wrapped paragraph, or the empty string for an empty cell (nothing to lay out)."""
    return Paragraph(_text(value), style) if value else ""


def _figures(rows: Sequence[Sequence[str]], style: ParagraphStyle) -> LongTable:
    """The counts per agency and month: the heading row repeated, the agency column wider."""
    other = USABLE / (len(rows[0]) + 2)
    widths = [USABLE - other * (len(rows[0]) - 1)] + [other] * (len(rows[0]) - 1)
    data = [[Paragraph(_text(value), style) for value in line] for line in rows]
    return LongTable(
        data,
        colWidths=widths,
        repeatRows=1,
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), HEADING_SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )
