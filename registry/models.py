"""Tables and schemas of the approved list, one Base / Create / Update / Public chain per resource."""

from datetime import date, datetime
from typing import ClassVar, Self

from pydantic import ConfigDict, EmailStr, field_validator, model_validator
from sqlalchemy import JSON, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel

from core.clock import utcnow
from core.values import Day, Line, OptionalLine, OptionalText, PastDay, Text
from registry.identities import HELD_IDENTITY, SlackHolder, SlackIdentity
from registry.version import RegistryVersion  # noqa: F401  (registers its table with the others)
from registry.vocabulary import (
    Accreditation,
    AgencyKind,
    Background,
    ConsultantStatus,
    EngagementKind,
    RegistrationBody,
    ReviewRole,
    ReviewType,
    Specialism,
)

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# sqlmodel.Field ignores `regex`; a pattern reaches pydantic through schema_extra.
SLACK_USER_ID = r"^[UW][A-Z0-9]{2,31}$"
SLACK_TEAM_ID = r"^T[A-Z0-9]{2,31}$"  # a Slack workspace
SLACK_TEAM_DESCRIPTION = (
    "the Slack workspace (team id, T...) the member id belongs to; leave it out for the deployment's own "
    "workspace. Give it with slack_user_id."
)
CSV_SEPARATORS = (";", "|")
CASE_REF = r"^[A-Za-z0-9][A-Za-z0-9-]*$"


def fold(name: str) -> str:
    """The form names and aliases are matched in: whitespace collapsed, case-folded."""
    return " ".join(name.split()).casefold()


# List columns: JSONB on PostgreSQL, so listing filters test membership without re-parsing text per row.
JSON_LIST = JSON().with_variant(JSONB(), "postgresql")


class Input(SQLModel):
    """Base of the input schemas: trims what people type or paste, so stored text matches what a CSV
    round trip reads.

    Each input schema takes its text and dates as ``core.values`` types (``Line``, ``Text``, their
    optional forms, ``Day``, ``PastDay``), re-declaring the fields it shares with its table: the table and
    the public schemas keep plain types, so a record stored before a check was added can still be read.
    """

    model_config = ConfigDict(str_strip_whitespace=True)


class PeriodInput(Input):
    """An input holding a period, whose ``PERIOD`` names its start and end fields: it may not end before
    it starts (either may be unknown)."""

    PERIOD: ClassVar[tuple[str, str]]

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        start_name, end_name = self.PERIOD
        start, end = getattr(self, start_name), getattr(self, end_name)
        if start is not None and end is not None and end < start:
            raise ValueError(f"{end_name} ({end}) is before {start_name} ({start})")
        return self


def _normalise_words(values: list[str]) -> list[str]:
    """Trim, drop empties and duplicates, keep order: free-text list cells come from spreadsheets."""
    seen: dict[str, None] = {}
    for value in values:
        cleaned = " ".join(value.split())
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def _no_separators(value: str) -> str:
    """Refuse the characters the CSV uses between items, so an export always imports back the same."""
    if any(separator in value for separator in CSV_SEPARATORS):
        raise ValueError(f"must not contain {' or '.join(repr(s) for s in CSV_SEPARATORS)}: {value!r}")
    return value


def _clean_words(values: list[str] | None) -> list[str] | None:
    return None if values is None else [_no_separators(value) for value in _normalise_words(values)]


def _lower_email(value: str | None) -> str | None:
    """Emails are matched case-insensitively (imports match on them), so store them lower-case."""
    return None if value is None else value.lower()


# Agencies ------------------------------------------------------------------------------------


class AgencyBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: AgencyKind = Field(sa_type=String(32))
    area: str = Field(min_length=1, max_length=100, index=True)


class Agency(AgencyBase, table=True):
    id: str = Field(primary_key=True, max_length=64)


class AgencyAlias(SQLModel, table=True):
    """Another name for an agency, stored case-folded so a lookup is one indexed equality."""

    __tablename__ = "agency_alias"

    alias: str = Field(primary_key=True, max_length=200)
    agency_id: str = Field(foreign_key="agency.id", index=True, max_length=64, ondelete="CASCADE")


class AgencyCreate(AgencyBase, Input):
    id: str = Field(min_length=2, max_length=64, schema_extra={"pattern": SLUG})
    name: Line = Field(min_length=1, max_length=200)
    area: Line = Field(min_length=1, max_length=100)
    aliases: list[Line] = Field(default_factory=list)

    @field_validator("aliases")
    @classmethod
    def _clean_aliases(cls, value: list[str]) -> list[str]:
        return _normalise_words(value)


