"""A table read the way a person reads it, whatever file it came from.

The readers in ``files`` turn a Word table, a worksheet or a CSV file into a ``Grid`` of cells that keep
their merges. Here a grid becomes rows of named values:

- the heading row is found wherever it is (a title may sit above it), and each heading is matched to a
  column by its wording, so columns may come in any order;
- a heading row repeated further down (Word's "repeat on each page" typed out by hand) and blank rows
  are passed over;
- a cell merged down over several rows belongs to each of them (a date written once beside several
  events); a cell merged across belongs to the column it starts in;
- a row that is one cell merged across the whole table is a heading ("2017", "Contacts with the school")
  and is passed over with a warning, so nobody wonders where it went;
- text in a column with no heading is not guessed at: the file is sent back to say so.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from string import ascii_uppercase

from commissioning.chronology import columns as cols
from commissioning.chronology.columns import Column
from commissioning.chronology.problems import Problem, quoted

MAX_ROWS = 10_000  # one agency's chronology; a file longer than this is not a chronology


@dataclass(frozen=True)
class Cell:
    """One grid position: its own text, or a continuation of a cell merged across or down into it."""

    text: str = ""
    merged_from_left: bool = False
    merged_from_above: bool = False


@dataclass(frozen=True)
class Grid:
    """A table's rows as ``(row number as the file shows it, cells)``; ``name`` tells one table of a
    document from another ("Table 2"), empty when there is one; ``lettered`` columns are A, B, C."""

    rows: Sequence[tuple[int, Sequence[Cell]]]
    name: str = ""
    lettered: bool = True


@dataclass(frozen=True)
class RawRow:
    """One row as written: ``values`` by column key (blank where empty), ``headers`` the headings the
    file gives those columns, ``place`` how a person finds the row ("Row 14", "Table 2, row 5")."""

    number: int
    values: Mapping[str, str]
    headers: Mapping[str, str]
    place: str

    def value(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass(frozen=True)
class Sheet:
    """Every row read from a file, and the problems with the file as a whole (its headings)."""

    rows: tuple[RawRow, ...] = ()
    problems: tuple[Problem, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)


_Resolved = tuple[int, list[str], bool, bool]


@dataclass(frozen=True)
class _Header:
    number: int
    by_position: Mapping[int, Column]
    headings: Mapping[str, str]
    width: int


def column_label(index: int, lettered: bool) -> str:
    """How a person names the column at ``index`` (from 0): "C" in a spreadsheet, "column 3" in Word."""
    if not lettered:
        return f"column {index + 1}"
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = ascii_uppercase[rest] + label
    return f"column {label}"


def resolve(grid: Grid) -> list[_Resolved]:
    """Each row's text by position, merges resolved: ``(number, texts, has text of its own, is one
    cell merged across the whole row)``."""
    resolved: list[_Resolved] = []
    above: list[str] = []
    width = max((len(cells) for _, cells in grid.rows), default=0)
    for number, cells in grid.rows:
        texts = []
        for index, cell in enumerate(cells):
            if cell.merged_from_above:
                texts.append(above[index] if index < len(above) else "")
            elif cell.merged_from_left:
                texts.append("")
            else:
                texts.append(cell.text.strip())
        own = any(cell.text.strip() for cell in cells if not cell.merged_from_above)
        across = width > 1 and len(cells) == width and all(cell.merged_from_left for cell in cells[1:])
        resolved.append((number, texts, own, across))
        above = texts
    return resolved


def read(grids: Sequence[Grid], columns: Sequence[Column] = cols.STANDARD) -> Sheet:
    """The rows of every grid that holds the chronology. A grid with no heading row continues the one
    before it when it has as many columns (a Word table split in two); otherwise it is not the
    chronology (a cover table of contact details) and is passed over."""
    chosen: list[tuple[Grid, list[_Resolved], _Header, bool]] = []  # grid, rows, heading, headed here
    header: _Header | None = None
    for grid in grids:
        resolved = resolve(grid)
        found = _find_header(resolved, columns)
        if found is not None:
            position, header = found
            chosen.append((grid, resolved[position:], header, True))
        elif header is not None and max((len(r[1]) for r in resolved), default=0) == header.width:
            chosen.append((grid, resolved, header, False))
    if not chosen:
        names = ", ".join(column.header for column in columns if column.required)
        message = f"No table in the file has a row of column headings: the chronology needs {names}."
        return Sheet((), (Problem(None, None, message),))
    rows: list[RawRow] = []
    problems: list[Problem] = []
    for grid, resolved, header, headed in chosen:
        named = grid if len(chosen) > 1 else replace(grid, name="")  # "Table 2, row 5" only when needed
        if headed:
            problems.extend(_header_problems(header, resolved[0][1], resolved[1:], named, columns))
        rows.extend(_rows(resolved[1:] if headed else resolved, header, named, problems))
    if len(rows) > MAX_ROWS:
        message = f"The file has more than {MAX_ROWS:,} rows; send one agency's chronology per file."
        return Sheet((), (Problem(None, None, message),))
    return Sheet(tuple(rows), tuple(problems), chosen[0][2].headings)


def _find_header(resolved: list[_Resolved], columns: Sequence[Column]) -> tuple[int, _Header] | None:
    """The first row (its position, and what it heads) with at least two cells heading a known column
    and at least as many known headings as unknown ones; a column headed twice takes its first heading."""
    for position, (number, texts, _own, _across) in enumerate(resolved):
        found = {index: cols.match(text, columns) for index, text in enumerate(texts) if text}
        known = {index: column for index, column in found.items() if column is not None}
        if len(known) >= 2 and len(known) * 2 >= len(found):
            headings = {column.key: column.header for column in columns}
            for index in sorted(known, reverse=True):
                headings[known[index].key] = texts[index]
            return position, _Header(number, known, headings, len(texts))
    return None


def _header_problems(
    header: _Header,
    texts: list[str],
    below: list[_Resolved],
    grid: Grid,
    columns: Sequence[Column],
) -> list[Problem]:
    """Missing, doubled, unknown and unheaded columns: what makes the file unreadable as a whole."""
    where = f"{grid.name}, row" if grid.name else "Row"
    problems = []
    keys = [column.key for column in header.by_position.values()]
    for column in columns:
        if column.required and column.key not in keys:
            problems.append(
                Problem(
                    header.number,
                    column.header,
                    f"{where} {header.number}: there is no {quoted(column.header)} column; add it, headed "
                    f"{quoted(column.header)}. {column.help}",
                )
            )
        elif keys.count(column.key) > 1:
            both = " and ".join(
                quoted(texts[index]) for index, found in header.by_position.items() if found is column
            )
            problems.append(
                Problem(
                    header.number,
                    column.header,
                    f"{where} {header.number}: the columns {both} both read as {quoted(column.header)}; "
                    "rename or remove one.",
                )
            )
    for index, text in enumerate(texts):
        if text and index not in header.by_position:
            problems.append(
                Problem(
                    header.number,
                    text,
                    f"{where} {header.number}: the column {quoted(text)} is not one of the "
                    "chronology's columns and was not read.",
                    "warning",
                )
            )
        elif not text:
            filled = next(
                (number for number, cells, own, _ in below if own and index < len(cells) and cells[index]),
                None,
            )
            if filled is not None:
                label = column_label(index, grid.lettered)
                problems.append(
                    Problem(
                        filled,
                        None,
                        f"{where} {filled}: {label} has text but no heading, so it was not read; give the "
                        "column a heading or move the text into the right column.",
                    )
                )
    return problems


def _rows(resolved: list[_Resolved], header: _Header, grid: Grid, problems: list[Problem]) -> list[RawRow]:
    rows = []
    for number, texts, own, across in resolved:
        if not own or _repeats_header(texts, header):
            continue
        place = f"{grid.name}, row {number}" if grid.name else f"Row {number}"
        if across:
            problems.append(
                Problem(
                    number,
                    None,
                    f"{place}: {quoted(texts[0])} spans the whole table, so it was read as a heading, "
                    "not an event.",
                    "warning",
                )
            )
            continue
        values = {
            column.key: texts[index] for index, column in header.by_position.items() if index < len(texts)
        }
        rows.append(RawRow(number, values, header.headings, place))
    return rows


def _repeats_header(texts: list[str], header: _Header) -> bool:
    """Whether a row is the heading row again, as typed at the top of each page."""
    matches = sum(
        1
        for index, column in header.by_position.items()
        if index < len(texts) and cols.fold(texts[index]) in column.names()
    )
    return matches >= 2 and matches * 2 > len([text for text in texts if text])
