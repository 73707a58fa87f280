"""The briefing's charts (matplotlib, drawn off screen with Agg): a horizontal bar chart for a figure
group that asks for bars, each bar the share of cases, labelled with its count and share, and the
reference figure beside it as a diamond; a suppressed figure has no bar, only the words "fewer than 5".
For a group over time, a line per series (a timeliness measure) of its share year by year, each series
with its own marker and named in the legend; a suppressed year leaves a gap in its line.
The colours are Okabe and Ito's; the diamond, the markers and the words say what the colour says."""

import io
import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as Canvas
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from commissioning.briefing.figures import BARS, YEARS
from commissioning.briefing.report import FEWER, Briefing, Shown
from commissioning.briefing.tables import share_words

BLUE, VERMILLION = "#0072B2", "#D55E00"
SERIES = (("#0072B2", "o"), ("#D55E00", "s"), ("#009E73", "^"), ("#CC79A7", "D"))  # colour and marker
WIDTH_IN, BAR_IN = 8.0, 0.42
LABEL_CHARACTERS = 48


def chart_png(part: Shown, *, dpi: int = 110) -> bytes:
    """The group's bar chart as a PNG."""
    figures = part.figures
    height = 1.1 + BAR_IN * len(figures)
    canvas = Canvas(figsize=(WIDTH_IN, height))
    FigureCanvasAgg(canvas)
    axes = canvas.add_axes((0.42, 0.7 / height, 0.54, 1 - 1.1 / height))
    rows = range(len(figures) - 1, -1, -1)  # the first figure at the top
    shares = [f.percent or 0 for f in figures]
    axes.barh(list(rows), shares, color=BLUE, height=0.6)
    for y, f in zip(rows, figures, strict=True):
        words = FEWER if f.count is None else f"{f.count} ({share_words(f)})"
        axes.text((f.percent or 0) + 1, y, words, va="center", fontsize=8)
        if f.reference is not None:
            axes.plot(f.reference.percent, y, marker="D", color=VERMILLION, markersize=6, ls="none")
    labels = [textwrap.shorten(f.label, LABEL_CHARACTERS, placeholder="…") for f in figures]
    axes.set_yticks(list(rows), labels, fontsize=8)
    axes.set_xlim(0, 115)
    axes.set_xticks(range(0, 101, 20), [f"{x}%" for x in range(0, 101, 20)], fontsize=8)
    axes.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    canvas.text(0.02, 1 - 0.3 / height, part.group.title, fontsize=11, weight="bold", va="center")
    handles = [Patch(color=BLUE, label="Share of cases")]
    if any(f.reference for f in figures):
        handles.append(Line2D([], [], marker="D", color=VERMILLION, ls="none", label="Reference figure"))
    canvas.legend(handles=handles, loc="lower right", ncol=2, frameon=False, fontsize=8)
    out = io.BytesIO()
    canvas.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def years_png(part: Shown, *, dpi: int = 110) -> bytes:
    """The group's line chart over the years as a PNG."""
    canvas = Canvas(figsize=(WIDTH_IN, 3.6))
    FigureCanvasAgg(canvas)
    axes = canvas.add_axes((0.08, 0.14, 0.62, 0.72))
    years = sorted({f.year for f in part.figures if f.year is not None})
    series = list(dict.fromkeys(f.series for f in part.figures))
    for name, (colour, marker) in zip(series, SERIES, strict=False):
        points = {f.year: f.percent for f in part.figures if f.series == name}
        shares = [points.get(year) for year in years]
        axes.plot(
            years,
            [float("nan") if share is None else share for share in shares],
            color=colour,
            marker=marker,
            label=name,
        )
    axes.set_xticks(years, [str(year) for year in years], fontsize=8)
    axes.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    axes.set_ylim(0, 105)
    axes.set_yticks(range(0, 101, 20), [f"{y}%" for y in range(0, 101, 20)], fontsize=8)
    axes.set_ylabel("Share on time", fontsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    canvas.text(0.02, 0.94, part.group.title, fontsize=11, weight="bold", va="center")
    axes.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False, fontsize=8)
    out = io.BytesIO()
    canvas.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


DRAW = {BARS: chart_png, YEARS: years_png}


def charts(briefing: Briefing, *, dpi: int = 110) -> dict[str, bytes]:
    """Every chart of the briefing with figures to draw, by figure group id."""
    return {
        part.group.id: DRAW[part.group.chart](part, dpi=dpi)
        for part in briefing.shown
        if part.group.chart and part.figures
    }
