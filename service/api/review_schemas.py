"""The request and response schemas of what follows a review's commissioning: its milestones
(``service.api.milestones``) and its recommendations and action plans (``service.api.recommendations``),
as ``service.api.schemas`` holds the rest."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, HttpUrl

from commissioning.recommendations import Change, Status
from core.values import Day, Line, OptionalLine, OptionalText, Text

# The review's milestones (service.api.milestones) --------------------------------------------------


class MilestoneIn(BaseModel):
    kind: Line = Field(
        max_length=40,
        description="la_notified, panel_notified, rapid_review_sent, decision_to_initiate, review_started, "
        "draft_received, panel_told_before_publication, published or not_published",
    )
    on: Day = Field(
        description="the day it happened: not after today, nor before the incident or an earlier milestone"
    )
    note: OptionalText = Field(
        default=None, max_length=2000, description="required for not_published: the reason"
    )


class MilestoneOut(BaseModel):
    """One line of the case's timeline, recorded or still to come."""

    kind: str
    words: str = Field(description="what happened, in words (the Panel's or, before it existed, Ofsted's)")
    on: dt.date | None = Field(description="null while not recorded")
    note: str | None
    recorded_by: str | None
    recorded_at: dt.datetime | None
    due: dt.date | None = Field(description="the deadline it meets, from the rules' clocks; null when none")
    due_basis: str | None
    late: bool = Field(description="recorded after its deadline, or not recorded and the deadline has passed")
    standing: str = Field(description="late, on time, overdue or due, in words")


# Recommendations and action plans (service.api.recommendations) -----------------------------------


class RecommendationIn(BaseModel):
    text: Text = Field(min_length=1, max_length=5000, description="the recommendation as the review words it")
    scope: Literal["single_agency", "multi_agency"] | None = Field(
        default=None, description="whether it needs a single-agency or a multi-agency response"
    )
    agencies: list[Annotated[Line, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=30, description="the agencies asked to act: ids, names or aliases"
    )
    owner: OptionalLine = Field(default=None, max_length=200, description="the person or role accountable")
    priority: Literal["high", "medium", "low"] | None = None
    due: Day | None = Field(default=None, description="the date by which the change should be in place")
    finding: OptionalText = Field(default=None, max_length=5000, description="the finding it answers")


class WarningOut(BaseModel):
    check: str = Field(description="the writing check, as GET /recommendation-checks lists them")
    msg: str


class EvidenceOut(BaseModel):
    id: int
    kind: Literal["file", "link"]
    filename: str | None
    link: str | None
    bytes: int | None
    note: str | None
    added_by: str
    added_at: dt.datetime


class ActionOut(BaseModel):
    id: int
    recommendation_id: int
    agency_id: str | None
    agency: str | None
    text: str
    owner: str
    due: dt.date
    status: Status
    status_words: str
    overdue_days: int
    evidence: list[EvidenceOut]


class RecommendationAgencyOut(BaseModel):
    id: str
    name: str


class RecommendationOut(BaseModel):
    id: int
    case_ref: str
    number: int
    text: str
    scope: str | None
    scope_words: str
    agencies: list[RecommendationAgencyOut]
    owner: str | None
    priority: str | None
    due: dt.date | None
    finding: str | None
    status: Status
    status_words: str
    warnings: list[WarningOut]
    created_by: str
    created_at: dt.datetime
    closed_on: dt.date | None
    closed_by: str | None
    closed_note: str | None
    actions: list[ActionOut]


class RecommendationsImported(BaseModel):
    dry_run: bool
    recommendations: list[RecommendationIn | RecommendationOut] = Field(
        description="as read from the file (a dry run: with the warnings each would get), or as recorded"
    )
    warnings: list[list[WarningOut]] = Field(description="each recommendation's warnings, in order")


class OpenRecommendationOut(BaseModel):
    recommendation: RecommendationOut
    age_days: int = Field(description="days since it was recorded")
    partnership: str = Field(description="the lead partnership's name")


class RecommendationCheckOut(BaseModel):
    id: str
    title: str
    local: bool = Field(description="whether it rests on local practice")
    local_note: str | None
    sources: list[str]


class ActionIn(BaseModel):
    text: Text = Field(min_length=1, max_length=5000)
    owner: EmailStr = Field(max_length=254, description="who owns it: reminded by Slack or email when late")
    due: Day
    agency: OptionalLine = Field(
        default=None, max_length=200, description="the agency whose plan it is (id, name or alias)"
    )


class ActionChangeIn(BaseModel):
    change: Change = Field(description="start, submit_evidence, complete or send_back")
    note: OptionalText = Field(default=None, max_length=4000)
    links: list[HttpUrl] = Field(
        default_factory=list, max_length=10, description="links added as evidence before the change"
    )


class CloseIn(BaseModel):
    note: OptionalText = Field(default=None, max_length=4000)


class OwnedOut(BaseModel):
    case_ref: str
    recommendation: int
    action: ActionOut


class OverdueOut(BaseModel):
    action_id: int
    key: str = Field(description="the once-only claim of its reminder")
    due: dt.date
    days: int
    owner: str
    owner_slack_user_id: str | None = Field(description="when the owner is a user linked in Slack")
    owner_slack_team_id: str | None
    case_ref: str
    recommendation: int
    agency: str | None
    partnership: str = Field(description="the lead partnership's prefix")
    words: str = Field(description="the reminder in words for its owner: references and dates only")


class EmailedOut(BaseModel):
    claimed: bool = Field(description="false when its reminder had gone already")
    status: Literal["sent", "off", "failed", "already"]
    message: str
