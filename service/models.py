"""The service's own tables: users and the append-only audit log."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import EmailStr
from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel

from registry.clock import utcnow


class Role(StrEnum):
    admin = "admin"
    commissioner = "commissioner"
    chair = "chair"
    bot = "bot"


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=254, unique=True, index=True)
    role: Role = Field(sa_type=String(16))
    slack_user_id: str | None = Field(default=None, max_length=32, unique=True, index=True)


class User(UserBase, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class UserPublic(UserBase):
    id: int
    active: bool


class AuditEvent(SQLModel, table=True):
    """One change, written in the transaction that made it; ``hash`` chains each event to the one before."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=64)
    entity_type: str = Field(max_length=64)
    entity_id: str = Field(max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditEventPublic(SQLModel):
    id: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hash: str
