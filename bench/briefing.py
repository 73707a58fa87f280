"""Benchmark: the thematic briefing of 2,000 cases, built and rendered as PDF, DOCX, HTML and CSV.

Target (issue 21): the briefing over 2,000 cases renders as PDF in under 5 s, figures, suppression and
charts included. Run by hand from the repository root:
``.venv/bin/python -m bench.briefing [--cases 2000] [--runs 3] [--smoke]``; it prints the publishable
briefing's figures, then each render's median time, and exits 1 when the target is missed, except with
``--smoke`` (40 cases, one round, to show it works: a busy machine's figures there decide nothing).

The cases are made up (seeded, so every run counts the same cases): ages, outcomes, perpetrators, ethnic
groups and themes drawn with the rough shares of the London study; milestones on time or late across
three years, and recommendations with actions of a few agencies.
"""

import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bench._cli import options, parse
from commissioning import features
from commissioning.briefing import references, tables
from commissioning.briefing.documents import Format, document
from commissioning.briefing.facts import Agency, CaseFacts, Milestone, Period, Recommendations
from commissioning.briefing.report import Briefing, build

PERIOD = Period(date(2024, 1, 1), date(2026, 12, 31))
MEASURED = ("panel_notified", "rapid_review_sent", "decision_to_initiate", "published")
AGENCIES = ("Children's Social Care", "Metropolitan Police", "Homerton Hospital", "Hackney Schools")
PDF_TARGET_MS = 5000.0
ETHNIC = features.BY_NAME["ethnic_group"].values
THEMES = (
    "domestic_abuse",
    "parental_mental_health",
    "parental_substance_misuse",
    "neglect",
    "child_protection_plan",
    "temporary_accommodation",
    "interpreter_needed",
    "race_ethnicity_and_culture",
)


def made_up(n: int) -> list[CaseFacts]:
    """``n`` cases of 2024 to 2026, each drawn at random (seeded) with the study's rough shares."""
    draw = random.Random(21)
    cases = []
    for i in range(n):
        raw: dict[str, Any] = {
            "notified_date": (PERIOD.start + timedelta(days=draw.randrange(3 * 365))).isoformat(),
            "subject_age_years": draw.choice((0.2, 0.5, 0.9, 1.5, 3, 7, 12, 15, 17)),
            "outcome": "death" if draw.random() < 0.7 else "serious_harm",
            "perpetrators": draw.sample(
                ("father", "mother", "grandparent", "sibling"), draw.choice((1, 1, 2))
            ),
            "ethnic_group": draw.choice(ETHNIC),
            "recent_immigration": draw.random() < 0.3,
            "known_to_childrens_social_care": draw.random() < 0.7,
        }
        raw |= {theme: True for theme in THEMES if draw.random() < 0.3}
        due = PERIOD.start + timedelta(days=draw.randrange(3 * 365))
        milestones = {
            kind: Milestone(due + timedelta(days=draw.choice((-3, 0, 2))), due)
            for kind in MEASURED
            if draw.random() < 0.8
        }
        made = draw.randrange(0, 12)
        single = draw.randrange(made + 1)
        agencies = tuple(
            Agency(name, n := draw.randrange(1, 6), draw.randrange(n + 1))
            for name in draw.sample(AGENCIES, 2)
        )
        counted = Recommendations(
            made, single, made - single, draw.randrange(made + 1), agencies if made else ()
        )
        cases.append(
            CaseFacts(f"BEN-2026-{i + 1:04d}", "BEN", features.validate(raw), None, milestones, counted)
        )
    return cases


def timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return (time.perf_counter() - start) * 1000


def rendering(briefing: Callable[[], Briefing], fmt: Format) -> Callable[[], object]:
    """Building the briefing and rendering it as ``fmt``, as a request for it does."""
    return lambda: document(briefing(), fmt, prefix="BEN")


def main() -> int:
    parser = options(__doc__, smoke="40 cases, one round; exit 0 whatever the figures", cases=2000, runs=3)
    args = parse(parser, smoke={"cases": 40, "runs": 1})
    cases = made_up(args.cases)
    shared = references.for_partnership(None)

    def briefing() -> Briefing:
        return build(cases, period=PERIOD, scope="Benchmark partnership", publishable=True, references=shared)

    built = briefing()
    print(f"the publishable briefing of {built.cases:,} cases:")
    for f in built.figures:
        label, count, out_of, share, _ = tables.row(f)
        print(f"  {label}: {count} of {out_of} ({share})")
    build_ms = statistics.median(timed(briefing) for _ in range(args.runs))
    print(f"figures and suppression, median of {args.runs}: {build_ms:.1f} ms")
    met = True
    formats: tuple[Format, ...] = ("pdf", "docx", "html", "csv")
    for fmt in formats:
        median = statistics.median(timed(rendering(briefing, fmt)) for _ in range(args.runs))
        said = f"{fmt.upper()} of {args.cases:,} cases, built and rendered, median of {args.runs}: "
        said += f"{median:.1f} ms"
        if fmt == "pdf":
            met = median < PDF_TARGET_MS
            said += f" {'meets' if met else 'MISSES'} the {PDF_TARGET_MS:.0f} ms target"
        print(said)
    return 0 if args.smoke or met else 1


if __name__ == "__main__":
    raise SystemExit(main())
