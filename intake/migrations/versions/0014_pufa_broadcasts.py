"""普法 broadcasts: who subscribed to which topics, the broadcasts, and their outbox rows.

An outbox row may belong to a broadcast; a broadcast has at most one row per chat, so that
sending it out again (after a restart, or by a second process) queues nothing twice.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("piece", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_broadcasts_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
        sa.UniqueConstraint("key", name=op.f("uq_broadcasts_key")),
    )
    op.create_index(op.f("ix_broadcasts_send_at"), "broadcasts", ["send_at"])
    op.create_table(
        "subscriptions",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("subscribed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_subscriptions")),
    )
    op.create_table(
        "subscription_topics",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["subscriptions.chat_id"],
            name=op.f("fk_subscription_topics_chat_id_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("chat_id", "topic", name=op.f("pk_subscription_topics")),
    )
    op.create_index(op.f("ix_subscription_topics_topic"), "subscription_topics", ["topic"])
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_outbox_messages_broadcast_id_broadcasts"),
            "broadcasts",
            ["broadcast_id"],
            ["id"],
        )
        batch.create_unique_constraint(
            op.f("uq_outbox_messages_broadcast_id"), ["broadcast_id", "chat_id"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM outbox_messages WHERE broadcast_id IS NOT NULL")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_constraint(op.f("uq_outbox_messages_broadcast_id"), type_="unique")
        batch.drop_constraint(
            op.f("fk_outbox_messages_broadcast_id_broadcasts"), type_="foreignkey"
        )
        batch.drop_column("broadcast_id")
    op.drop_table("subscription_topics")
    op.drop_table("subscriptions")
    op.drop_table("broadcasts")
