"""The chat page's channel: its visitors, what they sent, their chats' messages and files.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_visitors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("village_code", sa.String(length=32), nullable=True),
        sa.Column("next_message_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_visitors")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_visitors_token_hash")),
    )
    op.create_table(
        "web_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_posts")),
        sa.UniqueConstraint("chat_id", "client_key", name="uq_web_posts_chat_key"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "web_messages",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name=op.f("pk_web_messages")),
    )
    op.create_index(op.f("ix_web_messages_created_at"), "web_messages", ["created_at"])
    op.create_table(
        "web_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_events")),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_web_events_outbox_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_web_events_chat_id"), "web_events", ["chat_id"])
    op.create_table(
        "web_files",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mime_type", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_web_files")),
    )
    op.create_index(op.f("ix_web_files_chat_id"), "web_files", ["chat_id"])
    op.create_index(op.f("ix_web_files_created_at"), "web_files", ["created_at"])
    if op.get_bind().dialect.name == "sqlite":
        # Events name the outbox row they delivered: SQLite must not reuse a purged row's id.
        with op.batch_alter_table(
            "outbox_messages", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    for table in ("web_files", "web_events", "web_messages", "web_posts", "web_visitors"):
        op.drop_table(table)