class AgencyUpdate(Input):
    """Every field optional; ``aliases``, when sent, replaces the agency's aliases."""

    name: OptionalLine = Field(default=None, min_length=1, max_length=200)
    kind: AgencyKind | None = None
    area: OptionalLine = Field(default=None, min_length=1, max_length=100)
    aliases: list[Line] | None = None

    @field_validator("aliases")
    @classmethod
    def _clean_aliases(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _normalise_words(value)


class AgencyPublic(AgencyBase):
    id: str
    aliases: list[str] = []


# Consultants ---------------------------------------------------------------------------------


class ConsultantBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr = Field(max_length=254, unique=True, index=True)
    phone: str | None = Field(default=None, max_length=40)
    backgrounds: list[Background] = Field(default_factory=list, sa_type=JSON_LIST)
    registration_body: RegistrationBody | None = Field(default=None, sa_type=String(32))
    registration_number: str | None = Field(default=None, max_length=40)
    registration_expiry: date | None = None
    dbs_check_date: date | None = None
    insurance_expiry: date | None = None
    specialisms: list[Specialism] = Field(default_factory=list, sa_type=JSON_LIST)
    languages: list[str] = Field(default_factory=list, sa_type=JSON_LIST)
    areas: list[str] = Field(default_factory=list, sa_type=JSON_LIST)
    day_rate: int | None = Field(default=None, ge=0, le=5000, description="GBP per day")
    capacity: int = Field(default=2, ge=1, le=5, description="maximum concurrent reviews")
    notes: str | None = Field(default=None, max_length=4000)


class Consultant(SlackHolder, ConsultantBase, table=True):
    """A consultant; their Slack member id (``slack_user_id``) is kept in ``SlackIdentity``."""

    id: int | None = Field(default=None, primary_key=True)
    status: ConsultantStatus = Field(default=ConsultantStatus.applied, sa_type=String(16), index=True)
    status_reason: str | None = Field(default=None, max_length=1000)
    approved_on: date | None = None
    reapproval_due: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    slack_identity: SlackIdentity | None = Relationship(
        sa_relationship_kwargs={**HELD_IDENTITY, "foreign_keys": "[SlackIdentity.consultant_id]"}
    )


class SlackAccountInput(Input):
    """A Slack member id and, when it is not the deployment's own, the workspace it belongs to."""

    slack_user_id: str | None = Field(default=None, max_length=32, schema_extra={"pattern": SLACK_USER_ID})
    slack_team_id: str | None = Field(
        default=None,
        max_length=32,
        schema_extra={"pattern": SLACK_TEAM_ID},
        description=SLACK_TEAM_DESCRIPTION,
    )

    @model_validator(mode="after")
    def _workspace_with_member(self) -> Self:
        """A workspace alone links no one: it names where the member id given with it belongs."""
        if self.slack_team_id is not None and not self.slack_user_id:
            raise ValueError("slack_team_id names the workspace of slack_user_id: give the member id too")
        return self


class ConsultantCreate(ConsultantBase, SlackAccountInput):
    name: Line = Field(min_length=1, max_length=200)
    phone: OptionalLine = Field(default=None, max_length=40)
    registration_number: OptionalLine = Field(default=None, max_length=40)
    registration_expiry: Day | None = None
    dbs_check_date: PastDay | None = None
    insurance_expiry: Day | None = None
    languages: list[Line] = Field(default_factory=list)
    areas: list[Line] = Field(default_factory=list)
    notes: OptionalText = Field(default=None, max_length=4000)

    @field_validator("languages", "areas")
    @classmethod
    def _clean_lists(cls, value: list[str]) -> list[str] | None:
        return _clean_words(value)

    @field_validator("backgrounds", "specialisms")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str | None:
        return _lower_email(value)


class ConsultantUpdate(SlackAccountInput):
    """Every field optional: only the fields sent are changed."""

    name: OptionalLine = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = Field(default=None, max_length=254)
    phone: OptionalLine = Field(default=None, max_length=40)
    backgrounds: list[Background] | None = None
    registration_body: RegistrationBody | None = None
    registration_number: OptionalLine = Field(default=None, max_length=40)
    registration_expiry: Day | None = None
    dbs_check_date: PastDay | None = None
    insurance_expiry: Day | None = None
    specialisms: list[Specialism] | None = None
    languages: list[Line] | None = None
    areas: list[Line] | None = None
    day_rate: int | None = Field(default=None, ge=0, le=5000)
    capacity: int | None = Field(default=None, ge=1, le=5)
    notes: OptionalText = Field(default=None, max_length=4000)
    reapproval_due: Day | None = None

    @field_validator("languages", "areas")
    @classmethod
    def _clean_lists(cls, value: list[str] | None) -> list[str] | None:
        return _clean_words(value)

    @field_validator("backgrounds", "specialisms")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else list(dict.fromkeys(value))

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return _lower_email(value)


class ConsultantPublic(ConsultantBase):
    # Read back as it was stored, where it was checked: checking it again for every consultant listed
    # (international domain names and all) was most of the cost of a page of them.
    email: str = Field(max_length=254, schema_extra={"json_schema_extra": {"format": "email"}})
    slack_user_id: str | None = None
    slack_team_id: str | None = Field(
        default=None, description="the Slack workspace of slack_user_id; null: the deployment's own"
    )
    id: int
    status: ConsultantStatus
    status_reason: str | None
    approved_on: date | None
    reapproval_due: date | None


class ConsultantListed(SQLModel):
    """A consultant as chairs and analysts see them: the name, specialisms and standing on the list, and
    none of their personal details (contact details, checks, day rate, notes, declared interests)."""

    id: int
    name: str
    specialisms: list[Specialism]
    status: ConsultantStatus

    @classmethod
    def of(cls, consultant: "ConsultantPublic | Consultant") -> "ConsultantListed":
        return cls(
            id=consultant.id,  # type: ignore[arg-type]
            name=consultant.name,
            specialisms=consultant.specialisms,
            status=consultant.status,
        )


class StatusChange(Input):
    reason: Text = Field(min_length=3, max_length=1000)


class ImportedStatus(Input):
    """The status columns a CSV row may set directly (the API sets them through the status actions), so
    the import checks them, dry run included, as it checks a consultant's other fields."""

    status_reason: OptionalText = Field(default=None, max_length=1000)
    approved_on: PastDay | None = None
    reapproval_due: Day | None = None


class ConsultantPage(SQLModel):
    """One page of a filtered listing, with the total the filters match."""

    items: list[ConsultantPublic]
    total: int
    limit: int
    offset: int


class ConsultantListedPage(SQLModel):
    """One page of a listing as chairs and analysts see it (``ConsultantListed``)."""

    items: list[ConsultantListed]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: ConsultantPage) -> "ConsultantListedPage":
        items = [ConsultantListed.of(item) for item in page.items]
        return cls(items=items, total=page.total, limit=page.limit, offset=page.offset)


