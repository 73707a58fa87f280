"""The briefing as a PDF (reportlab's platypus), portrait A4: the title, the version and what it means,
then each section's groups, a chart (with its text alternative beneath) and the figures as a table, how
the figures are counted, and, in the internal version, the cases counted. Set in DejaVu Sans, as the
chronology's PDF is (``commissioning.chronology.pdf``), registered once."""

import io
from collections.abc import Mapping
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate

from commissioning.briefing import charts, tables
from commissioning.briefing.report import Briefing, Shown
from commissioning.chronology.pdf import BOLD, FONT, register_fonts

MARGIN = 2 * cm
USABLE = A4[0] - 2 * MARGIN
HEADING_SHADE = colors.HexColor("#DDE7F0")
WIDTHS = (0.36, 0.14, 0.09, 0.09, 0.32)  # of the usable width: figure, cases, out of, share, compared with


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=4)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=18, leading=22, spaceAfter=6),
        "section": ParagraphStyle(
            "section", parent=body, fontName=BOLD, fontSize=14, leading=17, spaceBefore=10
        ),
        "group": ParagraphStyle("group", parent=body, fontName=BOLD, fontSize=11, leading=14, spaceBefore=6),
        "body": body,
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
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
    }


def _text(value: str) -> str:
    return escape(value)


def briefing_pdf(briefing: Briefing) -> bytes:
    """The PDF of the briefing."""
    register_fonts()
    styles = _styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=briefing.title(),
        subject=briefing.subtitle(),
        author=briefing.scope,
        creator="",
    )
    head = f"{briefing.title()} · {'publishable' if briefing.publishable else 'internal'} version"

    def on_page(canvas: Canvas, page: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, A4[1] - MARGIN + 0.5 * cm, head)
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 0.9 * cm, f"Page {page.page}")
        canvas.restoreState()

    document.build(
        _story(briefing, styles, charts.charts(briefing, dpi=150)), onFirstPage=on_page, onLaterPages=on_page
    )
    return out.getvalue()


def _story(
    briefing: Briefing, styles: dict[str, ParagraphStyle], drawn: Mapping[str, bytes]
) -> list[Flowable]:
    count = f"{briefing.cases} {'case' if briefing.cases == 1 else 'cases'}"
    story: list[Flowable] = [
        Paragraph(_text(briefing.title()), styles["title"]),
        Paragraph(_text(f"{briefing.subtitle()}: {count}."), styles["body"]),
        Paragraph(_text(briefing.version()), styles["notice"]),
    ]
    for section, parts in briefing.sections():
        story.append(Paragraph(_text(section), styles["section"]))
        for part in parts:
            story += _group(part, styles, drawn.get(part.group.id))
    story.append(Paragraph("How the figures are counted", styles["section"]))
    story += [Paragraph(_text(line), styles["small"], bulletText="•") for line in tables.METHOD]
    if briefing.references:
        story.append(Paragraph("Cases counted", styles["section"]))
        story.append(Paragraph(_text(", ".join(briefing.references)), styles["small"]))
    return story


def _group(part: Shown, styles: dict[str, ParagraphStyle], png: bytes | None) -> list[Flowable]:
    heading = Paragraph(_text(part.group.title), styles["group"])
    out: list[Flowable] = []
    if png is not None:
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the IHDR
        scale = USABLE / width
        out.append(KeepTogether([heading, Image(io.BytesIO(png), width=USABLE, height=height * scale)]))
        out.append(Paragraph(_text(tables.text_alternative(part)), styles["small"]))
    else:
        out.append(heading)
    out.append(_table(part, styles["cell"]))
    out += [Paragraph(_text(line), styles["small"]) for line in tables.late_words(part)]
    out.append(Spacer(1, 6))
    return out


def _table(part: Shown, style: ParagraphStyle) -> Table:
    heading = ParagraphStyle("heading-cell", parent=style, fontName=BOLD)
    data = [[Paragraph(_text(h), heading) for h in tables.HEADINGS]]
    data += [[Paragraph(_text(cell), style) for cell in tables.row(f)] for f in part.figures]
    return Table(
        data,
        colWidths=[USABLE * w for w in WIDTHS],
        repeatRows=1,
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), HEADING_SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        ),
    )
