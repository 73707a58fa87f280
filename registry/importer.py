"""Consultants to and from CSV, the way boards keep the list in spreadsheets.

Pure: text and an agency directory in; validated rows, or every problem with its row and column,
out. One row per consultant, matched on email. Multi-valued cells separate items with ``;``; an
engagement or accreditation item separates its parts with ``|``. The field limits are the models'
(``ConsultantCreate``, ``ImportedStatus``, ``EngagementCreate``, ``AccreditationCreate``), so the CSV
and the API accept the same values, and a dry run refuses whatever the import would. The store
applies the rows (``registry.sync.import_csv``).
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from core.errors import Invalid
from registry.models import AccreditationCreate, ConsultantCreate, EngagementCreate, ImportedStatus, fold
from registry.vocabulary import ConsultantStatus

COLUMNS: tuple[str, ...] = (
    "name",
    "email",
    "phone",
    "slack_user_id",
    "status",
    "status_reason",
    "approved_on",
    "reapproval_due",
    "backgrounds",
    "specialisms",
    "languages",
    "areas",
    "registration_body",
    "registration_number",
    "registration_expiry",
    "dbs_check_date",
    "insurance_expiry",
    "day_rate",
    "capacity",
    "accreditations",
    "engagements",
    "notes",
)
REQUIRED = ("name", "email")
LIST_COLUMNS = frozenset({"backgrounds", "specialisms", "languages", "areas"})
DATE_COLUMNS = frozenset(
    {"approved_on", "reapproval_due", "registration_expiry", "dbs_check_date", "insurance_expiry"}
)
INT_COLUMNS = frozenset({"day_rate", "capacity"})
# A blank cell in these leaves an existing consultant's value alone (a new one gets the default);
# in every other column a blank cell clears the value.
KEEP_IF_BLANK = frozenset({"status", "status_reason", "approved_on", "reapproval_due", "capacity"})
CONSULTANT_FIELDS = frozenset(ConsultantCreate.model_fields)
# The columns held on the consultant row itself (the rest are child records).
CONSULTANT_COLUMNS = tuple(column for column in COLUMNS if column not in ("engagements", "accreditations"))
ITEM_SEPARATOR = ";"
PART_SEPARATOR = "|"
UNCONFIRMED = "unconfirmed"
# Spreadsheets run a cell starting with one of these as a formula (OWASP's list, tab and carriage return
# included): export guards it with a quote, which the import removes again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


@dataclass(frozen=True)
class EngagementItem:
    agency_id: str
    kind: str
    role_title: str
    start_date: date | None
    end_date: date | None
    confirmed: bool = True

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.agency_id,
            self.kind,
            self.role_title,
            self.start_date or date.min,
            self.end_date or date.max,
            self.confirmed,
        )


@dataclass(frozen=True)
class AccreditationItem:
    name: str
    awarded_on: date
    expires_on: date | None

    def sort_key(self) -> tuple[Any, ...]:
        return (self.name, self.awarded_on, self.expires_on or date.max)


@dataclass(frozen=True)
class Problem:
    """Why a row cannot be imported. ``row`` counts as a spreadsheet does: the header is row 1."""

    row: int | None
    column: str | None
    msg: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Row:
    """A valid row: ``values`` holds the columns it sets, as the store keeps them."""

    number: int
    values: Mapping[str, Any]

    @property
    def email(self) -> str:
        return str(self.values["email"])


@dataclass(frozen=True)
class Parsed:
    rows: list[Row]
    problems: list[Problem]


class RowOutcome(BaseModel):
    """One row's outcome; ``changed`` names the columns an update changes."""

    row: int
    email: str
    action: Literal["create", "update", "unchanged"]
    changed: list[str] = []


class ImportReport(BaseModel):
    """What an import did, or with ``dry_run`` would do, row by row."""

    dry_run: bool
    created: int
    updated: int
    unchanged: int
    rows: list[RowOutcome]


def decode(data: bytes) -> str:
    """The text of an uploaded file; spreadsheets add a byte-order mark, which is dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = "The file is not UTF-8 text: save it from the spreadsheet as 'CSV UTF-8' and try again."
        raise Invalid(message, problems=[Problem(None, None, message).to_json()]) from None


def parse(text: str, *, agencies: Mapping[str, str], max_rows: int) -> Parsed:
    """Every row of ``text`` validated; ``agencies`` maps folded ids, names and aliases to agency ids."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        return Parsed([], [Problem(1, None, f"The header could not be read: {error}.")])
    if header is None:
        return Parsed(
            [], [Problem(None, None, "The file is empty: it needs a header row naming the columns.")]
        )
    columns = [cell.strip().lower().replace(" ", "_") for cell in header]
    problems = _header_problems(columns)
    if problems:
        return Parsed([], problems)
    rows: list[Row] = []
    first_row_of: dict[str, int] = {}
    count = 0
    number = 1
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as error:
            problems.append(Problem(number + 1, None, f"The row could not be read: {error}."))
            break
        if cells is None:
            break
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > max_rows:
            return Parsed([], [Problem(None, None, f"The file has more than {max_rows} rows, the limit.")])
        if len(cells) > len(columns):
            problems.append(
                Problem(number, None, f"The row has {len(cells)} cells; the header has {len(columns)}.")
            )
            continue
        row, row_problems = _row(number, dict(zip(columns, cells, strict=False)), agencies)
        problems.extend(row_problems)
        if row is None:
            continue
        if row.email in first_row_of:
            problems.append(
                Problem(number, "email", f"{row.email} is also on row {first_row_of[row.email]}.")
            )
            continue
        first_row_of[row.email] = number
        rows.append(row)
    return Parsed(rows if not problems else [], problems)


