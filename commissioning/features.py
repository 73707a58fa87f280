"""The case-feature vocabulary as data: one catalogue (``features.json``) feeds validation, the API schema,
the Slack modal, the admin form and the CLI, so a feature is named, typed and explained in exactly one place.

Feature names and option values are a public contract (see the project's domain notes): add, never rename.
Every answer may be unknown: leave the key out, send ``null`` or send ``"unknown"``.
"""

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from core.errors import Invalid
from core.values import bounded, echoed, line

UNKNOWN = "unknown"

Features = Mapping[str, Any]
"""Validated case features: only known answers are present; dates are ``date``, lists are tuples."""


class Kind(StrEnum):
    date = "date"
    choice = "choice"
    choices = "choices"
    boolean = "boolean"
    number = "number"
    text = "text"
    text_list = "text_list"


class Group(StrEnum):
    when_where = "when_where"
    person = "person"
    practice = "practice"
    people = "people"
    themes = "themes"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    group: str = ""  # the wider category an option belongs to (the census's five ethnic groups)

    def to_json(self) -> dict[str, str]:
        return {"value": self.value, "label": self.label, **({"group": self.group} if self.group else {})}


@dataclass(frozen=True)
class Feature:
    name: str
    label: str  # what names the feature to a person, as a phrase: "The day the local authority learned of it"
    type: Kind
    group: Group
    question: str
    help: str = ""
    options: tuple[Option, ...] = ()
    theme: bool = False
    words: bool = False  # a text_list typed as words ("British Sign Language"), kept as ids
    in_slack: bool = True  # False keeps it out of Slack: special category data is never asked or shown there
    source: str = ""
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None

    @cached_property
    def values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    def to_json(self) -> dict[str, Any]:
        """The published form (``GET /api/v1/features``): what a client needs to ask the question."""
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type.value,
            "group": self.group.value,
            "group_title": GROUP_TITLES[self.group],
            "question": self.question,
            "help": self.help,
            "options": [option.to_json() for option in self.options],
            "theme": self.theme,
            "words": self.words,
            "in_slack": self.in_slack,
            "source": self.source,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "max_length": self.max_length,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Feature":
        """A feature as ``features.json`` holds it: the published form, with defaults (and the group's
        title, which the catalogue keeps once per group) left out."""
        options = tuple(Option(o["value"], o["label"], o.get("group", "")) for o in data.get("options", ()))
        fields = {key: value for key, value in data.items() if key != "group_title"}
        kinds = {"type": Kind(data["type"]), "group": Group(data["group"]), "options": options}
        return cls(**{**fields, **kinds})


CATALOGUE_PATH = Path(__file__).with_name("features.json")
_DOCUMENT = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
GROUP_TITLES: dict[Group, str] = {Group(group["id"]): group["title"] for group in _DOCUMENT["groups"]}
"""Each group's heading, as the Slack modal and the admin form show it."""
CATALOGUE: tuple[Feature, ...] = tuple(Feature.from_json(data) for data in _DOCUMENT["features"])

BY_NAME: dict[str, Feature] = {feature.name: feature for feature in CATALOGUE}
ORDER: dict[str, int] = {feature.name: index for index, feature in enumerate(CATALOGUE)}

OUTSIDE_ENGLAND = {
    "wales": "Wales has its own system: the regional Safeguarding Children Board decides on a Child Practice "
    "Review (Safeguarding Boards (Functions and Procedures) (Wales) Regulations 2015).",
    "scotland": "Scotland has its own system: the Child Protection Committee, for the Chief Officers Group, "
    "decides on a Learning Review (National guidance for child protection committees undertaking learning "
    "reviews, 2021).",
    "northern_ireland": "Northern Ireland has its own system: the Safeguarding Board for Northern Ireland "
    "decides on a Case Management Review (SBNI Regulations (NI) 2012 reg 17).",
    "outside_uk": "Outside the United Kingdom the country's own authorities decide on any review.",
}
# Outside England, England's rules reach only a child who normally lives in England (s16C(1)(b)).
RESIDENT = "normally_resident_in_england"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_DEATH_ONLY = ("death_unexpected", "suspected_suicide", "mother_and_child_died_together")
_CHILD_ONLY = ("looked_after", "child_protection_plan")


