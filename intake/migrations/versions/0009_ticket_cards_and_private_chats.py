"""Where each ticket card was shown (to keep it current), and who can be written to privately.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ticket_cards",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("ticket_number", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        _instant("shown_at"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_ticket_cards")),
    )
    op.create_index(op.f("ix_ticket_cards_ticket_number"), "ticket_cards", ["ticket_number"])
    op.create_table(
        "private_chats",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        _instant("opened_at", nullable=True),
        _instant("refused_at", nullable=True),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_private_chats")),
    )
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("card_key", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("card_key")
    op.drop_table("private_chats")
    op.drop_table("ticket_cards")
