"""Slack accounts keyed by workspace, and the workspaces that added the app

A Slack member id belongs to a workspace: the same id in another workspace is another person. Each Slack
identity gains its workspace (``team_id``), and the pair is unique instead of the member id alone. Every
identity made before belongs to the deployment's own workspace, stored as ``own`` (the workspace named by
SCR_SLACK_TEAM_ID, or the one workspace a single-workspace deployment serves).

Workspaces that add the app themselves ("Add to Slack") are kept in ``slack_workspace``, and Bolt's
installation and OAuth state stores get their tables here, as slack_sdk's SQLAlchemy stores define them
(``service.slack_workspaces``), so the stores never create tables of their own.

Downgrading refuses while anyone is linked in a workspace other than the own one: such a link cannot be
kept without its workspace (the member id alone may belong to someone else), so it must be removed first.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"

OWN = "own"


def upgrade() -> None:
    with op.batch_alter_table("slack_identity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("team_id", sqlmodel.AutoString(length=32), nullable=False, server_default=OWN)
        )
        batch_op.drop_index(batch_op.f("ix_slack_identity_slack_user_id"))
        batch_op.create_index(batch_op.f("ix_slack_identity_slack_user_id"), ["slack_user_id"], unique=False)
        batch_op.create_unique_constraint("uq_slack_identity_team_member", ["team_id", "slack_user_id"])
    with op.batch_alter_table("slack_identity", schema=None) as batch_op:
        batch_op.alter_column("team_id", server_default=None)  # new links name their workspace

    op.create_table(
        "slack_workspace",
        sa.Column("team_id", sqlmodel.AutoString(length=32), nullable=False),
        sa.Column("team_name", sqlmodel.AutoString(length=200), nullable=False),
        sa.Column("installed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("installed_by", sqlmodel.AutoString(length=32), nullable=True),
        sa.PrimaryKeyConstraint("team_id"),
    )
    _bolt_tables()


def _bolt_tables() -> None:
    """slack_sdk 3.x's SQLAlchemyInstallationStore and SQLAlchemyOAuthStateStore tables, column for column."""
    op.create_table(
        "slack_bots",
        *_shared_columns(),
        *_bot_columns(),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "slack_bots_idx", "slack_bots", ["client_id", "enterprise_id", "team_id", "installed_at"], unique=False
    )
    op.create_table(
        "slack_installations",
        *_shared_columns(),
        sa.Column("enterprise_url", sa.String(length=200), nullable=True),
        *_bot_columns(),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("user_token", sa.String(length=200), nullable=True),
        sa.Column("user_scopes", sa.String(length=1000), nullable=True),
        sa.Column("user_refresh_token", sa.String(length=200), nullable=True),
        sa.Column("user_token_expires_at", sa.DateTime(), nullable=True),
        sa.Column("incoming_webhook_url", sa.String(length=200), nullable=True),
        sa.Column("incoming_webhook_channel", sa.String(length=200), nullable=True),
        sa.Column("incoming_webhook_channel_id", sa.String(length=200), nullable=True),
        sa.Column("incoming_webhook_configuration_url", sa.String(length=200), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("token_type", sa.String(length=32), nullable=True),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "slack_installations_idx",
        "slack_installations",
        ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"],
        unique=False,
    )
    op.create_table(
        "slack_oauth_states",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("state", sa.String(length=200), nullable=False),
        sa.Column("expire_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def _shared_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=32), nullable=False),
        sa.Column("app_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("enterprise_name", sa.String(length=200), nullable=True),
    ]


def _bot_columns() -> list[sa.Column]:
    return [
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("team_name", sa.String(length=200), nullable=True),
        sa.Column("bot_token", sa.String(length=200), nullable=True),
        sa.Column("bot_id", sa.String(length=32), nullable=True),
        sa.Column("bot_user_id", sa.String(length=32), nullable=True),
        sa.Column("bot_scopes", sa.String(length=1000), nullable=True),
        sa.Column("bot_refresh_token", sa.String(length=200), nullable=True),
        sa.Column("bot_token_expires_at", sa.DateTime(), nullable=True),
    ]


def downgrade() -> None:
    elsewhere = op.get_bind().execute(
        sa.text("SELECT count(*) FROM slack_identity WHERE team_id <> :own"), {"own": OWN}
    )
    count = elsewhere.scalar_one()
    if count:
        raise RuntimeError(
            f"{count} Slack account(s) are linked in a workspace other than the deployment's own, which the "
            "earlier schema cannot tell apart: take those links off first (the users and consultants pages)."
        )
    op.drop_table("slack_oauth_states")
    op.drop_index("slack_installations_idx", table_name="slack_installations")
    op.drop_table("slack_installations")
    op.drop_index("slack_bots_idx", table_name="slack_bots")
    op.drop_table("slack_bots")
    op.drop_table("slack_workspace")
    with op.batch_alter_table("slack_identity", schema=None) as batch_op:
        batch_op.drop_constraint("uq_slack_identity_team_member", type_="unique")
        batch_op.drop_index(batch_op.f("ix_slack_identity_slack_user_id"))
        batch_op.create_index(batch_op.f("ix_slack_identity_slack_user_id"), ["slack_user_id"], unique=True)
        batch_op.drop_column("team_id")
