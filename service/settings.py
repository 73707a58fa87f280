"""Service settings, read from the environment (prefix ``SCR_``) and an optional ``.env`` file."""

import ipaddress
from dataclasses import fields
from datetime import date
from email.utils import parseaddr
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:
    from bot.settings import BotSettings

# A key anyone could guess guards nothing: the service refuses to start on these, an empty or a short one.
PLACEHOLDER_SECRET_KEYS = frozenset({"change-me-in-production"})
MIN_SECRET_KEY_BYTES = 32
MAKE_A_SECRET_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
MIN_METRICS_TOKEN_CHARS = 24  # a token a scraper holds, never typed: long enough that guessing is hopeless


class InsecureSecretKey(RuntimeError):
    """SCR_SECRET_KEY is unset, a placeholder or too short to sign anything safely."""


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
    chronology_working_days: int = Field(
        default=20,
        ge=1,
        le=120,
        description="Local policy: an agency's chronology is due this many working days (England's bank "
        "holidays aside) after the request is issued; a partnership may set its own.",
    )
    retention_years: int = Field(
        default=6,
        ge=1,
        le=100,
        description="Local policy, not law (set the board's own retention schedule): a case closed more than "
        "this many years ago loses its free text (board reasons, declaration statements, terms of reference, "
        "review comments, agencies' chronologies and the glossary, milestone notes) at the next daily purge "
        "(or 'scr retention purge'); its features and outcomes are kept.",
    )
    retention_purge_check_seconds: int = Field(
        default=3600,
        ge=0,
        description="How often the service's own loop looks whether today's retention purge has run (it "
        "runs once a day, claimed once across replicas) and sends the chronology reminders due (each once). "
        "0 turns the loop off (then run 'scr retention purge' and 'scr bot chronologies' from cron).",
    )
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    db_pool_size: int = Field(
        default=4,
        ge=1,
        le=100,
        description="PostgreSQL connections each worker process keeps open, and so the requests each "
        "worker lets use the database at once (the rest wait their turn); a few more are opened only for "
        "work outside requests. The database must accept processes x workers x (this + 4).",
    )
    csv_max_rows: int = Field(default=5_000, ge=1)
    public_rate_per_minute: int = Field(
        default=60,
        ge=0,
        description="Requests a minute each client address may make to the public routes (threshold check, "
        "feature catalogue, rulesets) without an API token, per process; 0 turns the limit off.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description=f"At least {MIN_SECRET_KEY_BYTES} random bytes; the service will not start without one.",
    )
    secure_cookies: bool = Field(
        default=False, description="Send the admin session cookie over HTTPS only; set true behind TLS."
    )
    session_hours: int = Field(default=8, ge=1, le=24 * 7, description="An admin session lasts this long.")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (comma-separated) of the reverse proxies whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed; empty: none, so every client is known by its own address.",
    )
    slack_bot_token: SecretStr = Field(
        default=SecretStr(""), description="The bot token (xoxb-...) of a single-workspace deployment."
    )
    slack_signing_secret: SecretStr = SecretStr("")
    slack_app_token: SecretStr = SecretStr("")
    slack_api_url: str = "https://slack.com/api/"
    slack_client_id: str = Field(
        default="",
        description="With SCR_SLACK_CLIENT_SECRET: serve several workspaces, each adding the app with 'Add "
        "to Slack' at /slack/install (HTTP mode only; each workspace's bot token is kept in the database).",
    )
    slack_client_secret: SecretStr = SecretStr("")
    slack_team_id: str = Field(
        default="",
        max_length=32,
        description="The deployment's own Slack workspace (team id, T...): where people linked without "
        "naming a workspace are, and where the reminder and admins' channels are. Needed with "
        "SCR_SLACK_CLIENT_ID; in a single-workspace deployment it pins the one workspace served.",
    )
    slack_redirect_uri: str = Field(
        default="",
        description="The public HTTPS address of /slack/oauth_redirect, as set in the Slack app's OAuth "
        "settings; empty: the one redirect URL set there.",
    )
    slack_reminder_channel: str = ""
    slack_admin_channel: str = ""
    slack_reminder_lead_days: int = Field(
        default=2, ge=0, le=30, description="Post a deadline reminder this many days before it falls due."
    )
    slack_reminder_interval_seconds: int = Field(
        default=900, ge=0, description="How often the bot looks for due reminders; 0 turns the loop off."
    )
    slack_digest_hour: int = Field(
        default=8,
        ge=0,
        le=23,
        description="The hour (in England) from which the weekly expiry digest is posted: a run earlier in "
        "the day posts nothing, so Monday's digest goes out at this hour, not at midnight.",
    )
    public_url: str = Field(
        default="",
        pattern=r"^(https?://[^\s/]+(/\S*)?)?$",
        description="The service's public address (https://reviews.example.org), for the links in the "
        "emails and Slack messages about chronology requests; empty: the reminders and late notices wait "
        "until it is set.",
    )
    service_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where a separate bot process (Socket Mode) reaches the API.",
    )
    bot_api_token: SecretStr = Field(
        default=SecretStr(""),
        description="API token of the service user with the bot role (scr user add ... --role bot).",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="INFO", description="The least severe log lines written (DEBUG, INFO, WARNING, ERROR)."
    )
    log_format: Literal["json", "text"] | None = Field(
        default=None,
        description="json (one JSON object a line, for a log collector) or text (for a person reading); "
        "unset: JSON, or text when the logs go to a terminal.",
    )
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="The bearer token a Prometheus scraper sends to GET /metrics (at least "
        f"{MIN_METRICS_TOKEN_CHARS} characters); unset: /metrics answers 404.",
    )
    sentry_dsn: SecretStr = Field(
        default=SecretStr(""),
        description="Report unexpected errors to Sentry (or a compatible server) at this DSN; unset: nothing "
        "is sent anywhere. Reports carry no request body, query, cookie or personal data.",
    )
    sentry_environment: str = Field(
        default="production", max_length=64, description="The environment Sentry files reports under."
    )

    smtp_host: str = Field(
        default="",
        description="The mail server that sends agencies their chronology requests and reminders; empty: no "
        "email is sent (the requests are still made, and shown on the pages).",
    )
    smtp_port: int = Field(
        default=25, ge=1, le=65535, description="The mail server's port (587 with STARTTLS)."
    )
    smtp_username: str = Field(
        default="", description="Sign in to the mail server as this; empty: no sign-in."
    )
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = Field(
        default=False, description="Encrypt the connection with STARTTLS before signing in or sending."
    )
    mail_from: str = Field(
        default="",
        description="The sender of the service's emails, e.g. "
        '"Safeguarding Partnership <reviews@example.org>"; needed with SCR_SMTP_HOST.',
    )

    independence_policy: dict[str, Any] = Field(
        default_factory=dict,
        description="JSON overrides of the independence policy's defaults (matching/policy.py), "
        'e.g. {"employment_block_years": 7}; dbs_recheck_years comes from its own setting unless given here.',
    )
    ranking_policy: dict[str, Any] = Field(
        default_factory=dict, description="JSON overrides of the shortlist's points (matching/policy.py)."
    )

    rule_settings: dict[str, Any] = Field(
        default_factory=dict,
        description="JSON values for the threshold rulesets' settings (the 'params' of "
        'commissioning/rulesets/*.json), e.g. {"psirf_from": "2023-10-01"}; decisions made under them '
        "record a marked ruleset version.",
    )

    partnership_start_dates: dict[str, date] = Field(
        default_factory=dict,
        description="JSON: the day each area's Local Safeguarding Children Board gave way to the "
        'safeguarding partners, e.g. {"Hackney": "2019-06-28"}; an area not listed moved on 29 September '
        "2019. The terms of reference credit a board's decision to whichever decided in its area that day.",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_networks(cls, value: Any) -> list[str]:
        """Each entry an address or a network, written as uvicorn reads it; a typo stops the start-up."""
        items = value.split(",") if isinstance(value, str) else value
        networks = []
        for item in (str(item).strip() for item in items):
            if not item:
                continue
            try:
                network = ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)"
                ) from None
            networks.append(str(network.network_address) if network.num_addresses == 1 else str(network))
        return networks

    @model_validator(mode="after")
    def _mail_settings(self) -> "Settings":
        """Fail at start-up on mail settings that could never send, or would send a password in clear."""
        if not self.smtp_host.strip():
            return self
        if "@" not in parseaddr(self.mail_from)[1]:
            raise ValueError(
                "SCR_MAIL_FROM must be the address the service's emails come from, e.g. "
                'reviews@example.org or "Safeguarding Partnership <reviews@example.org>", '
                f"not {self.mail_from!r}"
            )
        if self.smtp_username and not self.smtp_starttls and not _loopback(self.smtp_host):
            raise ValueError(
                "SCR_SMTP_USERNAME is set without SCR_SMTP_STARTTLS: the password would cross the network "
                "unencrypted. Set SCR_SMTP_STARTTLS=true (and the server's STARTTLS port, usually 587)."
            )
        return self

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_name(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("metrics_token")
    @classmethod
    def _long_metrics_token(cls, value: SecretStr) -> SecretStr:
        """A short token could be guessed: refuse it at start-up rather than guard /metrics with it."""
        if value and len(value.get_secret_value().strip()) < MIN_METRICS_TOKEN_CHARS:
            raise ValueError(
                f"SCR_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_CHARS} characters; make one with "
                f"{MAKE_A_SECRET_KEY}"
            )
        return value

    @field_validator("rule_settings")
    @classmethod
    def _known_rule_settings(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Fail at start-up on a misspelt or mistyped ruleset setting, not silently keep a default."""
        from commissioning.rules import load_all

        load_all(value)
        return value

    @field_validator("partnership_start_dates")
    @classmethod
    def _days_areas_moved(cls, value: dict[str, date]) -> dict[str, date]:
        """Fail at start-up on a day outside the window in which areas moved, not print a wrong decider."""
        from commissioning.arrangements import check_starts

        check_starts(value)
        return value

    @field_validator("independence_policy", "ranking_policy")
    @classmethod
    def _known_policy_settings(cls, value: dict[str, Any], info: Any) -> dict[str, Any]:
        """Fail at start-up on a misspelt or mistyped policy setting, not silently keep a default."""
        from matching.policy import IndependencePolicy, RankingPolicy, configured

        configured(IndependencePolicy if info.field_name == "independence_policy" else RankingPolicy, value)
        return value


def _loopback(host: str) -> bool:
    """A mail server on this machine (a local relay): nothing sent to it crosses the network."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return False


def check_secret_key(settings: Settings) -> None:
    """Refuse to run on a secret key anyone could know or guess, saying how to make a good one."""
    key = settings.secret_key.get_secret_value()
    if not key.strip():
        problem = "SCR_SECRET_KEY is not set"
    elif key.strip() in PLACEHOLDER_SECRET_KEYS:
        problem = "SCR_SECRET_KEY is still the example's placeholder"
    elif len(key.encode()) < MIN_SECRET_KEY_BYTES:
        problem = f"SCR_SECRET_KEY is too short (it needs at least {MIN_SECRET_KEY_BYTES} bytes)"
    else:
        return
    raise InsecureSecretKey(
        f"{problem}. It guards the admin pages' sessions and forms, so it must be long, random and "
        "private. Make one with\n"
        f"    {MAKE_A_SECRET_KEY}\n"
        "and set it as SCR_SECRET_KEY in the environment or the .env file ('scr serve --demo' makes one "
        "for a single run)."
    )


def bot_settings(settings: Settings) -> "BotSettings":
    """What the Slack bot is told of these settings, built here alone whether it runs inside the service
    (HTTP mode) or as ``scr bot`` (the bot reads no settings of its own: it never imports the service).
    Each of the bot's settings is the service's of the same name after ``slack_``."""
    from bot.settings import BotSettings

    told = {field.name: getattr(settings, f"slack_{field.name}") for field in fields(BotSettings)}
    return BotSettings(**told)


@lru_cache
def get_settings() -> Settings:
    """One settings object per process; tests clear the cache when they change the environment."""
    return Settings()
