"""An index over ticket history by time, covering what the report reads of a period's events.

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
        "ix_ticket_events_created_at_type",
        "ticket_events",
        ["created_at", "type", "ticket_id", "rating"],
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_events_created_at_type", table_name="ticket_events")
