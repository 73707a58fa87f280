"""The approved list's version: one number that every committed write to the list's tables raises.

Triggers raise it (migration 0012), in the writing transaction, so a write that rolls back raises nothing
and no code path can forget to: the admin pages, the API, the CSV import, the CLI and the Slack bot's
self-service all write through them. On PostgreSQL the trigger is deferred to the commit and raises it
once per transaction, so a transaction holds the version's row lock only while it commits (two writers
can never wait on each other for it). ``TRUNCATE`` raises it too.

A process that caches what it read from the list (``matching.profile_cache``) reads this one number
first and trusts its copy only while the number is unchanged: a write made by any process, on any
replica, shows in the next request everywhere.
"""

from sqlalchemy import func, select
from sqlmodel import Field, Session, SQLModel

# The tables whose writes raise the version: the approved list and its agencies. A table the profile
# cache reads must be here (a test holds the triggers to it).
TABLES = (
    "agency",
    "agency_alias",
    "consultant",
    "engagement",
    "interest",
    "absence",
    "accreditation",
    "review_record",
)
ROW_ID = 1


class RegistryVersion(SQLModel, table=True):
    """The one row holding the list's version."""

    __tablename__ = "registry_version"

    id: int = Field(default=ROW_ID, primary_key=True)
    version: int = Field(default=0)


def current(session: Session) -> int | None:
    """The committed version, as this session's transaction sees it; None when it cannot vouch for a copy.

    None when the row is missing (a database built without the migrations), and when this transaction
    has itself written (to any table): its writes are not committed, so the number does not count them
    yet, and a copy read now could hold changes that are then rolled back.
    """
    session.flush()  # pending changes are writes too
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        row = connection.execute(_VERSION_ON_POSTGRESQL).first()
        return None if row is None or row[1] is not None else row[0]
    # SQLite begins a transaction at the first write (``service.db``, and sqlite3's own default), not before.
    if connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        return None
    return connection.execute(_VERSION).scalar()


# Read by every shortlist: built once (SQLAlchemy keys a statement built anew for its compiled cache).
_VERSION = select(RegistryVersion.version).where(RegistryVersion.id == ROW_ID)
# A transaction is given an id at its first write (or row lock); one that has none has no id yet.
_VERSION_ON_POSTGRESQL = _VERSION.add_columns(func.pg_current_xact_id_if_assigned())
