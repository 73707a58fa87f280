"""What the independence checks and the ranking read: plain, frozen data, no database.

``matching.candidates`` builds the profiles from the registry's tables, and commissioning builds a
``CaseContext`` from a case, so checks and ranking stay pure and matching never imports commissioning.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from registry.models import fold
from registry.vocabulary import ConsultantStatus, EngagementKind


@dataclass(frozen=True, slots=True)
class CaseContext:
    """The facts of a case that independence and fit depend on (never a child's name)."""

    ref: str
    area: str | None = None
    agencies: tuple[str, ...] = ()
    themes: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    interpreter_needed: bool = False
    due_date: date | None = None
    commissioning_agency_id: str | None = None


@dataclass(frozen=True, slots=True)
class Engagement:
    """A tie with an agency; ``end`` None means it continues."""

    id: int
    agency_id: str
    kind: EngagementKind
    start: date | None = None
    end: date | None = None
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class Interest:
    """A declared interest, in a case, an agency, or both."""

    id: int
    text: str
    declared_on: date
    agency_id: str | None = None
    case_ref: str | None = None
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class Away:
    """A period the consultant is away, first and last day included."""

    id: int
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class PastCommission:
    """A commission the consultant received, for rotation: when, and for which area's partnership."""

    id: int
    on: date
    area: str | None = None


@dataclass(frozen=True, slots=True)
class ConsultantProfile:
    """A consultant as the checks and the ranking read them; ``folded_languages`` and ``folded_areas`` are
    their lists as the ranking compares them (case-folded), worked out once rather than per case."""

    id: int
    name: str
    status: ConsultantStatus = ConsultantStatus.approved
    capacity: int = 2
    active_commissions: int = 0
    dbs_check_date: date | None = None
    registration_expiry: date | None = None
    insurance_expiry: date | None = None
    engagements: tuple[Engagement, ...] = ()
    interests: tuple[Interest, ...] = ()
    specialisms: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    mean_rating: float | None = None  # of the rated reviews on their record, 1 inadequate .. 4 outstanding
    rated_reviews: int = 0
    recent_commissions: tuple[PastCommission, ...] = ()
    away: tuple[Away, ...] = ()  # periods not yet over
    folded_languages: frozenset[str] = field(init=False, repr=False, compare=False)
    folded_areas: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded_languages", _folded(self.languages))
        object.__setattr__(self, "folded_areas", _folded(self.areas))


@lru_cache(maxsize=1 << 16)
def _folded(values: frozenset[str]) -> frozenset[str]:
    """``values`` case-folded; profiles share a few thousand lists of areas or languages at most."""
    return frozenset(map(str.casefold, values))


@dataclass(frozen=True)
class AgencyDirectory:
    """Resolves any name a record may use for an agency (an alias, a unit recorded agency-wide) to its id.

    ``aliases`` maps folded names (``registry.models.fold``) to agency ids; a name not in it stands for
    itself, folded.
    ``names`` gives the display name of an agency id, ``areas`` the area it is recorded in.
    """

    aliases: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    areas: Mapping[str, str] = field(default_factory=dict)

    def resolve(self, name: str) -> str:
        key = fold(name)
        return self.aliases.get(key, key)

    def name(self, agency_id: str) -> str:
        return self.names.get(agency_id, agency_id)

    def area(self, agency_id: str) -> str | None:
        return self.areas.get(agency_id)
