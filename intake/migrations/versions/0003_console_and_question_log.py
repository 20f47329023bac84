"""The staff console (login links, sessions, passwords) and the log of questions put to the FAQ.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asked_by", sa.BigInteger(), nullable=True),
        _instant("asked_at"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(128), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_log")),
    )
    for column in ("asked_at", "decision", "entry_id"):
        op.create_index(op.f(f"ix_question_log_{column}"), "question_log", [column])
    op.create_table(
        "faq_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(128), nullable=False),
        sa.Column("rated_by", sa.BigInteger(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        _instant("rated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_ratings")),
        sa.UniqueConstraint("entry_id", "rated_by", name=op.f("uq_faq_ratings_entry_id")),
    )
    op.create_index(op.f("ix_faq_ratings_entry_id"), "faq_ratings", ["entry_id"])
    op.create_table(
        "console_login_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _instant("created_at"),
        _instant("expires_at"),
        _instant("used_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_console_login_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_login_tokens")),
    )
    for column in ("user_id", "expires_at"):
        op.create_index(op.f(f"ix_console_login_tokens_{column}"), "console_login_tokens", [column])
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _instant("created_at"),
        _instant("expires_at"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_console_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_console_sessions")),
    )
    for column in ("user_id", "expires_at"):
        op.create_index(op.f(f"ix_console_sessions_{column}"), "console_sessions", [column])
    op.create_table(
        "console_passwords",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        _instant("set_at"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_console_passwords_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_console_passwords_set_by_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_console_passwords")),
        sa.UniqueConstraint("login", name=op.f("uq_console_passwords_login")),
    )


def downgrade() -> None:
    op.drop_table("console_passwords")
    op.drop_table("console_sessions")
    op.drop_table("console_login_tokens")
    op.drop_table("faq_ratings")
    op.drop_table("question_log")
