"""Benchmark: merging every agency's chronology into the composite, with its marks, and checking one file.

Targets (issue 19): merge 20 agencies x 500 rows (10,000 rows) into a composite, with the same-event links,
gaps and clusters marked, in under 1 s; draw its timeline chart, as PNG and as SVG, in under 1 s each;
render a 2,000-row composite (the first four agencies) in the coded view as XLSX and as DOCX in under
5 s each and as PDF in under 10 s. Also shown, without a target of its own: reading and checking one
agency's 500-row XLSX, as an upload does. Run by hand from the repository root:
``.venv/bin/python -m bench.chronology [--agencies 20] [--rows 500] [--runs 5] [--document-agencies 4]
[--document-runs 3] [--smoke]``. It exits 1 when a target is missed, except with ``--smoke`` (two
agencies, one round, documents of one agency's rows, to show it works: a busy machine's figures there
decide nothing).

The rows are made up (seeded, so every run merges the same composite): two years under review, in which
every agency's contacts fall in six two-month episodes (so the composite has gaps, and busy days for the
same-event comparison), events worded from a small vocabulary so agencies report some of the same
events, one row in twenty dated only to the month and one in twenty doubted.
"""

import io
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from datetime import time as clock_time

from openpyxl import Workbook

from bench._cli import options, parse
from commissioning.chronology.charts import timeline_png, timeline_svg
from commissioning.chronology.checks import Checked, Entry, check
from commissioning.chronology.columns import STANDARD
from commissioning.chronology.composite import AgencyChronology, Composite, merge
from commissioning.chronology.dates import ChronoDate, Period
from commissioning.chronology.documents import Rendering
from commissioning.chronology.files import read_file
from commissioning.chronology.glossary import glossary
from commissioning.chronology.pdf import composite_pdf
from commissioning.chronology.spreadsheet import composite_xlsx
from commissioning.chronology.word import composite_docx

PERIOD = Period(date(2024, 1, 1), date(2025, 12, 31))
INCIDENT = date(2025, 12, 31)
MERGE_TARGET_MS = 1000.0
CHART_TARGET_MS = 1000.0  # each of PNG and SVG, for the whole 10,000-row composite
SPREADSHEET_TARGET_MS = WORD_TARGET_MS = 5000.0  # for a 2,000-row composite
PDF_TARGET_MS = 10000.0
EPISODES = (0, 120, 240, 360, 480, 600)  # days into the period when the family was known to agencies ...
EPISODE_DAYS = 60  # ... for two months at a time, with quiet months (gaps) between
WHAT = ("Home visit", "Telephone call", "Appointment", "Strategy meeting", "Referral", "School attendance")
WHO = ("mother", "father", "Child A", "sibling", "grandmother")
HOW = ("seen alone", "not seen", "no concerns noted", "concerns about bruising", "missed", "rearranged")
ROLES = ("Health visitor", "Social worker", "GP", "Police officer", "Teacher", "School nurse")


def agency_rows(agency: int, rows: int) -> list[Entry]:
    """One agency's accepted rows, in date order as a careful agency sends them."""
    pick = random.Random(agency)
    days = sorted(pick.choice(EPISODES) + pick.randrange(EPISODE_DAYS) for _ in range(rows))
    entries = []
    for number, offset in enumerate(days, 2):
        day = PERIOD.start + timedelta(days=offset)
        if number % 20 == 0:
            month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            when = ChronoDate(day.replace(day=1), month_end, "month", "month")
        else:
            when = ChronoDate(day, day, "day", "day", doubted=number % 20 == 1)
        event = f"{pick.choice(WHAT)} with {pick.choice(WHO)}, {pick.choice(HOW)}"
        clock = None if pick.random() < 0.4 else pick.choice((None, *range(8, 19)))
        entries.append(
            Entry(
                row=number,
                place=f"Row {number}",
                when=when,
                time=None if clock is None else clock_time(clock),
                sequence=None,
                source="Case notes",
                event=event,
                role=pick.choice(ROLES),
            )
        )
    return entries


def chronologies(agencies: int, rows: int) -> list[AgencyChronology]:
    return [AgencyChronology(f"Agency {n}", agency_rows(n, rows)) for n in range(1, agencies + 1)]


