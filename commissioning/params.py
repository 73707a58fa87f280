"""Ruleset settings (``params``): facts the rules rely on, each with its source and whether it is confirmed,
and the values a board sets locally in their place (``SCR_RULE_SETTINGS``). Pure."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.errors import Invalid

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Param:
    """A fact the rules rely on, with its source; unconfirmed ones are flagged wherever they matter."""

    name: str
    value: Any
    confirmed: bool
    source: str
    note: str = ""
    range: tuple[date, date] | None = None  # for an unconfirmed date: the span it could really be

    def unsure_at(self, day: date | None) -> bool:
        """Whether relying on this value for ``day`` rests on an unconfirmed fact."""
        if self.confirmed:
            return False
        return self.range is None or day is None or self.range[0] <= day <= self.range[1]

    def to_json(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {
            "name": self.name,
            "value": value,
            "confirmed": self.confirmed,
            "source": self.source,
            "note": self.note,
        }


def _parse_value(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) and _ISO_DATE.fullmatch(value) else value


def _check_override(param: Param, value: Any) -> Any:
    """The override in the setting's own type: a date (or null for 'never'), a number or true/false."""
    parsed = _parse_value(value)
    if isinstance(param.value, date) or param.value is None:
        fits = parsed is None or isinstance(parsed, date)
    else:
        fits = type(parsed) is type(param.value)
    if not fits:
        raise Invalid(
            f"Setting {param.name!r} has the wrong type.",
            [{"feature": None, "msg": f"{param.name}: {value!r} is not like {param.to_json()['value']!r}"}],
        )
    return parsed


def parse_param(name: str, spec: Mapping[str, Any], overrides: Mapping[str, Any]) -> Param:
    value = _parse_value(spec["value"])
    span = spec.get("range")
    param = Param(
        name,
        value,
        spec["confirmed"],
        spec["source"],
        spec.get("note", ""),
        (date.fromisoformat(span[0]), date.fromisoformat(span[1])) if span else None,
    )
    if (
        name in overrides
    ):  # a local setting is the board's own fact: no longer flagged, but shown in the version
        default = param.to_json()["value"]
        param = Param(
            name,
            _check_override(param, overrides[name]),
            True,
            param.source,
            f"set locally (default {default})",
        )
    return param