# What is held about a consultant -------------------------------------------------------------


class HeldAbout(SQLModel):
    """A row of what is held about one consultant (a tie, an interest, time away, an accreditation, a
    review), deleted with their record. Listed after its own fields, as the tables were made."""

    id: int | None = Field(default=None, primary_key=True)
    consultant_id: int = Field(foreign_key="consultant.id", index=True, ondelete="CASCADE")


class HeldAboutPublic(SQLModel):
    id: int
    consultant_id: int


# Engagement history --------------------------------------------------------------------------


class EngagementBase(SQLModel):
    agency_id: str = Field(foreign_key="agency.id", max_length=64)
    role_title: str = Field(min_length=1, max_length=200)
    kind: EngagementKind = Field(sa_type=String(16))
    start_date: date | None = Field(default=None, description="from; unknown start allowed")
    end_date: date | None = Field(default=None, description="to; empty means current")


class Engagement(HeldAbout, EngagementBase, table=True):
    """A tie between a consultant and an agency; conflict checks query it by agency, kind and end date."""

    __table_args__ = (Index("ix_engagement_agency_kind_end", "agency_id", "kind", "end_date"),)

    confirmed: bool = Field(default=True, description="self-declared ties count once an admin confirms")


class EngagementDeclaration(EngagementBase, PeriodInput):
    """A tie as a consultant declares it (unconfirmed until an admin confirms it).

    ``agency_id`` may be the agency's id, name or any alias; it is stored as the id.
    """

    PERIOD = ("start_date", "end_date")

    agency_id: Line = Field(min_length=1, max_length=200)
    role_title: Line = Field(min_length=1, max_length=200)
    start_date: Day | None = Field(default=None, description="from; unknown start allowed")
    end_date: Day | None = Field(default=None, description="to; empty means current")

    @field_validator("role_title")
    @classmethod
    def _role_title(cls, value: str) -> str:
        return _no_separators(value)


class EngagementCreate(EngagementDeclaration):
    """A tie as an admin records it: confirmed unless said otherwise."""

    confirmed: bool = True


class EngagementUpdate(Input):
    role_title: OptionalLine = Field(default=None, min_length=1, max_length=200)
    kind: EngagementKind | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    confirmed: bool | None = None

    @field_validator("role_title")
    @classmethod
    def _role_title(cls, value: str | None) -> str | None:
        return None if value is None else _no_separators(value)


class EngagementPublic(HeldAboutPublic, EngagementBase):
    confirmed: bool


# Declared interests --------------------------------------------------------------------------


class InterestFields(SQLModel):
    text: str = Field(min_length=3, max_length=2000)
    agency_id: str | None = Field(default=None, foreign_key="agency.id", max_length=64)
    case_ref: str | None = Field(default=None, max_length=32, index=True)