def one_file(rows: int) -> bytes:
    """One agency's chronology as the XLSX it would upload, the template's columns, dates as typed."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([column.header for column in STANDARD])
    for entry in agency_rows(1, rows):
        clock = f"{entry.time:%H:%M}" if entry.time else ""
        sheet.append([entry.when.shown(), clock, "", entry.source, entry.event, entry.role, ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(step: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = step()
    return (time.perf_counter() - start) * 1000, result


def main() -> int:
    parser = options(
        __doc__,
        smoke="two agencies, one round; exit 0 whatever the figures",
        agencies=20,
        rows=500,
        runs=5,
        document_agencies=4,
        document_runs=3,
    )
    args = parse(parser, smoke={"agencies": 2, "runs": 1, "document_agencies": 1, "document_runs": 1})
    given = chronologies(args.agencies, args.rows)
    total = args.agencies * args.rows
    merges = []
    composite: Composite | None = None
    for _ in range(args.runs):
        elapsed, result = timed(lambda: merge(given, period=PERIOD, incident=INCIDENT))
        merges.append(elapsed)
        assert isinstance(result, Composite)
        composite = result
    assert composite is not None
    merge_ms = statistics.median(merges)
    linked = sum(1 for row in composite.rows if row.same_as)
    print(
        f"composite of {args.agencies} agencies x {args.rows} rows ({total:,} rows): "
        f"gaps {len(composite.gaps)}, clusters {len(composite.clusters)}, rows linked as one event {linked:,}"
    )
    verdict = "meets" if merge_ms < MERGE_TARGET_MS else "MISSES"
    print(f"merge, median of {args.runs}: {merge_ms:.1f} ms {verdict} the {MERGE_TARGET_MS:.0f} ms target")

    data = one_file(args.rows)
    check_ms, checked = timed(lambda: check(read_file("agency.xlsx", data), PERIOD))
    assert isinstance(checked, Checked)
    read = len(checked.entries)
    print(f"read and check one agency's {args.rows}-row XLSX: {check_ms:.1f} ms ({read} rows read)")

    met = merge_ms < MERGE_TARGET_MS
    shown = Rendering("SCR-2025-014", PERIOD, "Northtown Safeguarding Children Partnership")
    for name, render in (("chart PNG", timeline_png), ("chart SVG", timeline_svg)):
        met &= judged(f"{name} of all {total:,} rows", render, composite, shown, args.runs, CHART_TARGET_MS)

    documents = merge(given[: args.document_agencies], period=PERIOD, incident=INCIDENT)
    shown = Rendering(
        "SCR-2025-014",
        PERIOD,
        "Northtown Safeguarding Children Partnership",
        glossary=glossary([("mother", "Parent 1"), ("father", "Parent 2")]),
    )
    for name, render, target in (
        ("XLSX", composite_xlsx, SPREADSHEET_TARGET_MS),
        ("DOCX", composite_docx, WORD_TARGET_MS),
        ("PDF", composite_pdf, PDF_TARGET_MS),
    ):
        rows = f"{len(documents.rows):,}-row composite"
        met &= judged(f"{name} of a {rows}, coded", render, documents, shown, args.document_runs, target)
    return 0 if args.smoke or met else 1


def judged(
    what: str,
    render: Callable[[Composite, Rendering], bytes],
    composite: Composite,
    rendering: Rendering,
    runs: int,
    target_ms: float,
) -> bool:
    """Render ``runs`` times, print the median against its target, and say whether it was met."""
    times = []
    size = 0
    for _ in range(runs):
        elapsed, made = timed(lambda: render(composite, rendering))
        assert isinstance(made, bytes)
        times.append(elapsed)
        size = len(made)
    median = statistics.median(times)
    verdict = "meets" if median < target_ms else "MISSES"
    print(
        f"{what}, median of {runs}: {median:.1f} ms ({size / 1024:,.0f} KiB) {verdict} the "
        f"{target_ms:.0f} ms target"
    )
    return median < target_ms


if __name__ == "__main__":
    raise SystemExit(main())
