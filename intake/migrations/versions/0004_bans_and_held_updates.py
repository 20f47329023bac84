"""Bans (current and their append-only history) and updates held back by the flood limit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "bans",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("banned_by_id", sa.Integer(), nullable=False),
        _instant("banned_at"),
        sa.Column("reason", sa.Text(), nullable=True),
        _instant("notified_at", nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_bans_user_id_users")),
        sa.ForeignKeyConstraint(
            ["banned_by_id"], ["users.id"], name=op.f("fk_bans_banned_by_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_bans")),
    )
    op.create_table(
        "ban_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        _instant("created_at"),
        sa.Column("banned", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ban_events_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_ban_events_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ban_events")),
    )
    op.create_index(op.f("ix_ban_events_user_id"), "ban_events", ["user_id"])
    op.create_table(
        "held_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        _instant("held_at"),
        sa.Column("payload", sa.JSON(), nullable=False),
        _instant("released_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_updates")),
    )
    op.create_index(op.f("ix_held_updates_telegram_id"), "held_updates", ["telegram_id"])
    op.create_index(op.f("ix_held_updates_released_at"), "held_updates", ["released_at"])
    _forbid_changes()


def downgrade() -> None:
    _allow_changes()
    op.drop_table("held_updates")
    op.drop_table("ban_events")
    op.drop_table("bans")


def _forbid_changes() -> None:
    """Make the database refuse UPDATE and DELETE on ban_events, as on the other histories."""
    if op.get_bind().dialect.name == "postgresql":
        # The function mingbai_append_only() comes from revision 0001.
        op.execute(
            "CREATE TRIGGER ban_events_append_only BEFORE UPDATE OR DELETE ON ban_events "
            "FOR EACH ROW EXECUTE FUNCTION mingbai_append_only()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER ban_events_no_{operation.lower()} BEFORE {operation} ON ban_events "
            f"BEGIN SELECT RAISE(ABORT, 'ban_events is append-only: {operation} refused'); END"
        )


def _allow_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ban_events_append_only ON ban_events")
        return
    for operation in ("update", "delete"):
        op.execute(f"DROP TRIGGER ban_events_no_{operation}")