def inline(text: str) -> str:
    """``text`` as it reads inside a sentence: "The day ..." -> "the day ...", but "NHS-funded" stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() or text[1:2] == " " else text


def phrase(name: str) -> str:
    """A feature as a sentence names it: ``notified_date`` -> "the day the local authority learned of it"."""
    return inline(BY_NAME[name].label)


_NAMES = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def in_words(text: str) -> str:
    """``text`` with every feature name in it replaced by its phrase: rulesets name the feature a clock
    starts from ("from notified_date"); a person reads "from the day the local authority learned of it"."""
    return _NAMES.sub(lambda found: phrase(found[0]) if found[0] in BY_NAME else found[0], text)


def as_id(words: str) -> str:
    """Words typed for a ``words`` list, as the id kept: "Sign Language" -> "sign-language"."""
    return "-".join(words.casefold().split())


def as_words(item: str) -> str:
    """A ``words`` list's id as people write it: "british-sign-language" -> "British Sign Language"."""
    return " ".join(word.capitalize() for word in item.split("-"))


def answer_words(name: str, value: Any) -> str:
    """A known answer as a person reads it: an option's label, yes or no, a date written out."""
    feature = BY_NAME[name]
    labels = {option.value: option.label for option in feature.options}
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return written(value)
    if isinstance(value, tuple | list):
        named = (as_words(item) if feature.words else labels.get(item, str(item)) for item in value)
        return ", ".join(named) or "none"
    if isinstance(value, int | float):
        return f"{value:g}"
    return labels.get(value, str(value))


