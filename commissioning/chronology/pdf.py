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

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Image, LongTable, Paragraph, Spacer, TableStyle

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
from commissioning.pdf_layout import (
    BOLD,
    FONT,
    HEADING_SHADE,
    ITALIC,
    RULED,
    Pages,
    markup,
    notice_style,
    png_size,
    register_fonts,
)

PAGES = Pages(landscape(A4), 1.5 * cm, head_rise=0.2 * cm, foot_drop=0.7 * cm, top_extra=0.3 * cm)
USABLE = PAGES.usable
CHART_HEIGHT = 14 * cm  # at most, so the chart and its heading share a page
GAP_SHADE = colors.HexColor("#D9D9D9")
PERSONAL_RED = colors.HexColor("#9C2A00")
SHORT = {"number", "date", "time"}  # one line each: plain strings, which need no wrapping


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5, spaceAfter=3)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=18, leading=22, spaceAfter=8),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=BOLD, fontSize=12.5, leading=15, spaceBefore=10, spaceAfter=5
        ),
        "body": body,
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2),
        "notice": notice_style(body),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9, spaceAfter=0),
        "small": ParagraphStyle("small", parent=body, fontSize=6, leading=7, spaceAfter=0),
    }


def composite_pdf(composite: Composite, rendering: Rendering) -> bytes:
    """The PDF of the composite, in the rendering's view."""
    register_fonts()
    story = _story(composite, rendering, _styles())
    return PAGES.build(
        story,
        head=rendering.running_head(),
        title=rendering.title(),
        subject=rendering.view_name,
        author=rendering.partnership,
    )


def _story(composite: Composite, rendering: Rendering, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    notice = styles["notice"]
    if rendering.view == "personal":
        notice = ParagraphStyle("personal", parent=notice, textColor=PERSONAL_RED, borderColor=PERSONAL_RED)
    story: list[Flowable] = [
        Paragraph(markup(rendering.title()), styles["title"]),
        Paragraph(markup(rendering.notice()), notice),
        *(Paragraph(markup(line), styles["body"]) for line in rendering.facts(composite)),
    ]
    found = timeline.figures(composite, rendering)
    png = charts.timeline_png(composite, rendering, dpi=150)
    width, height = png_size(png)
    scale = min(USABLE / width, CHART_HEIGHT / height)
    story += [
        Paragraph("Timeline", styles["heading"]),
        Image(io.BytesIO(png), width=width * scale, height=height * scale),
        Spacer(1, 4),
        Paragraph(markup(found.summary), styles["body"]),
        Paragraph("Events by agency and month, as the chart shows them:", styles["body"]),
        _figures([[str(value) for value in line] for line in found.table()], styles["small"]),
    ]
    for heading, points in sections(composite):
        story.append(Paragraph(heading, styles["heading"]))
        story += [
            Paragraph(markup(point), styles["bullet"], bulletText="•")
            if len(points) > 1
            else Paragraph(markup(point), styles["body"])
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
    data: list[list[object]] = [[Paragraph(markup(name), heading) for name, *_ in layout]]
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, style.fontSize, style.leading),
        *RULED,
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
                "event": Paragraph(markup(describe_gap(gap, number)), band),
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
    return Paragraph(markup(value), style) if value else ""


def _figures(rows: Sequence[Sequence[str]], style: ParagraphStyle) -> LongTable:
    """The counts per agency and month: the heading row repeated, the agency column wider."""
    other = USABLE / (len(rows[0]) + 2)
    widths = [USABLE - other * (len(rows[0]) - 1)] + [other] * (len(rows[0]) - 1)
    data = [[Paragraph(markup(value), style) for value in line] for line in rows]
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
