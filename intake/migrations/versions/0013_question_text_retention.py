"""A question's words may be blanked once the retention period is over.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question_log") as batch:
        batch.alter_column("text", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE question_log SET text = '' WHERE text IS NULL")
    with op.batch_alter_table("question_log") as batch:
        batch.alter_column("text", existing_type=sa.Text(), nullable=False)