def changes(values: Mapping[str, Any], record: Mapping[str, Any]) -> list[str]:
    """The columns where a row's values differ from a stored consultant's ``record``."""
    return [
        column for column in COLUMNS if column in values and _blank(values[column]) != _blank(record[column])
    ]


def _blank(value: Any) -> Any:
    """Empty text as no value: a CSV cell cannot tell them apart, so an export of either reads back alike."""
    return None if value == "" else value


def to_csv(records: Iterable[Mapping[str, Any]]) -> str:
    """Consultant records (as ``registry.sync`` builds them) as CSV that ``parse`` reads back unchanged."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([cell(column, record[column]) for column in COLUMNS])
    return out.getvalue()


def sorted_engagements(items: Iterable[EngagementItem]) -> tuple[EngagementItem, ...]:
    return tuple(sorted(items, key=EngagementItem.sort_key))


def sorted_accreditations(items: Iterable[AccreditationItem]) -> tuple[AccreditationItem, ...]:
    return tuple(sorted(items, key=AccreditationItem.sort_key))


# Reading ---------------------------------------------------------------------------------------


def _header_problems(columns: list[str]) -> list[Problem]:
    problems = [
        Problem(1, name, f"The column {name!r} is missing.") for name in REQUIRED if name not in columns
    ]
    known = ", ".join(COLUMNS)
    seen: set[str] = set()
    for name in columns:
        if name not in COLUMNS:
            problems.append(Problem(1, name or None, f"Unknown column {name!r}; the columns are: {known}."))
        elif name in seen:
            problems.append(Problem(1, name, f"The column {name!r} appears twice."))
        seen.add(name)
    return problems


def _guarded(text: str) -> bool:
    """Whether ``text`` starts with the quote ``cell`` puts before a formula-like or quoted value."""
    return text.startswith(GUARD) and text[1:2] in (*FORMULA_STARTS, GUARD)


def _unguard(cell: str) -> str:
    """The cell without the quote ``cell`` put before it on export, so every value reads back as written."""
    cell = cell.strip()
    return cell[1:] if _guarded(cell) else cell


def _row(
    number: int, cells: Mapping[str, str], agencies: Mapping[str, str]
) -> tuple[Row | None, list[Problem]]:
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for column, raw in cells.items():
        text = _unguard(raw)
        if not text and column in KEEP_IF_BLANK:
            continue
        try:
            values[column] = _value(column, text, agencies)
        except ValueError as error:
            problems.append(Problem(number, column, str(error)))
    problems.extend(
        Problem(number, column, "is required.") for column in REQUIRED if values.get(column) is None
    )
    # Every value the import would write is checked by the model the API checks it with, so the dry run
    # refuses whatever the import would.
    for model in (ConsultantCreate, ImportedStatus):
        fields = {column: value for column, value in values.items() if column in model.model_fields}
        try:
            validated = model.model_validate(fields)
        except ValidationError as error:
            reported = {problem.column for problem in problems}
            problems.extend(
                Problem(number, str(item["loc"][0]), _message(item))
                for item in error.errors()
                if item["loc"][0] not in reported
            )
        else:
            values.update({column: _plain(getattr(validated, column)) for column in fields})
    if problems:
        return None, problems
    return Row(number, values), []


def _value(column: str, cell: str, agencies: Mapping[str, str]) -> Any:
    """A cell as the store keeps it; ValueError with a reason a person can act on."""
    if column in LIST_COLUMNS:
        return [item.strip() for item in cell.split(ITEM_SEPARATOR) if item.strip()]
    if not cell:
        return () if column in ("accreditations", "engagements") else None
    if column in DATE_COLUMNS:
        return _date(cell)
    if column in INT_COLUMNS:
        return _int(cell)
    if column == "status":
        try:
            return ConsultantStatus(cell.lower())
        except ValueError:
            raise ValueError(
                f"{cell!r} is not a status; use one of: {', '.join(s.value for s in ConsultantStatus)}."
            ) from None
    if column == "engagements":
        return _engagements(cell, agencies)
    if column == "accreditations":
        return _accreditations(cell)
    return cell


def _date(cell: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(cell, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{cell!r} is not a date; write YYYY-MM-DD or DD/MM/YYYY.")


def _int(cell: str) -> int:
    cleaned = re.sub(r"[£,\s]", "", cell)
    if not re.fullmatch(r"-?\d+", cleaned):
        raise ValueError(f"{cell!r} is not a whole number.")
    return int(cleaned)


def _parts(cell: str, *, minimum: int, maximum: int, shape: str) -> list[tuple[int, list[str]]]:
    items = []
    for index, item in enumerate((i.strip() for i in cell.split(ITEM_SEPARATOR) if i.strip()), start=1):
        parts = [part.strip() for part in item.split(PART_SEPARATOR)]
        if not minimum <= len(parts) <= maximum:
            raise ValueError(f"item {index} ({item!r}) has {len(parts)} parts; write {shape}.")
        items.append((index, parts))
    return items


def _optional_date(part: str) -> date | None:
    return _date(part) if part else None


def _engagements(cell: str, agencies: Mapping[str, str]) -> tuple[EngagementItem, ...]:
    shape = "agency|kind|role title|from|to, with an optional sixth part 'unconfirmed'"
    items = []
    for index, parts in _parts(cell, minimum=5, maximum=6, shape=shape):
        agency, kind, role_title, start, end, *flag = parts
        agency_id = agencies.get(fold(agency))
        if agency_id is None:
            raise ValueError(f"item {index}: no agency has the id, name or alias {agency!r}.")
        if flag and flag[0].lower() != UNCONFIRMED:
            raise ValueError(f"item {index}: the sixth part may only be {UNCONFIRMED!r}.")
        try:
            start_date, end_date = _optional_date(start), _optional_date(end)
            engagement = EngagementCreate(
                agency_id=agency_id,
                kind=kind,
                role_title=role_title,
                start_date=start_date,
                end_date=end_date,
                confirmed=not flag,
            )
        except ValidationError as error:
            raise ValueError(f"item {index}: {_messages(error)}") from None
        except ValueError as error:
            raise ValueError(f"item {index}: {error}") from None
        items.append(
            EngagementItem(
                engagement.agency_id,
                engagement.kind.value,
                engagement.role_title,
                engagement.start_date,
                engagement.end_date,
                engagement.confirmed,
            )
        )
    return sorted_engagements(items)


def _accreditations(cell: str) -> tuple[AccreditationItem, ...]:
    items = []
    for index, parts in _parts(cell, minimum=2, maximum=3, shape="name|awarded on|expires on (optional)"):
        name, awarded, *expires = parts
        try:
            accreditation = AccreditationCreate(
                name=name, awarded_on=_date(awarded), expires_on=_optional_date(expires[0] if expires else "")
            )
        except ValidationError as error:
            raise ValueError(f"item {index}: {_messages(error)}") from None
        except ValueError as error:
            raise ValueError(f"item {index}: {error}") from None
        items.append(
            AccreditationItem(accreditation.name.value, accreditation.awarded_on, accreditation.expires_on)
        )
    return sorted_accreditations(items)


def _message(error: Mapping[str, Any]) -> str:
    """Pydantic's message, naming the offending value where the value is a code from a vocabulary."""
    if error["type"] == "enum":
        return f"{error['input']!r} is not allowed; use {error['ctx']['expected']}."
    message = str(error["msg"]).removeprefix("Value error, ")
    return message if message.endswith((".", ")")) else message + "."


