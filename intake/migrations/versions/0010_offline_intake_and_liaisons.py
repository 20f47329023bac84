"""Offline intake (leader reception, grid patrol details) and 法律明白人 applications.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("tickets", sa.Column("reception_leader", sa.String(length=64), nullable=True))
    op.add_column("tickets", sa.Column("reception_date", sa.Date(), nullable=True))
    op.add_column("tickets", sa.Column("patrol_place", sa.String(length=128), nullable=True))
    op.create_index(op.f("ix_tickets_reception_date"), "tickets", ["reception_date"])
    op.create_table(
        "liaison_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("village_code", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        _instant("applied_at"),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        _instant("decided_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_liaison_applications_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_liaison_applications_decided_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liaison_applications")),
    )
    op.create_index(op.f("ix_liaison_applications_user_id"), "liaison_applications", ["user_id"])
    op.create_index(op.f("ix_liaison_applications_state"), "liaison_applications", ["state"])


def downgrade() -> None:
    op.drop_table("liaison_applications")
    op.drop_index(op.f("ix_tickets_reception_date"), table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("patrol_place")
        batch.drop_column("reception_date")
        batch.drop_column("reception_leader")
