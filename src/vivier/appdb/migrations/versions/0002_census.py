"""The needs census: organisations, accounts, API tokens, needs, curated lists, interest,
audit log.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True)


def _user_ref(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey("users.id"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "organisations",
        _id(),
        sa.Column("siret", sa.String(14), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False, server_default=""),
        sa.Column("ministry", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "users",
        _id(),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("organisation_id", sa.Integer, sa.ForeignKey("organisations.id"), nullable=True),
        sa.Column("siren", sa.String(9), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("deleted_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "api_tokens",
        _id(),
        _user_ref("user_id", nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "needs",
        _id(),
        sa.Column("organisation_id", sa.Integer, sa.ForeignKey("organisations.id"), nullable=False),
        _user_ref("author_id"),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("cpv_codes", sa.JSON, nullable=False),
        sa.Column("place", sa.String(200), nullable=False, server_default=""),
        sa.Column("region", sa.String(3), nullable=True),
        sa.Column("budget_min", sa.Float, nullable=True),
        sa.Column("budget_max", sa.Float, nullable=True),
        sa.Column("expected_date", sa.Date, nullable=True),
        sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=True),
        sa.Column("deleted_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_needs_organisation_status", "needs", ["organisation_id", "status"])
    op.create_table(
        "list_entries",
        _id(),
        sa.Column("need_id", sa.Integer, sa.ForeignKey("needs.id"), nullable=False),
        sa.Column("siren", sa.String(9), nullable=False),
        sa.Column("name", sa.String(300), nullable=False, server_default=""),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("reasons", sa.JSON, nullable=False),
        _user_ref("added_by"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("removed_at", sa.DateTime, nullable=True),
        sa.UniqueConstraint("need_id", "siren"),
    )
    op.create_table(
        "interests",
        _id(),
        sa.Column("need_id", sa.Integer, sa.ForeignKey("needs.id"), nullable=False),
        _user_ref("user_id", nullable=False),
        sa.Column("siren", sa.String(9), nullable=True),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("withdrawn_at", sa.DateTime, nullable=True),
        sa.UniqueConstraint("need_id", "user_id"),
    )
    op.create_table(
        "audit_log",
        _id(),
        sa.Column("at", sa.DateTime, nullable=False),
        _user_ref("actor_id"),
        sa.Column("actor_email", sa.String(320), nullable=False, server_default=""),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("entity", sa.String(50), nullable=False),
        sa.Column("entity_id", sa.Integer, nullable=True),
        sa.Column("details", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("audit_log", "interests", "list_entries"):
        op.drop_table(table)
    op.drop_index("ix_needs_organisation_status", table_name="needs")
    for table in ("needs", "api_tokens", "users", "organisations"):
        op.drop_table(table)
