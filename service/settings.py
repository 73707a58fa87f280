"""Service settings, read from the environment (prefix ``SCR_``) and an optional ``.env`` file."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set; defaults give a working local service on SQLite."""

    model_config = SettingsConfigDict(env_prefix="SCR_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./scr.db"
    dbs_recheck_years: int = Field(
        default=3, ge=1, le=10, description="A DBS check older than this is expired."
    )
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    csv_max_rows: int = Field(default=5_000, ge=1)
    secret_key: str = "change-me-in-production"
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = "https://slack.com/api/"
    slack_reminder_channel: str = ""
    slack_admin_channel: str = ""


@lru_cache
def get_settings() -> Settings:
    """One settings object per process; tests clear the cache when they change the environment."""
    return Settings()
