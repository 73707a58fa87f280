"""Tables and schemas of the approved list, one Base / Create / Update / Public chain per resource."""

from datetime import date, datetime

from pydantic import EmailStr, field_validator
from sqlalchemy import JSON, Index, String
from sqlmodel import Field, SQLModel

from registry.clock import utcnow
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


def _normalise_words(values: list[str]) -> list[str]:
    """Trim, drop empties and duplicates, keep order: free-text list cells come from spreadsheets."""
    seen: dict[str, None] = {}
    for value in values:
        cleaned = " ".join(value.split())
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


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


class AgencyCreate(AgencyBase):
    id: str = Field(min_length=2, max_length=64, regex=SLUG)
    aliases: list[str] = Field(default_factory=list)

    @field_validator("aliases")
    @classmethod
    def _clean_aliases(cls, value: list[str]) -> list[str]:
        return _normalise_words(value)


class AgencyUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: AgencyKind | None = None
    area: str | None = Field(default=None, min_length=1, max_length=100)
    aliases: list[str] | None = None


class AgencyPublic(AgencyBase):
    id: str
    aliases: list[str] = []


# Consultants ---------------------------------------------------------------------------------


class ConsultantBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr = Field(max_length=254, unique=True, index=True)
    phone: str | None = Field(default=None, max_length=40)
    slack_user_id: str | None = Field(default=None, max_length=32, regex=r"^[UW][A-Z0-9]{2,31}$", index=True)
    backgrounds: list[Background] = Field(default_factory=list, sa_type=JSON)
    registration_body: RegistrationBody | None = Field(default=None, sa_type=String(32))
    registration_number: str | None = Field(default=None, max_length=40)
    registration_expiry: date | None = None
    dbs_check_date: date | None = None
    insurance_expiry: date | None = None
    specialisms: list[Specialism] = Field(default_factory=list, sa_type=JSON)
    languages: list[str] = Field(default_factory=list, sa_type=JSON)
    areas: list[str] = Field(default_factory=list, sa_type=JSON)
    day_rate: int | None = Field(default=None, ge=0, le=5000, description="GBP per day")
    capacity: int = Field(default=2, ge=1, le=5, description="maximum concurrent reviews")
    notes: str | None = Field(default=None, max_length=4000)


class Consultant(ConsultantBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    status: ConsultantStatus = Field(default=ConsultantStatus.applied, sa_type=String(16), index=True)
    status_reason: str | None = Field(default=None, max_length=1000)
    approved_on: date | None = None
    reapproval_due: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ConsultantCreate(ConsultantBase):
    @field_validator("languages", "areas")
    @classmethod
    def _clean_lists(cls, value: list[str]) -> list[str]:
        return _normalise_words(value)


class ConsultantUpdate(SQLModel):
    """Every field optional: only the fields sent are changed."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    slack_user_id: str | None = Field(default=None, max_length=32, regex=r"^[UW][A-Z0-9]{2,31}$")
    backgrounds: list[Background] | None = None
    registration_body: RegistrationBody | None = None
    registration_number: str | None = Field(default=None, max_length=40)
    registration_expiry: date | None = None
    dbs_check_date: date | None = None
    insurance_expiry: date | None = None
    specialisms: list[Specialism] | None = None
    languages: list[str] | None = None
    areas: list[str] | None = None
    day_rate: int | None = Field(default=None, ge=0, le=5000)
    capacity: int | None = Field(default=None, ge=1, le=5)
    notes: str | None = Field(default=None, max_length=4000)
    reapproval_due: date | None = None


class ConsultantPublic(ConsultantBase):
    id: int
    status: ConsultantStatus
    status_reason: str | None
    approved_on: date | None
    reapproval_due: date | None


class StatusChange(SQLModel):
    reason: str = Field(min_length=3, max_length=1000)


# Engagement history --------------------------------------------------------------------------


class EngagementBase(SQLModel):
    agency_id: str = Field(foreign_key="agency.id", max_length=64)
    role_title: str = Field(min_length=1, max_length=200)
    kind: EngagementKind = Field(sa_type=String(16))
    start_date: date | None = Field(default=None, description="from; unknown start allowed")
    end_date: date | None = Field(default=None, description="to; empty means current")


class Engagement(EngagementBase, table=True):
    """A tie between a consultant and an agency; conflict checks query it by agency, kind and end date."""

    __table_args__ = (Index("ix_engagement_agency_kind_end", "agency_id", "kind", "end_date"),)

    id: int | None = Field(default=None, primary_key=True)
    consultant_id: int = Field(foreign_key="consultant.id", index=True, ondelete="CASCADE")
    confirmed: bool = Field(default=True, description="self-declared ties count once an admin confirms")


class EngagementCreate(EngagementBase):
    pass


class EngagementUpdate(SQLModel):
    role_title: str | None = Field(default=None, min_length=1, max_length=200)
    kind: EngagementKind | None = None
    start_date: date | None = None
    end_date: date | None = None
    confirmed: bool | None = None


class EngagementPublic(EngagementBase):
    id: int
    consultant_id: int
    confirmed: bool


# Declared interests --------------------------------------------------------------------------


class InterestBase(SQLModel):
    text: str = Field(min_length=3, max_length=2000)
    agency_id: str | None = Field(default=None, foreign_key="agency.id", max_length=64)
    case_ref: str | None = Field(default=None, max_length=32, index=True)
    declared_on: date


class Interest(InterestBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    consultant_id: int = Field(foreign_key="consultant.id", index=True, ondelete="CASCADE")


class InterestCreate(InterestBase):
    pass


class InterestPublic(InterestBase):
    id: int
    consultant_id: int


# Accreditations and training -----------------------------------------------------------------


class AccreditationBase(SQLModel):
    name: Accreditation = Field(sa_type=String(48))
    awarded_on: date
    expires_on: date | None = None


class ConsultantAccreditation(AccreditationBase, table=True):
    __tablename__ = "accreditation"

    id: int | None = Field(default=None, primary_key=True)
    consultant_id: int = Field(foreign_key="consultant.id", index=True, ondelete="CASCADE")


class AccreditationCreate(AccreditationBase):
    pass


class AccreditationPublic(AccreditationBase):
    id: int
    consultant_id: int


# Review record -------------------------------------------------------------------------------


class ReviewRecordBase(SQLModel):
    case_ref: str = Field(min_length=1, max_length=32)
    review_type: ReviewType = Field(sa_type=String(24))
    role: ReviewRole = Field(sa_type=String(24))
    started_on: date
    completed_on: date | None = None
    rating: int | None = Field(default=None, ge=1, le=4, description="1 inadequate .. 4 outstanding")
    comment: str | None = Field(default=None, max_length=2000)


class ReviewRecord(ReviewRecordBase, table=True):
    __tablename__ = "review_record"

    id: int | None = Field(default=None, primary_key=True)
    consultant_id: int = Field(foreign_key="consultant.id", index=True, ondelete="CASCADE")


class ReviewRecordCreate(ReviewRecordBase):
    pass


class ReviewRecordPublic(ReviewRecordBase):
    id: int
    consultant_id: int


class ConsultantDetail(ConsultantPublic):
    """A consultant with everything held about them."""

    engagements: list[EngagementPublic] = []
    interests: list[InterestPublic] = []
    accreditations: list[AccreditationPublic] = []
    reviews: list[ReviewRecordPublic] = []
