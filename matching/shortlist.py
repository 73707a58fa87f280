"""Rank the consultants who may review a case, and explain both the ranking and the exclusions.

Pure. Every candidate carries the parts of its score with the reason for each; every excluded
consultant carries the findings that exclude them. When nobody is eligible, ``summarise`` says
which rule excludes the most and what would widen the pool (OpenReview's habit of saying what to
relax when a match is infeasible).
"""

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from typing import NamedTuple

from matching.conflicts import RULES, Finding, checker
from matching.policy import IndependencePolicy, RankingPolicy
from matching.profiles import AgencyDirectory, CaseContext, ConsultantProfile
from registry.vocabulary import in_words

NEUTRAL_RATING = 2.5  # the middle of the 1-4 scale: ratings above it add points, below it take them away


@dataclass(frozen=True)
class ScorePart:
    component: str
    points: float
    why: str


@dataclass(frozen=True)
class Candidate:
    consultant: ConsultantProfile
    score: float
    breakdown: tuple[ScorePart, ...]
    warnings: tuple[Finding, ...]


@dataclass(frozen=True)
class Excluded:
    consultant: ConsultantProfile
    findings: tuple[Finding, ...]  # blocks first, then warnings

    @property
    def blocking_rules(self) -> frozenset[str]:
        return frozenset(finding.rule for finding in self.findings if finding.blocks)


@dataclass(frozen=True)
class Shortlist:
    candidates: tuple[Candidate, ...]  # best first, up to the limit asked for
    eligible: int  # how many consultants nothing blocks, listed or not
    excluded: tuple[Excluded, ...]


