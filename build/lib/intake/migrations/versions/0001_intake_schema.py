"""Intake schema: people, tickets, their append-only history and role changes.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("ticket_events", "role_changes")


def _code(name: str, nullable: bool = False) -> sa.Column[str]:
    # Enum codes are plain VARCHAR so new members need no migration.
    return sa.Column(name, sa.String(32), nullable=nullable)


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ticket_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_ticket_sequences")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("display_name", sa.String(128), nullable=False),
        _code("role"),
        sa.Column("village_code", sa.String(32), nullable=True),
        sa.Column("grid_code", sa.String(32), nullable=True),
        sa.Column("unit", sa.String(64), nullable=True),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_users_telegram_id")),
    )
    op.create_table(
        "role_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        _instant("created_at"),
        _code("from_role", nullable=True),
        _code("to_role"),
        sa.Column("village_code", sa.String(32), nullable=True),
        sa.Column("grid_code", sa.String(32), nullable=True),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_role_changes_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_role_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_changes")),
    )
    op.create_index(op.f("ix_role_changes_user_id"), "role_changes", ["user_id"])
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("source_key", sa.String(200), nullable=False),
        _code("kind"),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        _code("source"),
        sa.Column("filed_by_id", sa.Integer(), nullable=False),
        sa.Column("villager_id", sa.Integer(), nullable=True),
        sa.Column("villager_name", sa.String(64), nullable=True),
        sa.Column("village_code", sa.String(32), nullable=False),
        sa.Column("grid_code", sa.String(32), nullable=False),
        sa.Column("faq_shown", sa.JSON(), nullable=False),
        sa.Column("contact_phone", sa.String(32), nullable=True),
        sa.Column("contact_consent", sa.Boolean(), nullable=False),
        _code("state"),
        _code("level"),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("lead_unit", sa.String(64), nullable=True),
        _instant("received_at"),
        _instant("accepted_at", nullable=True),
        _instant("answered_at", nullable=True),
        _instant("closed_at", nullable=True),
        _instant("accept_due_at"),
        _instant("handle_due_at", nullable=True),
        _instant("level_due_at", nullable=True),
        _instant("feedback_due_at", nullable=True),
        sa.Column("extension_days", sa.Integer(), nullable=True),
        _code("rating", nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("reject_route", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_tickets_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"], ["users.id"], name=op.f("fk_tickets_filed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["villager_id"], ["users.id"], name=op.f("fk_tickets_villager_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("number", name=op.f("uq_tickets_number")),
        sa.UniqueConstraint("source_key", name=op.f("uq_tickets_source_key")),
    )
    for column in (
        "accepted_at",
        "assignee_id",
        "filed_by_id",
        "grid_code",
        "received_at",
        "state",
        "village_code",
        "villager_id",
    ):
        op.create_index(op.f(f"ix_tickets_{column}"), "tickets", [column])
    op.create_table(
        "ticket_co_units",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_co_units_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("ticket_id", "unit", name=op.f("pk_ticket_co_units")),
    )
    op.create_index(op.f("ix_ticket_co_units_unit"), "ticket_co_units", ["unit"])
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        _code("type"),
        _code("visibility"),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        _instant("created_at"),
        _code("from_state", nullable=True),
        _code("to_state", nullable=True),
        _code("from_level", nullable=True),
        _code("to_level", nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("route", sa.Text(), nullable=True),
        _code("rating", nullable=True),
        sa.Column("extension_days", sa.Integer(), nullable=True),
        _instant("due_at", nullable=True),
        sa.Column("lead_unit", sa.String(64), nullable=True),
        sa.Column("co_units", sa.JSON(), nullable=True),
        sa.Column("village_code", sa.String(32), nullable=True),
        sa.Column("grid_code", sa.String(32), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_ticket_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_ticket_events_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_events_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index(op.f("ix_ticket_events_ticket_id"), "ticket_events", ["ticket_id"])
    _forbid_changes()


def downgrade() -> None:
    _allow_changes()
    op.drop_table("ticket_events")
    op.drop_table("ticket_co_units")
    op.drop_table("tickets")
    op.drop_table("role_changes")
    op.drop_table("users")
    op.drop_table("ticket_sequences")


def _forbid_changes() -> None:
    """Make the database itself refuse UPDATE and DELETE on the history tables."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION mingbai_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
            END
            $$
            """
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION mingbai_append_only()"
            )
        return
    for table in APPEND_ONLY_TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
            )


def _allow_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION mingbai_append_only()")
        return
    for table in APPEND_ONLY_TABLES:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER {table}_no_{operation}")
