"""Service settings, read from the environment (prefix ``SCR_``) and an optional ``.env`` file."""

from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set; defaults give a working local service on SQLite."""

    model_config = SettingsConfigDict(env_prefix="SCR_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./scr.db"
    dbs_recheck_years: int = Field(
        default=3, ge=1, le=10, description="A DBS check older than this is expired."
    )
    reapproval_years: int = Field(
        default=3, ge=1, le=10, description="Approval lasts this long before the consultant is re-approved."
    )
    retention_years: int = Field(
        default=6,
        ge=1,
        le=100,
        description="Local policy, not law (set the board's own retention schedule): a case closed more than "
        "this many years ago loses its free text (board reasons, declaration statements, terms of reference, "
        "review comments) at the next 'scr retention purge'; its features and outcomes are kept.",
    )
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    csv_max_rows: int = Field(default=5_000, ge=1)
    secret_key: str = "change-me-in-production"
    secure_cookies: bool = Field(
        default=False, description="Send the admin session cookie over HTTPS only; set true behind TLS."
    )
    session_hours: int = Field(default=8, ge=1, le=24 * 7, description="An admin session lasts this long.")
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = "https://slack.com/api/"
    slack_reminder_channel: str = ""
    slack_admin_channel: str = ""
    slack_reminder_lead_days: int = Field(
        default=2, ge=0, le=30, description="Post a deadline reminder this many days before it falls due."
    )
    slack_reminder_interval_seconds: int = Field(
        default=900, ge=0, description="How often the bot looks for due reminders; 0 turns the loop off."
    )
    service_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where a separate bot process (Socket Mode) reaches the API.",
    )
    bot_api_token: str = Field(
        default="",
        description="API token of the service user with the bot role (scr user add ... --role bot).",
    )

    independence_policy: dict[str, Any] = Field(
        default_factory=dict,
        description="JSON overrides of the independence policy's defaults (registry/policy.py), "
        'e.g. {"employment_block_years": 7}; dbs_recheck_years comes from its own setting unless given here.',
    )
    ranking_policy: dict[str, Any] = Field(
        default_factory=dict, description="JSON overrides of the shortlist's points (registry/policy.py)."
    )

    rule_settings: dict[str, Any] = Field(
        default_factory=dict,
        description="JSON values for the threshold rulesets' settings (the 'params' of "
        'commissioning/rulesets/*.json), e.g. {"psirf_from": "2023-10-01"}; decisions made under them '
        "record a marked ruleset version.",
    )

    @field_validator("rule_settings")
    @classmethod
    def _known_rule_settings(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Fail at start-up on a misspelt or mistyped ruleset setting, not silently keep a default."""
        from commissioning.rules import load_all

        load_all(value)
        return value

    @field_validator("independence_policy", "ranking_policy")
    @classmethod
    def _known_policy_settings(cls, value: dict[str, Any], info: Any) -> dict[str, Any]:
        """Fail at start-up on a misspelt or mistyped policy setting, not silently keep a default."""
        from registry.policy import IndependencePolicy, RankingPolicy, configured

        configured(IndependencePolicy if info.field_name == "independence_policy" else RankingPolicy, value)
        return value


@lru_cache
def get_settings() -> Settings:
    """One settings object per process; tests clear the cache when they change the environment."""
    return Settings()