class InterestBase(InterestFields):
    declared_on: date


class Interest(HeldAbout, InterestBase, table=True):
    confirmed: bool = Field(default=True, description="self-declared interests count once an admin confirms")


class InterestDeclaration(InterestFields, Input):
    """An interest as a consultant declares it: dated the day it is made, unconfirmed until an admin
    confirms it. ``agency_id`` may be the agency's id, name or any alias; it is stored as the id."""

    text: Text = Field(min_length=3, max_length=2000)
    agency_id: OptionalLine = Field(default=None, min_length=1, max_length=200)
    case_ref: str | None = Field(
        default=None, min_length=1, max_length=32, schema_extra={"pattern": CASE_REF}
    )

    @field_validator("case_ref")
    @classmethod
    def _ref_as_issued(cls, value: str | None) -> str | None:
        """References are issued in capitals; one typed in lower case still names the case."""
        return None if value is None else value.upper()


class InterestCreate(InterestBase, Input):
    """``agency_id`` may be the agency's id, name or any alias; it is stored as the id."""

    text: Text = Field(min_length=3, max_length=2000)
    agency_id: OptionalLine = Field(default=None, min_length=1, max_length=200)
    case_ref: OptionalLine = Field(default=None, max_length=32)
    declared_on: PastDay
    confirmed: bool = True


class InterestPublic(HeldAboutPublic, InterestBase):
    confirmed: bool


# Availability --------------------------------------------------------------------------------


class AbsenceBase(SQLModel):
    start_date: date = Field(description="first day away")
    end_date: date = Field(description="last day away")


class Absence(HeldAbout, AbsenceBase, table=True):
    """A period a consultant is away: no new review while it lasts, a warning if it falls in one."""


class AbsenceCreate(AbsenceBase, PeriodInput):
    PERIOD = ("start_date", "end_date")

    start_date: Day = Field(description="first day away")
    end_date: Day = Field(description="last day away")


class AbsencePublic(HeldAboutPublic, AbsenceBase):
    pass


class AvailabilityUpdate(Input):
    """What a consultant keeps up to date themselves; only the fields sent change."""

    capacity: int | None = Field(default=None, ge=1, le=5, description="maximum concurrent reviews")
    away: list[AbsenceCreate] | None = Field(
        default=None, max_length=20, description="every period away from today on; replaces those held"
    )


# Accreditations and training -----------------------------------------------------------------


class AccreditationBase(SQLModel):
    name: Accreditation = Field(sa_type=String(48))
    awarded_on: date
    expires_on: date | None = None


class ConsultantAccreditation(HeldAbout, AccreditationBase, table=True):
    __tablename__ = "accreditation"


class AccreditationCreate(AccreditationBase, PeriodInput):
    PERIOD = ("awarded_on", "expires_on")

    awarded_on: PastDay
    expires_on: Day | None = None


class AccreditationPublic(HeldAboutPublic, AccreditationBase):
    pass


# Review record -------------------------------------------------------------------------------


class ReviewRecordBase(SQLModel):
    case_ref: str = Field(min_length=1, max_length=32)
    review_type: ReviewType = Field(sa_type=String(24))
    role: ReviewRole = Field(sa_type=String(24))
    started_on: date
    completed_on: date | None = None
    rating: int | None = Field(default=None, ge=1, le=4, description="1 inadequate .. 4 outstanding")
    comment: str | None = Field(default=None, max_length=2000)


class ReviewRecord(HeldAbout, ReviewRecordBase, table=True):
    __tablename__ = "review_record"


class ReviewRecordCreate(ReviewRecordBase, PeriodInput):
    PERIOD = ("started_on", "completed_on")

    case_ref: Line = Field(min_length=1, max_length=32)
    started_on: PastDay
    completed_on: PastDay | None = None
    comment: OptionalText = Field(default=None, max_length=2000)


class ReviewRecordUpdate(Input):
    """Ratings usually arrive after the review ends, so a record is completed by PATCH."""

    case_ref: OptionalLine = Field(default=None, min_length=1, max_length=32)
    review_type: ReviewType | None = None
    role: ReviewRole | None = None
    started_on: PastDay | None = None
    completed_on: PastDay | None = None
    rating: int | None = Field(default=None, ge=1, le=4)
    comment: OptionalText = Field(default=None, max_length=2000)


class ReviewRecordPublic(HeldAboutPublic, ReviewRecordBase):
    pass


class ConsultantDetail(ConsultantPublic):
    """A consultant with everything held about them."""

    engagements: list[EngagementPublic] = []
    interests: list[InterestPublic] = []
    accreditations: list[AccreditationPublic] = []
    reviews: list[ReviewRecordPublic] = []
    away: list[AbsencePublic] = []