def written(day: date) -> str:
    """A date as a person reads it, whatever the process's locale: ``Wed 4 Nov 2026``."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _problem(feature: str | None, msg: str, valid: Any = None) -> dict[str, Any]:
    """A problem naming the feature as sent (an unknown name is the caller's, so it is made safe to echo)."""
    problem: dict[str, Any] = {"feature": None if feature is None else echoed(feature), "msg": msg}
    if valid is not None:
        problem["valid"] = valid
    return problem


def _parse(feature: Feature, value: Any, problems: list[dict[str, Any]]) -> Any:
    """The normalised value, or ``None`` after adding a problem."""
    name = feature.name
    match feature.type:
        case Kind.date:
            if isinstance(value, str) and _DATE.fullmatch(value):
                try:
                    day = date.fromisoformat(value)
                except ValueError:
                    problems.append(_problem(name, f"{value!r} is not a real date"))
                    return None
                return _checked(name, bounded, day, problems)
            problems.append(_problem(name, f"{value!r} is not a date in the form YYYY-MM-DD"))
        case Kind.choice:
            if isinstance(value, str) and value in feature.values:
                return value
            problems.append(_problem(name, f"{value!r} is not one of the valid values", list(feature.values)))
        case Kind.choices:
            if isinstance(value, list) and all(isinstance(v, str) and v in feature.values for v in value):
                return tuple(dict.fromkeys(value))
            msg = (
                f"{[v for v in value if v not in feature.values]!r} are not valid values"
                if isinstance(value, list)
                else "needs a list of valid values"
            )
            problems.append(_problem(name, msg, list(feature.values)))
        case Kind.boolean:
            if isinstance(value, bool):
                return value
            problems.append(_problem(name, f"{value!r} is not true, false or null", [True, False]))
        case Kind.number:
            lo, hi = feature.minimum, feature.maximum
            if isinstance(value, int | float) and not isinstance(value, bool) and lo <= value <= hi:  # type: ignore[operator]
                return value
            problems.append(_problem(name, f"{value!r} is not a number from {lo:g} to {hi:g}"))
        case Kind.text:
            if isinstance(value, str) and 0 < len(value.strip()) <= feature.max_length:  # type: ignore[operator]
                return _checked(name, line, value.strip(), problems)
            problems.append(_problem(name, f"needs a text of 1 to {feature.max_length} characters"))
        case _:  # Kind.text_list
            items = (
                [as_id(v) if feature.words and isinstance(v, str) else v for v in value]
                if isinstance(value, list)
                else None
            )
            if items is not None and all(
                isinstance(v, str) and len(v) <= feature.max_length and _SLUG.fullmatch(v)  # type: ignore[operator]
                for v in items
            ):
                return tuple(dict.fromkeys(items))
            problems.append(
                _problem(
                    name,
                    "needs a list of words such as 'Somali' or 'British Sign Language'"
                    if feature.words
                    else "needs a list of ids of lower-case letters, digits and hyphens",
                )
            )
    return None  # every case that did not return added a problem


def _checked(name: str, check: Callable[[Any], Any], value: Any, problems: list[dict[str, Any]]) -> Any:
    """``value`` when the shared check (``core.values``) accepts it, else ``None`` and its problem."""
    try:
        return check(value)
    except ValueError as error:
        problems.append(_problem(name, str(error)))
        return None


def _contradictions(features: Mapping[str, Any], today: date | None) -> list[dict[str, Any]]:
    """Facts that cannot all be true at once, each named so the person can fix the right one (in words:
    the message is shown under the question it is about)."""
    problems = []
    get = features.get
    outcome = get("outcome")
    incident, notified = get("incident_date"), get("notified_date")
    if today is not None:
        problems += [
            _problem(n, f"{written(get(n))} is after today ({written(today)})")
            for n in ("incident_date", "notified_date", "panel_notified_date")
            if get(n) is not None and get(n) > today
        ]
    if incident is not None and notified is not None and notified < incident:
        problems.append(
            _problem(
                "notified_date",
                f"is before {phrase('incident_date')}: the local authority cannot have learned of it first",
            )
        )
    panel = get("panel_notified_date")
    learned = notified or incident
    if panel is not None and learned is not None and panel < learned:
        problems.append(
            _problem(
                "panel_notified_date",
                f"is before {phrase('notified_date' if notified else 'incident_date')}: "
                "the Panel cannot have been told first",
            )
        )
    happened = answer_words("outcome", outcome) if outcome is not None else ""
    if outcome is not None and outcome != "death":
        problems += [
            _problem(n, f"describes a death, but what happened is given as '{happened}'", ["death"])
            for n in _DEATH_ONLY
            if get(n) is not None and (n == "death_unexpected" or get(n))
        ]
    if outcome in ("other_harm", "none") and get("serious_harm_kinds"):
        problems.append(
            _problem("serious_harm_kinds", f"lists serious harm, but what happened is given as '{happened}'")
        )
    if get("mother_and_child_died_together") and get("linked_adult_death") == "none":
        problems.append(
            _problem(
                "linked_adult_death",
                f"is '{answer_words('linked_adult_death', 'none')}', but the mother and child died together",
            )
        )
    age = get("subject_age_years")
    if age is not None and age >= 18:
        problems += [
            _problem(n, f"applies to children, but the age given is {age:g}") for n in _CHILD_ONLY if get(n)
        ]
    if get("no_prior_agency_involvement") and (
        get("known_to_childrens_social_care") or get("child_protection_plan")
    ):
        problems.append(
            _problem(
                "no_prior_agency_involvement", "is yes, but the family was known to children's social care"
            )
        )
    if get("family_languages") and get("interpreter_needed") is False:
        problems.append(_problem("family_languages", "names languages, but no interpreter was needed"))
    if get("abuse_or_neglect") == "not_suspected" and "serious_sexual_abuse" in get("serious_harm_kinds", ()):
        problems.append(
            _problem(
                "abuse_or_neglect",
                f"is '{answer_words('abuse_or_neglect', 'not_suspected')}', but the harm was serious sexual "
                "abuse",
            )
        )
    return problems


def _refuse_oversized(raw: Mapping[Any, Any]) -> None:
    """One short ``Invalid`` for an object larger or deeper than any case, before any work per feature:
    the threshold check is public, and a problem for each of 150,000 keys once made a 144 MB answer."""
    if len(raw) > len(CATALOGUE):
        raise Invalid(
            f"These are {len(raw)} features, more than the {len(CATALOGUE)} the catalogue has.",
            [_problem(None, f"send only features the catalogue lists (at most {len(CATALOGUE)})")],
        )
    for name, value in raw.items():
        if isinstance(value, Mapping) or (
            isinstance(value, list) and any(isinstance(item, list | Mapping) for item in value)
        ):
            raise Invalid(
                "A feature's answer is nested deeper than any feature takes.",
                [_problem(str(name), "takes one value, or a list of values, not lists or objects inside it")],
            )


def validate(raw: Any, *, today: date | None = None) -> dict[str, Any]:
    """Check and normalise case features, raising ``Invalid`` with every problem found at once.

    ``today`` (when given) rejects dates in the future. Unknown answers are dropped, so the result holds
    only what is known.
    """
    if not isinstance(raw, Mapping):
        raise Invalid(
            "Case features must be a JSON object.", [_problem(None, "expected an object of features")]
        )
    _refuse_oversized(raw)
    problems: list[dict[str, Any]] = []
    features: dict[str, Any] = {}
    for name, value in raw.items():
        feature = BY_NAME.get(name) if isinstance(name, str) else None
        if feature is None:
            close = difflib.get_close_matches(str(name), BY_NAME, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(_problem(str(name), f"unknown feature{hint}", sorted(BY_NAME)))
        elif value is not None and value != UNKNOWN:
            parsed = _parse(feature, value, problems)
            if parsed is not None:
                features[name] = parsed
    country = features.get("country")
    if country in OUTSIDE_ENGLAND and features.get(RESIDENT) is not True:
        problems.append(
            _problem(
                "country",
                f"is outside England. {OUTSIDE_ENGLAND[country]} England's rules apply there only to a "
                "child normally resident in England (Children Act 2004 s16C(1)(b)).",
                ["england"],
            )
        )
    problems += _contradictions(features, today)
    if problems:
        raise Invalid(f"{len(problems)} problem(s) with the case features.", problems)
    return features


def to_json(features: Features) -> dict[str, Any]:
    """Features back in their JSON form, in catalogue order (for storage and reproduction)."""
    out: dict[str, Any] = {}
    for name in sorted(features, key=ORDER.__getitem__):
        value = features[name]
        out[name] = (
            value.isoformat()
            if isinstance(value, date)
            else list(value)
            if isinstance(value, tuple)
            else value
        )
    return out


def _value_schema(feature: Feature) -> dict[str, Any]:
    match feature.type:
        case Kind.date:
            return {"type": "string", "format": "date"}
        case Kind.choice:
            return {"type": "string", "enum": list(feature.values)}
        case Kind.choices:
            return {
                "type": "array",
                "items": {"type": "string", "enum": list(feature.values)},
                "uniqueItems": True,
            }
        case Kind.boolean:
            return {"type": "boolean"}
        case Kind.number:
            return {"type": "number", "minimum": feature.minimum, "maximum": feature.maximum}
        case Kind.text:
            return {"type": "string", "minLength": 1, "maxLength": feature.max_length}
        case _:  # Kind.text_list
            item = (
                {"type": "string", "minLength": 1, "maxLength": feature.max_length}
                if feature.words
                else {"type": "string", "pattern": f"^{_SLUG.pattern}$", "maxLength": feature.max_length}
            )
            return {"type": "array", "items": item}


def json_schema() -> dict[str, Any]:
    """JSON Schema of the case-feature object, built from the catalogue (the API's request body)."""
    properties = {
        f.name: {
            "anyOf": [_value_schema(f), {"type": "null"}, {"const": UNKNOWN}],
            "title": f.name,
            "description": f"{f.question} {f.help}".strip(),
        }
        for f in CATALOGUE
    }
    return {
        "title": "CaseFeatures",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "description": "Facts about a case. Leave out, or send null or 'unknown', what is not known.",
    }