def _messages(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {_message(item)}" if item["loc"] else _message(item)
        for item in error.errors()
    )


def _plain(value: Any) -> Any:
    """Enum members as their values, so rows compare equal to what the database returns."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return getattr(value, "value", value)


# Writing ---------------------------------------------------------------------------------------


def cell(column: str, value: Any) -> str:
    """One value as its CSV cell: a formula-like value gets a leading quote so a spreadsheet shows it as
    text, and so does a value that itself starts with such a quote, so the import's unquoting is exact."""
    text = _text(column, value)
    return GUARD + text if text.startswith(FORMULA_STARTS) or _guarded(text) else text


def _text(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "engagements":
        return f"{ITEM_SEPARATOR} ".join(_engagement_cell(item) for item in value)
    if column == "accreditations":
        return f"{ITEM_SEPARATOR} ".join(_accreditation_cell(item) for item in value)
    if isinstance(value, list):
        return f"{ITEM_SEPARATOR} ".join(str(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def _accreditation_cell(item: AccreditationItem) -> str:
    parts = [item.name, item.awarded_on.isoformat()]
    if item.expires_on:
        parts.append(item.expires_on.isoformat())
    return PART_SEPARATOR.join(parts)


def _engagement_cell(item: EngagementItem) -> str:
    parts = [item.agency_id, item.kind, item.role_title, _iso(item.start_date), _iso(item.end_date)]
    if not item.confirmed:
        parts.append(UNCONFIRMED)
    return PART_SEPARATOR.join(parts)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""
