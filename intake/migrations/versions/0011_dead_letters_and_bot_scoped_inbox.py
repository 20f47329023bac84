"""Dead letters, and inbox update ids scoped by the bot that received them.

Telegram numbers updates per bot, and the local Bot API from 1 at each start: the inbox key is
the bot's id with the update id. An update that keeps failing, or was never a valid update, or an
outbox row the relay cannot even read, becomes a dead letter for staff to retry or discard.

Rows stored before the bot's id was known keep bot id 0 until the bot adopts them at its next
start (:meth:`intake.inbox.Inbox.adopt_unscoped`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_updates", recreate="always") as batch:
        batch.add_column(
            sa.Column("bot_id", sa.BigInteger(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(sa.Column("last_error", sa.String(length=200), nullable=True))
        batch.drop_constraint("pk_inbox_updates", type_="primary")
        batch.create_primary_key("pk_inbox_updates", ["bot_id", "update_id"])
    with op.batch_alter_table("inbox_updates") as batch:
        batch.alter_column("bot_id", server_default=None)
        batch.alter_column("attempts", server_default=None)
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=True),
        sa.Column("update_id", sa.BigInteger(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_index(op.f("ix_dead_letters_reported_at"), "dead_letters", ["reported_at"])


def downgrade() -> None:
    op.drop_table("dead_letters")
    op.execute("DELETE FROM inbox_updates WHERE bot_id <> 0")
    with op.batch_alter_table("inbox_updates", recreate="always") as batch:
        batch.drop_constraint("pk_inbox_updates", type_="primary")
        batch.create_primary_key("pk_inbox_updates", ["update_id"])
        batch.drop_column("last_error")
        batch.drop_column("attempts")
        batch.drop_column("bot_id")
