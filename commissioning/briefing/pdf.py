"""The briefing as a PDF (reportlab's platypus), portrait A4: the title, the version and what it means,
then each section's groups, a chart (with its text alternative beneath) and the figures as a table, how
the figures are counted, and, in the internal version, the cases counted. Laid out as every PDF the
service prints is (``commissioning.pdf_layout``)."""

import io
from collections.abc import Mapping

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Spacer, Table

from commissioning.briefing import charts, tables
from commissioning.briefing.report import Briefing, Shown
from commissioning.pdf_layout import (
    BOLD,
    FONT,
    Pages,
    markup,
    notice_style,
    png_size,
    register_fonts,
    ruled_table,
)

PAGES = Pages(A4, 2 * cm, head_rise=0.5 * cm, foot_drop=0.9 * cm)
USABLE = PAGES.usable
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
        "notice": notice_style(body),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
    }


def briefing_pdf(briefing: Briefing) -> bytes:
    """The PDF of the briefing."""
    register_fonts()
    return PAGES.build(
        _story(briefing, _styles(), charts.charts(briefing, dpi=150)),
        head=f"{briefing.title()} · {'publishable' if briefing.publishable else 'internal'} version",
        title=briefing.title(),
        subject=briefing.subtitle(),
        author=briefing.scope,
    )


def _story(
    briefing: Briefing, styles: dict[str, ParagraphStyle], drawn: Mapping[str, bytes]
) -> list[Flowable]:
    count = f"{briefing.cases} {'case' if briefing.cases == 1 else 'cases'}"
    story: list[Flowable] = [
        Paragraph(markup(briefing.title()), styles["title"]),
        Paragraph(markup(f"{briefing.subtitle()}: {count}."), styles["body"]),
        Paragraph(markup(briefing.version()), styles["notice"]),
    ]
    for section, parts in briefing.sections():
        story.append(Paragraph(markup(section), styles["section"]))
        for part in parts:
            story += _group(part, styles, drawn.get(part.group.id))
    story.append(Paragraph("How the figures are counted", styles["section"]))
    story += [Paragraph(markup(line), styles["small"], bulletText="•") for line in tables.METHOD]
    if briefing.references:
        story.append(Paragraph("Cases counted", styles["section"]))
        story.append(Paragraph(markup(", ".join(briefing.references)), styles["small"]))
    return story


def _group(part: Shown, styles: dict[str, ParagraphStyle], png: bytes | None) -> list[Flowable]:
    heading = Paragraph(markup(part.group.title), styles["group"])
    out: list[Flowable] = []
    if png is not None:
        width, height = png_size(png)
        scale = USABLE / width
        out.append(KeepTogether([heading, Image(io.BytesIO(png), width=USABLE, height=height * scale)]))
        out.append(Paragraph(markup(tables.text_alternative(part)), styles["small"]))
    else:
        out.append(heading)
    out.append(_table(part, styles["cell"]))
    out += [Paragraph(markup(line), styles["small"]) for line in tables.late_words(part)]
    out.append(Spacer(1, 6))
    return out


def _table(part: Shown, style: ParagraphStyle) -> Table:
    heading = ParagraphStyle("heading-cell", parent=style, fontName=BOLD)
    data = [[Paragraph(markup(h), heading) for h in tables.HEADINGS]]
    data += [[Paragraph(markup(cell), style) for cell in tables.row(f)] for f in part.figures]
    return ruled_table(data, [USABLE * w for w in WIDTHS])