def _listed(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


def _themes(values: Iterable[str]) -> str:
    """Case themes (named as the specialisms that cover them) in words, in a stable order."""
    return ", ".join(in_words(value) for value in sorted(values))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class _Fit(NamedTuple):
    """The facts a consultant's score is made of, for one case."""

    themes: frozenset[str]  # case themes they cover
    languages: frozenset[str]  # needed languages they speak
    near: frozenset[str]  # the case's areas (its own and its agencies', folded) they cover
    in_area: bool  # the case's own area among them
    far: bool  # they list areas, and none of the case's
    free: int
    mean_rating: float | None
    rated_reviews: int
    recent: int  # commissions within the rotation window
    recent_same_area: int  # of those, by this case's area's partnership


class _Scorer:
    """Scores consultants against one case; the case's side is worked out once, not per consultant."""

    def __init__(
        self, case: CaseContext, ranking: RankingPolicy, today: date, agencies: AgencyDirectory | None
    ) -> None:
        self.case = case
        self.ranking = ranking
        self.needed = frozenset(language.casefold() for language in case.languages)
        self.area = case.area.casefold() if case.area else None
        directory = agencies or AgencyDirectory()
        named = [case.area, *(directory.area(directory.resolve(name)) for name in case.agencies)]
        self.areas: dict[str, str] = {}  # the case's own area and its agencies', folded -> as written
        for area in named:
            if area:
                self.areas.setdefault(area.casefold(), area)
        self.since = today - timedelta(days=ranking.rotation_days)
        self.area_keys = frozenset(self.areas)
        self.interpreter = bool(case.interpreter_needed and self.needed)
        # What ``points`` gives for no needed language spoken and no recent commission, as it computes it.
        self.no_languages = ranking.language_points * 0
        self.no_rotation = ranking.rotation_points * (0 - 0) + ranking.rotation_same_area_points * 0
        # round(x, 2) of a float is slow (it rounds in decimal, exactly) and a list shares a few hundred
        # sums and ratings among thousands of consultants: each is rounded once.
        self._rounded: dict[float, float] = {}
        self._qualities: dict[float, float] = {}
        # And the points for each distinct list of specialisms, and of areas, met.
        self._theme_points: dict[frozenset[str], float] = {}
        self._area_points: dict[frozenset[str], float] = {}

    def fit(self, consultant: ConsultantProfile) -> _Fit:
        # This runs for every consultant on the list: the profile's lists come case-folded already.
        languages = (
            self.needed & consultant.folded_languages
            if self.case.interpreter_needed and self.needed
            else frozenset()
        )
        recent = (
            [commission for commission in consultant.recent_commissions if commission.on > self.since]
            if consultant.recent_commissions
            else ()
        )
        same = (
            sum(1 for commission in recent if self.area and (commission.area or "").casefold() == self.area)
            if recent
            else 0
        )
        near = self.area_keys & consultant.folded_areas
        return _Fit(
            self.case.themes & consultant.specialisms,
            languages,
            near,
            self.area in near,
            bool(self.areas and consultant.areas and not near),
            max(consultant.capacity - consultant.active_commissions, 0),
            consultant.mean_rating,
            consultant.rated_reviews,
            len(recent),
            same,
        )

    def points(self, fit: _Fit) -> tuple[float, ...]:
        """Points for each component, in the order of ``COMPONENTS``."""
        ranking = self.ranking
        return (
            ranking.theme_points * len(fit.themes),
            ranking.language_points * len(fit.languages),
            ranking.area_points if fit.in_area else ranking.distance_points if fit.far else 0,
            ranking.free_place_points * fit.free,
            self._quality(fit.mean_rating),
            ranking.rotation_points * (fit.recent - fit.recent_same_area)
            + ranking.rotation_same_area_points * fit.recent_same_area,
        )

    def _quality(self, mean_rating: float | None) -> float:
        if mean_rating is None:
            return 0
        quality = self._qualities.get(mean_rating)
        if quality is None:
            quality = round(self.ranking.quality_points_per_grade * (mean_rating - NEUTRAL_RATING), 2)
            self._qualities[mean_rating] = quality
        return quality

    def _round(self, points: float) -> float:
        if type(points) is not float:  # an int rounds quickly, and must stay an int
            return round(points, 2)
        rounded = self._rounded.get(points)
        if rounded is None:
            rounded = self._rounded[points] = round(points, 2)
        return rounded

    def total(self, consultant: ConsultantProfile) -> float:
        """``round(sum(points(fit)), 2)``, as ``breakdown`` adds the parts up, without building the fit: this
        runs for every consultant checked. Each part is ``points``' expression over what ``fit`` would
        hold (a property test holds the two equal); recent commissions take the long way, being few."""
        if consultant.recent_commissions:
            return self._round(sum(self.points(self.fit(consultant))))
        ranking = self.ranking
        specialisms, areas = consultant.specialisms, consultant.folded_areas
        themes = self._theme_points.get(specialisms)
        if themes is None:
            themes = self._theme_points[specialisms] = ranking.theme_points * len(
                self.case.themes & specialisms
            )
        area = self._area_points.get(areas)
        if area is None:
            near = self.area_keys & areas
            area = self._area_points[areas] = (
                ranking.area_points
                if self.area in near
                else ranking.distance_points
                if self.areas and areas and not near
                else 0
            )
        mean = consultant.mean_rating
        quality = 0 if mean is None else self._qualities.get(mean)
        if quality is None:
            quality = self._quality(mean)
        points = sum(
            (
                themes,
                ranking.language_points * len(self.needed & consultant.folded_languages)
                if self.interpreter
                else self.no_languages,
                area,
                ranking.free_place_points * max(consultant.capacity - consultant.active_commissions, 0),
                quality,
                self.no_rotation,
            )
        )
        rounded = self._rounded.get(points) if type(points) is float else None
        return self._round(points) if rounded is None else rounded

    def breakdown(self, consultant: ConsultantProfile) -> tuple[ScorePart, ...]:
        fit = self.fit(consultant)
        return tuple(
            ScorePart(component, points, why)
            for component, points, why in zip(
                COMPONENTS, self.points(fit), self.whys(fit, consultant), strict=True
            )
        )

    def whys(self, fit: _Fit, consultant: ConsultantProfile) -> tuple[str, ...]:
        case = self.case
        if not case.themes:
            themes = "the case names no themes"
        elif fit.themes == case.themes:
            count = len(case.themes)
            every = {1: "the case's theme", 2: "both case themes"}.get(count, f"all {count} case themes")
            themes = f"covers {every}: {_themes(fit.themes)}"
        elif fit.themes:
            themes = f"covers {len(fit.themes)} of the {len(case.themes)} case themes: {_themes(fit.themes)}"
        else:
            themes = f"covers none of the case's themes ({_themes(case.themes)})"
        if not case.interpreter_needed:
            languages = "no interpreter needed"
        elif not self.needed:
            languages = "an interpreter is needed but the case names no language"
        elif fit.languages:
            languages = f"speaks {_listed(fit.languages)}, needed here"
        else:
            languages = f"speaks none of the languages needed ({_listed(self.needed)})"
        if not self.areas:
            area = "the case names no area"
        elif fit.in_area:
            area = f"works in {case.area}, the case's area"
        elif fit.near:
            area = f"works in {_listed(self.areas[key] for key in fit.near)}, where an agency in the case is"
        elif fit.far:
            area = f"covers none of the areas of the case and its agencies ({_listed(self.areas.values())})"
        else:
            area = "lists no areas they cover"
        capacity = f"{fit.free} of {consultant.capacity} places free"
        if fit.mean_rating is not None:
            count = _plural(fit.rated_reviews, "rated review")
            quality = f"average rating {fit.mean_rating:.1f} of 4 from {count}"
        else:
            quality = "no rated reviews yet"
        days = self.ranking.rotation_days
        if not fit.recent:
            rotation = f"no commissions in the last {days} days"
        else:
            rotation = f"{_plural(fit.recent, 'commission')} in the last {days} days"
            if fit.recent_same_area:
                rotation += f", {fit.recent_same_area} of them by this area's partnership"
        return themes, languages, area, capacity, quality, rotation


COMPONENTS = ("specialisms", "languages", "area", "capacity", "quality", "rotation")


def score(
    consultant: ConsultantProfile,
    case: CaseContext,
    ranking: RankingPolicy,
    today: date,
    agencies: AgencyDirectory | None = None,
) -> tuple[ScorePart, ...]:
    """The parts of a consultant's fit for a case, each with its reason; ``agencies`` knows the areas of
    the agencies in the case."""
    return _Scorer(case, ranking, today, agencies).breakdown(consultant)


def rank(
    consultants: Iterable[ConsultantProfile],
    case: CaseContext,
    *,
    policy: IndependencePolicy,
    ranking: RankingPolicy,
    today: date,
    agencies: AgencyDirectory | None = None,
    limit: int | None = None,
) -> Shortlist:
    """Check every consultant against the case; rank those nothing blocks, best fit first.

    Only the ``limit`` best candidates get a written breakdown: the rest are counted, not described.
    """
    check = checker(case, policy, today, agencies)
    scorer = _Scorer(case, ranking, today, agencies)
    total = scorer.total
    eligible = []
    excluded = []
    for consultant in consultants:
        findings = check(consultant)
        if findings and any(finding.blocks for finding in findings):
            excluded.append(Excluded(consultant, tuple(findings)))
            continue
        eligible.append(
            ((-total(consultant), len(findings), consultant.name, consultant.id), consultant, findings)
        )
    best = (
        sorted(eligible, key=itemgetter(0))
        if limit is None
        else heapq.nsmallest(limit, eligible, key=itemgetter(0))
    )
    candidates = tuple(
        Candidate(consultant, -key[0], scorer.breakdown(consultant), tuple(findings))
        for key, consultant, findings in best
    )
    excluded.sort(key=lambda e: (e.consultant.name, e.consultant.id))
    return Shortlist(candidates, len(eligible), tuple(excluded))


@dataclass(frozen=True)
class RuleCount:
    rule: str
    title: str
    excludes: int  # consultants this rule blocks
    only_rule: int  # consultants this rule alone blocks: relaxing it would make them eligible
    widen: str


@dataclass(frozen=True)
class PoolSummary:
    checked: int
    eligible: int
    rules: tuple[RuleCount, ...]  # the rule excluding the most consultants first
    message: str


def summarise(shortlist: Shortlist) -> PoolSummary:
    """Which rules exclude how many consultants, and which single change would let some back in."""
    excludes: Counter[str] = Counter()
    only: Counter[str] = Counter()
    for excluded in shortlist.excluded:
        rules = excluded.blocking_rules
        excludes.update(rules)
        if len(rules) == 1:
            only.update(rules)
    order = list(RULES)
    counts = tuple(
        RuleCount(rule, RULES[rule].title, excludes[rule], only[rule], RULES[rule].widen)
        for rule in sorted(excludes, key=lambda rule: (-excludes[rule], -only[rule], order.index(rule)))
    )
    eligible = shortlist.eligible
    checked = eligible + len(shortlist.excluded)
    return PoolSummary(checked, eligible, counts, _message(checked, eligible, counts))


def _message(checked: int, eligible: int, counts: tuple[RuleCount, ...]) -> str:
    if checked == 0:
        return "Nobody is on the approved list to check: add or approve consultants first."
    if eligible:
        return f"{eligible} of the {_plural(checked, 'consultant')} checked are eligible."
    top = counts[0]
    parts = [
        "Nobody is eligible: "
        + (
            "the one consultant checked is excluded."
            if checked == 1
            else f"all {checked} consultants checked are excluded."
        ),
        f"'{top.title}' excludes the most: {_plural(top.excludes, 'consultant')}.",
    ]
    widening = [count for count in counts if count.only_rule]
    if not widening:
        parts.append(
            "No single change would make anyone eligible: each is excluded by two or more rules. "
            "Recruit reviewers from outside the agencies involved."
        )
    for count in sorted(widening, key=lambda count: -count.only_rule):
        would = f"{_plural(count.only_rule, 'consultant')} would be eligible"
        parts.append(f"{would} but for '{count.title}': {count.widen}")
    return " ".join(parts)
