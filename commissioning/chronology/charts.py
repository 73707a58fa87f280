"""The timeline chart of the composite (matplotlib, drawn off screen with Agg), as PNG and SVG.

One lane per agency, in the order the agencies were asked, each labelled with the agency's name. An event
known to the day is a solid tick; a doubted day is a hollow circle; a span known to the day (22 to 24 May)
is a solid bar and a vague one ("May 2016", a doubted range) a hollow dashed bar, so an uncertain date
never looks certain. Gaps with no contact are shaded grey across every lane, clusters hatched, the
incident a line, and the final weeks before it shaded and drawn again, enlarged, in a panel on the right.

The colours are Okabe and Ito's, which stay apart for the common kinds of colour blindness, and nothing
is told by colour alone (shading, hatching and shape say it too). The SVG keeps its words as text, with
the text alternative as its description, so a screen reader and a search can read them. Each event is
drawn once per lane and day, in one call per kind of mark, so 10,000 rows draw in well under a second.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DateFormatter, DayLocator, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from commissioning.chronology.composite import Composite
from commissioning.chronology.documents import Rendering, count
from commissioning.chronology.timeline import extent, figures

BLUE, VERMILLION, ORANGE, PURPLE = "#0072B2", "#D55E00", "#E69F00", "#CC79A7"  # Okabe-Ito
GAP_GREY, LANE_GREY = "#BBBBBB", "#F2F2F2"
WIDTH_IN, LANE_IN, PANEL_IN = 12.0, 0.36, 2.3  # figure width, height of a lane, final weeks panel width
BOTTOM_IN = 1.0  # below the lanes: the dates and the key
BAR_HEIGHT = 0.34  # of a lane
LABEL_CHARACTERS = 40  # a longer agency name is shortened on its lane (the legend of lanes is the table)
SVG_SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "chronology"}  # words as text; the same bytes


@dataclass(frozen=True)
class _Marks:
    """Where each kind of mark goes, as arrays of x (matplotlib date numbers) and y (lane)."""

    ticks: tuple[np.ndarray, np.ndarray]
    doubted: tuple[np.ndarray, np.ndarray]
    spans: tuple[np.ndarray, np.ndarray, np.ndarray]  # y, left, width
    vague: tuple[np.ndarray, np.ndarray, np.ndarray]


def timeline_png(composite: Composite, rendering: Rendering, *, dpi: int = 110) -> bytes:
    """The chart as a PNG, for the pages and the documents."""
    out = io.BytesIO()
    figure = _draw(composite, rendering)
    figure.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def timeline_svg(composite: Composite, rendering: Rendering) -> bytes:
    """The chart as an SVG whose labels are text, titled and described by its text alternative."""
    out = io.BytesIO()
    with rc_context(SVG_SETTINGS):
        figure = _draw(composite, rendering)
        figure.savefig(out, format="svg", metadata={"Date": None, "Title": rendering.title()})
    svg = out.getvalue().decode()
    start = svg.index("<svg")
    end = svg.index(">", start)
    opening = svg[start:end].replace(
        "<svg", '<svg role="img" aria-labelledby="chart-title chart-description"', 1
    )
    described = (
        f'\n <title id="chart-title">{escape(rendering.title())}</title>'
        f'\n <desc id="chart-description">{escape(figures(composite, rendering).summary)}</desc>'
    )
    return (svg[:start] + opening + ">" + described + svg[end + 1 :]).encode()


def _draw(composite: Composite, rendering: Rendering) -> Figure:
    lanes = rendering.lanes(composite)
    first, last = extent(composite, rendering)
    marks = _marks(composite, lanes)
    final = composite.incident is not None and composite.settings.final_weeks > 0
    height = 1.0 + LANE_IN * max(len(lanes), 1) + BOTTOM_IN
    left = 0.35 + 0.068 * max((len(_label(name)) for name in lanes), default=10)
    right = PANEL_IN + 0.45 if final else 0.3
    figure = Figure(figsize=(WIDTH_IN, height))
    FigureCanvasAgg(figure)
    bottom, top = BOTTOM_IN / height, 1 - 0.75 / height
    main = figure.add_axes((left / WIDTH_IN, bottom, (WIDTH_IN - left - right) / WIDTH_IN, top - bottom))
    pad = max((last - first).days // 100, 1)
    _lanes(main, composite, lanes, marks, first - timedelta(days=pad), last + timedelta(days=pad + 1))
    main.set_yticks(range(len(lanes)), [_label(name) for name in reversed(lanes)], fontsize=9)
    title = f"{rendering.reference}: events by agency, {count(len(composite.rows), 'event')}"
    figure.text(left / WIDTH_IN, 1 - 0.3 / height, title, fontsize=12, weight="bold", va="center")
    if final:
        assert composite.incident is not None
        start = composite.incident - timedelta(weeks=composite.settings.final_weeks)
        panel = figure.add_axes(
            ((WIDTH_IN - PANEL_IN - 0.15) / WIDTH_IN, bottom, PANEL_IN / WIDTH_IN, top - bottom),
            sharey=main,
        )
        _lanes(
            panel, composite, lanes, marks, start - timedelta(days=1), composite.incident + timedelta(days=3)
        )
        panel.tick_params(labelleft=False)
        panel.xaxis.set_major_locator(DayLocator(interval=7))
        panel.xaxis.set_major_formatter(DateFormatter("%d %b"))
        panel.set_title(f"Final {count(composite.settings.final_weeks, 'week')}", fontsize=9)
    figure.legend(handles=_legend(composite), loc="lower center", ncol=4, frameon=False, fontsize=8)
    return figure


def _label(name: str) -> str:
    return name if len(name) <= LABEL_CHARACTERS else name[: LABEL_CHARACTERS - 1].rstrip() + "…"


def _x(days: Sequence[date]) -> np.ndarray:
    return date2num(np.array(days, dtype="datetime64[D]")) if days else np.empty(0)


def _marks(composite: Composite, lanes: list[str]) -> _Marks:
    """Each row's mark, drawn once per lane, day and kind however many rows share them."""
    lane_y = {agency: len(lanes) - 1 - i for i, agency in enumerate(lanes)}
    ticks: set[tuple[date, int]] = set()
    doubted: set[tuple[date, int]] = set()
    spans: set[tuple[date, date, int]] = set()
    vague: set[tuple[date, date, int]] = set()
    for row in composite.rows:
        when, y = row.entry.when, lane_y[row.agency]
        if when.start == when.end and when.precision == "day":
            (doubted if when.doubted else ticks).add((when.start, y))
        else:
            (vague if when.uncertain else spans).add((when.start, when.end, y))

    def points(found: set[tuple[date, int]]) -> tuple[np.ndarray, np.ndarray]:
        ordered = sorted(found)
        return _x([day for day, _ in ordered]), np.array([y for _, y in ordered], dtype=float)

    def bars(found: set[tuple[date, date, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ordered = sorted(found)
        left = _x([start for start, _, _ in ordered])
        width = np.array([(end - start).days + 1 for start, end, _ in ordered], dtype=float)
        return np.array([y for *_, y in ordered], dtype=float), left, width

    return _Marks(points(ticks), points(doubted), bars(spans), bars(vague))


def _lanes(ax: Axes, composite: Composite, lanes: list[str], marks: _Marks, first: date, last: date) -> None:
    """One axes of the chart, from ``first`` to ``last``: lanes, shading, marks and the incident."""
    low, high = date2num(np.datetime64(first, "D")), date2num(np.datetime64(last, "D"))
    ax.set_xlim(low, high)
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    for y in range(0, len(lanes), 2):
        ax.axhspan(y - 0.5, y + 0.5, color=LANE_GREY, lw=0, zorder=0)
    for gap in composite.gaps:
        start, end = _x([gap.start, gap.end + timedelta(days=1)])
        ax.axvspan(start, end, color=GAP_GREY, alpha=0.6, lw=0, zorder=0.5)
        if (end - start) / (high - low) > 0.04:
            ax.text(
                (start + end) / 2,
                len(lanes) - 0.45,
                f"{gap.days} days",
                ha="center",
                va="top",
                fontsize=7,
                color="#333333",
                clip_on=True,
            )
    for cluster in composite.clusters:
        start, end = _x([cluster.start, cluster.end + timedelta(days=1)])
        ax.axvspan(start, end, facecolor="none", edgecolor=ORANGE, hatch="////", lw=0.6, zorder=0.6)
    if composite.incident is not None:
        incident = date2num(np.datetime64(composite.incident, "D")) + 0.5
        if composite.settings.final_weeks:
            weeks = incident - 0.5 - 7 * composite.settings.final_weeks
            ax.axvspan(weeks, incident + 0.5, color=PURPLE, alpha=0.18, lw=0, zorder=0.4)
        ax.axvline(incident, color=VERMILLION, lw=2, zorder=3)
    x, y = marks.ticks
    inside = (x >= low) & (x <= high)
    ax.scatter(x[inside], y[inside], marker="|", s=90, linewidths=1.1, color=BLUE, zorder=2)
    x, y = marks.doubted
    inside = (x >= low) & (x <= high)
    ax.scatter(
        x[inside], y[inside], marker="o", s=22, facecolors="none", edgecolors=BLUE, linewidths=1, zorder=2
    )
    ax.add_collection(PolyCollection(_boxes(*marks.spans), facecolors=BLUE, linewidths=0, zorder=2))
    ax.add_collection(
        PolyCollection(
            _boxes(*marks.vague),
            facecolors="none",
            edgecolors=BLUE,
            linestyles="--",
            linewidths=0.9,
            zorder=2,
        )
    )
    locator = AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.tick_params(axis="x", labelsize=8)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _boxes(ys: np.ndarray, left: np.ndarray, width: np.ndarray) -> np.ndarray:
    """A bar per span as the corners of a rectangle, so all of them are one collection to draw."""
    low, high = ys - BAR_HEIGHT / 2, ys + BAR_HEIGHT / 2
    right = left + width
    return np.stack(
        [
            np.stack([left, low], 1),
            np.stack([left, high], 1),
            np.stack([right, high], 1),
            np.stack([right, low], 1),
        ],
        1,
    ).reshape(-1, 4, 2)


def _legend(composite: Composite) -> list[Line2D | Patch]:
    handles: list[Line2D | Patch] = [
        Line2D([], [], marker="|", ls="none", color=BLUE, markersize=10, label="Event on a known day"),
        Line2D([], [], marker="o", ls="none", markerfacecolor="none", color=BLUE, label="Day uncertain"),
        Patch(facecolor="none", edgecolor=BLUE, linestyle="--", label="Month, year or span uncertain"),
        Patch(color=GAP_GREY, alpha=0.6, label="Gap: no contact from any agency"),
        Patch(facecolor="none", edgecolor=ORANGE, hatch="////", label="Cluster of contacts"),
    ]
    if composite.incident is not None:
        handles.append(Line2D([], [], color=VERMILLION, lw=2, label="Incident"))
        if composite.settings.final_weeks:
            weeks = count(composite.settings.final_weeks, "week")
            handles.append(Patch(color=PURPLE, alpha=0.18, label=f"Final {weeks} before the incident"))
    return handles
