"""What every PDF the service prints shares (reportlab's platypus), so the briefing, the composite and the
request letter look like one family: DejaVu Sans, which matplotlib ships, so names written in any European
alphabet print as written rather than as blanks; the boxed notice of which version a document is; tables
ruled grey with a shaded heading row that repeats on every page; and pages with a running head and a page
number."""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate

FONT, BOLD, ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"
HEADING_SHADE = colors.HexColor("#DDE7F0")
# A table's cells aligned to the top, ruled grey, its heading row shaded.
RULED: tuple[tuple[object, ...], ...] = (
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
    ("BACKGROUND", (0, 0), (-1, 0), HEADING_SHADE),
)


@cache
def register_fonts() -> None:
    """DejaVu Sans, as shipped with matplotlib, registered once with reportlab (before any paragraph is
    made: bold markup is resolved through the font family)."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name in (FONT, BOLD, ITALIC):
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


def markup(value: str) -> str:
    """Text as a platypus paragraph takes it: markup escaped, its line breaks kept."""
    return escape(value).replace("\n", "<br/>")


def notice_style(body: ParagraphStyle) -> ParagraphStyle:
    """The boxed, bold notice under a document's title that says which version or view it is."""
    return ParagraphStyle(
        "notice",
        parent=body,
        fontName=BOLD,
        borderWidth=0.8,
        borderColor=colors.black,
        borderPadding=5,
        spaceBefore=4,
        spaceAfter=10,
    )


def ruled_table(data: Sequence[Sequence[object]], widths: Sequence[float]) -> Table:
    """A table ``RULED``, its heading row repeated on every page it runs over."""
    return Table(data, colWidths=list(widths), repeatRows=1, style=TableStyle(list(RULED)))


def png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels, as its IHDR chunk gives them."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@dataclass(frozen=True)
class Pages:
    """A document's pages: their size and margin, and where the running head and page number sit (the
    head ``head_rise`` above the top margin, the number ``foot_drop`` below the bottom one)."""

    size: tuple[float, float]
    margin: float
    head_rise: float
    foot_drop: float
    top_extra: float = 0.0  # added to the top margin, to keep the body clear of the running head

    @property
    def usable(self) -> float:
        """The width between the margins."""
        return self.size[0] - 2 * self.margin

    def build(self, story: list[Flowable], *, head: str, title: str, subject: str, author: str) -> bytes:
        """The PDF of ``story``, ``head`` at the top of every page and its number at the foot."""
        width, height = self.size
        out = io.BytesIO()
        document = SimpleDocTemplate(
            out,
            pagesize=self.size,
            leftMargin=self.margin,
            rightMargin=self.margin,
            topMargin=self.margin + self.top_extra,
            bottomMargin=self.margin,
            title=title,
            subject=subject,
            author=author,
            creator="",
        )

        def on_page(canvas: Canvas, page: BaseDocTemplate) -> None:
            canvas.saveState()
            canvas.setFont(FONT, 8)
            canvas.drawString(self.margin, height - self.margin + self.head_rise, head)
            canvas.drawRightString(width - self.margin, self.margin - self.foot_drop, f"Page {page.page}")
            canvas.restoreState()

        document.build(story, onFirstPage=on_page, onLaterPages=on_page)
        return out.getvalue()
