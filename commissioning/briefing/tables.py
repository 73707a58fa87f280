"""The briefing's figures in words and rows: what every output (HTML, PDF, DOCX, CSV) prints for a
figure, and each chart's text alternative. A suppressed count reads "fewer than 5"; a hidden percentage
or denominator reads as a dash."""

import csv
import io

from commissioning.briefing.figures import YEARS, Figure
from commissioning.briefing.report import FEWER, Briefing, Shown

DASH = "\u2013"  # an en dash
HEADINGS = ("Figure", "Cases", "Out of", "Share", "Compared with")
METHOD = (
    "A case is counted in the period by the day the local authority learned of it, else the day it "
    "happened, else the day it was recorded.",
    "Each figure says what it is out of: ages, outcomes, perpetrators and ethnic groups out of the cases "
    "where they are recorded; features and themes out of every case, as they are recorded when they apply.",
    "A case with more than one alleged perpetrator counts under each, so those shares add to more than 100%.",
    "Ethnic groups are the census's (2021, England and Wales). Ethnic minority families are those of every "
    "ethnic group except White British, White minorities included, as the UK government writes about "
    "ethnicity. Recent immigration (arrival in the UK in the last 5 years) is a share of ethnic minority "
    "families, as the London study counted it.",
    "Reference figures stand beside a figure where the partnership has one, with its area, source and year.",
    "Timeliness: each milestone is judged against the deadline the edition of the guidance in force for the "
    "case gives it, as the case's timeline shows, and counted only where both the day it was recorded and "
    "its deadline are known. Before the Panel existed, a notification went to Ofsted. The "
    "labels give the current edition's times. Each year is the year of the day that places the case in "
    "the period.",
    "Recommendations: per review, of the reviews with recommendations recorded; single-agency and "
    "multi-agency, of those whose scope is decided; completed, of every recommendation. An action is "
    "overdue past its due date while its owner still owes work, and counted out of its agency's actions.",
)
CSV_HEADINGS = (
    "Section",
    "Group",
    "Figure",
    "Cases",
    "Out of",
    "Share (%)",
    "Reference share (%)",
    "Reference area",
    "Reference source",
    "Reference year",
)


def count_words(f: Figure) -> str:
    return FEWER if f.count is None else str(f.count)


def share_words(f: Figure) -> str:
    return DASH if f.percent is None else f"{f.percent:.0f}%"


def reference_words(f: Figure) -> str:
    r = f.reference
    return "" if r is None else f"{r.percent:.0f}% ({r.area}, {r.source}, {r.year})"


def row(f: Figure) -> tuple[str, str, str, str, str]:
    """A figure as a table row: label, count, denominator, share, reference."""
    out_of = DASH if f.denominator is None else str(f.denominator)
    return (f.label, count_words(f), out_of, share_words(f), reference_words(f))


def text_alternative(part: Shown) -> str:
    """What a group's chart shows, in a sentence a screen reader can read."""
    if part.group.chart == YEARS:
        years = "; ".join(
            f"{f.series} in {f.year}: {count_words(f)} of {DASH if f.denominator is None else f.denominator}"
            + ("" if f.percent is None else f" ({share_words(f)})")
            for f in part.figures
        )
        return f"Line chart of {part.group.title.lower()}, the share on time each year: {years}."
    items = "; ".join(
        f"{f.label}: {count_words(f)}"
        + ("" if f.percent is None else f" ({share_words(f)})")
        + ("" if f.reference is None else f", compared with {f.reference.percent:.0f}% in {f.reference.area}")
        for f in part.figures
    )
    return f"Bar chart of {part.group.title.lower()}, the share of cases for each: {items}."


def late_words(part: Shown) -> list[str]:
    """The cases each figure of the group found late, by reference (the internal version lists them)."""
    return [f"Late ({f.label}): {', '.join(f.late)}." for f in part.figures if f.late]


def to_csv(briefing: Briefing) -> str:
    """Every figure as a CSV row, with its reference."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADINGS)
    for section, parts in briefing.sections():
        for part in parts:
            for f in part.figures:
                r = f.reference
                writer.writerow(
                    (
                        section,
                        part.group.title,
                        f.label,
                        count_words(f),
                        "" if f.denominator is None else f.denominator,
                        "" if f.percent is None else f.percent,
                        *(("", "", "", "") if r is None else (r.percent, r.area, r.source, r.year)),
                    )
                )
    return out.getvalue()
