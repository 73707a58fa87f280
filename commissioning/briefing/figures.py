"""What a figure is: a count of cases out of a stated denominator, and the relations between counts that
the small-number rules must respect.

A figure group (``profile``, ``timeliness``, ``recommendations``) is a pure function from the cases'
facts to a ``Counted``: its figures, every count it knows (the figures' own, the denominators', and
counts it does not show, such as the families who are not an ethnic minority), and the sums that tie
them together. The sums are what let a reader work out a count that is not shown (a total less the other
parts, a denominator less the count), so ``suppression`` reads them to decide what else to hide.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from commissioning.briefing.facts import CaseFacts

HIDDEN = "~"  # the prefix of a count no figure shows (the complement of a figure, a remainder)
DENOMINATOR = "n:"  # the prefix of a denominator's count, shown beside every figure over it


@dataclass(frozen=True)
class Reference:
    """A figure to compare with (e.g. national), as its source printed it."""

    percent: float
    area: str  # "England", "London"
    source: str
    year: int

    def to_json(self) -> dict[str, Any]:
        return {"percent": self.percent, "area": self.area, "source": self.source, "year": self.year}


@dataclass(frozen=True)
class Figure:
    """``count`` of ``denominator`` cases, with its share in percent. ``count`` and ``percent`` are None
    where small numbers are suppressed; ``denominator`` is None when it is itself a suppressed count.

    A ``statistic`` (a median) is a value worked out from its denominator's cases, not a count of them:
    it has no share, and ties no count to another. ``late`` lists, by reference, the cases a timeliness
    figure found late (the internal version only); ``series`` and ``year`` place a figure on a chart
    over time."""

    group: str
    key: str  # stable and readable: "age.under_1_year"
    label: str
    count: float | None
    denominator: int | None
    percent: float | None = None
    denominator_key: str = ""  # the count the denominator is: a denominator ("n:age") or another figure
    reference: Reference | None = None
    suppressed: bool = False
    statistic: bool = False
    late: tuple[str, ...] = ()
    series: str = ""
    year: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "key": self.key,
            "label": self.label,
            "count": self.count,
            "denominator": self.denominator,
            "percent": self.percent,
            "reference": self.reference.to_json() if self.reference else None,
        }


def percent(count: int, denominator: int) -> float | None:
    """The share in percent to one decimal place; None when there is nothing to share."""
    return round(100 * count / denominator, 1) if denominator else None


def figure(group: str, key: str, label: str, count: int, denominator: int, denominator_key: str) -> Figure:
    return Figure(group, key, label, count, denominator, percent(count, denominator), denominator_key)


def statistic(group: str, key: str, label: str, value: float | None, denominator: int, over: str) -> Figure:
    """A value worked out from ``denominator`` cases (None when there are none), shown as a whole number
    when it is one."""
    shown = int(value) if value is not None and float(value).is_integer() else value
    return Figure(group, key, label, shown, denominator, None, over, statistic=True)


@dataclass(frozen=True)
class Sum:
    """``total`` is the sum of ``parts``: each a count's key (a figure's, a denominator's or a hidden one)."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Counted:
    """What a figure group found: its figures, in the order they are shown, every count it knows by key,
    and the sums between them."""

    figures: tuple[Figure, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    sums: tuple[Sum, ...] = ()

    def __add__(self, other: "Counted") -> "Counted":
        return Counted(self.figures + other.figures, {**self.counts, **other.counts}, self.sums + other.sums)

    def with_references(self, references: Mapping[str, Reference]) -> "Counted":
        return replace(self, figures=tuple(replace(f, reference=references.get(f.key)) for f in self.figures))


@dataclass(frozen=True)
class Share:
    """A share to count: the figure's key and label, and which cases it counts."""

    key: str
    label: str
    test: Callable[[CaseFacts], bool]


def shares(
    group: str,
    cases: Sequence[CaseFacts],
    wanted: Iterable[Share],
    *,
    over: str,
    exclusive: bool = False,
    complete: bool = False,
) -> Counted:
    """Figures counting the cases each ``Share`` picks, out of ``cases`` (denominator key ``over``).

    Each figure's complement (the cases it does not pick) is a hidden count, so a count close to the
    denominator is protected as a small one is; ``exclusive`` says the shares are parts of one whole
    (with the cases none picks as a hidden remainder, unless they are ``complete`` and every case falls
    in one: the age bands, the census groups), which ties them together too."""
    n = len(cases)
    figures, counts, sums = [], {over: n}, []
    for share in wanted:
        count = sum(1 for case in cases if share.test(case))
        figures.append(figure(group, share.key, share.label, count, n, over))
        counts[share.key] = count
        if not exclusive:
            counts[HIDDEN + share.key] = n - count
            sums.append(Sum(over, (share.key, HIDDEN + share.key)))
    if exclusive:
        rest = () if complete else (HIDDEN + group + ".other",)
        counts |= {key: n - sum(counts[f.key] for f in figures) for key in rest}
        sums.append(Sum(over, (*(f.key for f in figures), *rest)))
    return Counted(tuple(figures), counts, tuple(sums))


BARS, YEARS = "bars", "years"  # the charts: a bar per figure, or a line per series across the years


@dataclass(frozen=True)
class FigureGroup:
    """A group of figures as the briefing shows it: under ``section``'s heading, titled, counted by a
    pure function of the cases in scope, and drawn as the ``chart`` it names (none when empty)."""

    id: str
    title: str
    section: str
    count: Callable[[Sequence[CaseFacts]], Counted]
    chart: str = ""
