"""An index over each ticket's history by event type and time, for the report's aggregates.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_ticket_events_ticket_id_type_created_at",
        "ticket_events",
        ["ticket_id", "type", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_events_ticket_id_type_created_at", table_name="ticket_events")
