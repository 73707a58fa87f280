"""Benchmark: median time to assemble one case's terms of reference and render all four formats.

Target: under 500 ms in total. Run by hand from the repository root:
``.venv/bin/python -m bench.terms [--runs N] [--smoke]`` (as a module: ``bench/registry.py`` would
otherwise shadow the ``registry`` package). It exits 1 when the target is missed, except with
``--smoke`` (two rounds, to show it works: a busy machine's figures there decide nothing).
The first round (fonts, templates, imports) is timed separately and left out of the median.
"""

import argparse
import statistics
import time
from datetime import date

from commissioning.features import CATALOGUE
from commissioning.render import render_docx, render_html, render_markdown, render_pdf
from commissioning.terms import Agency, BoardDecision, CaseFacts, CommissionFacts, assemble

TARGET_MS = 500.0

# A heavy but realistic case: every theme, five agencies, a commission with checks and a declaration.
CASE = CaseFacts(
    ref="BENCH-2026-001",
    features={
        "incident_date": "2026-11-02",
        "notified_date": "2026-11-04",
        "area": "tower-hamlets",
        "outcome": "death",
        "abuse_or_neglect": "suspected",
        "perpetrators": ["father"],
        **{feature.name: True for feature in CATALOGUE if feature.theme},
    },
    agencies=tuple(Agency(f"agency-{n}", f"Agency number {n}") for n in range(1, 6)),
    period_from=date(2025, 11, 2),
    period_to=date(2026, 11, 2),
)
DECISION = {
    "ruleset": {"id": "wt2023", "version": "1"},
    "outcomes": [
        {
            "type": "notify_panel",
            "kind": "notification",
            "requirement": "mandatory",
            "reasons": [{"text": "A child died and abuse is suspected.", "source": "CA2004 s16C(1)"}],
            "deadline": {"date": "2026-11-11", "basis": "5 working days from notified_date"},
        },
        {
            "type": "lcspr",
            "kind": "review",
            "requirement": "discretionary",
            "reasons": [{"text": "Improvements may be needed.", "source": "CSPR Regs 2018 reg 11(a)"}],
        },
        {"type": "dhr", "kind": "review", "requirement": "mandatory", "reasons": []},
    ],
}
BOARD = BoardDecision(decided_by="Tower Hamlets safeguarding partners", decided_on=date(2026, 12, 10))
COMMISSION = CommissionFacts(
    consultant_name="Bench Reviewer",
    role="lead_reviewer",
    commissioned_on=date(2026, 12, 11),
    warnings=("Bench Reviewer was employed by an agency in scope until 2015.",),
    backgrounds=("social_work",),
    reviews=(("lcspr", 2),),
    declared_on=date(2026, 12, 12),
    declaration="no conflict of interest.",
)
STEPS = {
    "md": render_markdown,
    "html": render_html,
    "docx": render_docx,
    "pdf": render_pdf,
}


def one_round() -> dict[str, float]:
    """Milliseconds for assembly and each format, for one case."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    terms = assemble(
        case=CASE, decision=DECISION, board=BOARD, commission=COMMISSION, today=date(2026, 12, 14)
    )
    timings["assemble"] = (time.perf_counter() - start) * 1000
    for name, render in STEPS.items():
        start = time.perf_counter()
        render(terms)
        timings[name] = (time.perf_counter() - start) * 1000
    timings["total"] = sum(timings.values())
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--smoke", action="store_true", help="two rounds; exit 0 whatever the figures")
    args = parser.parse_args()
    runs = 2 if args.smoke else args.runs
    first = one_round()
    rounds = [one_round() for _ in range(runs)]
    print(f"first round (cold): {first['total']:.1f} ms")
    print(f"median of {runs} rounds:")
    for key in first:
        print(f"  {key:<9}{statistics.median(r[key] for r in rounds):8.1f} ms")
    total = statistics.median(r["total"] for r in rounds)
    verdict = "meets" if total < TARGET_MS else "MISSES"
    print(f"total median {total:.1f} ms {verdict} the {TARGET_MS:.0f} ms target")
    return 0 if args.smoke or total < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
