"""a partial index on the outbox's refused changes still to take back

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 01:00:00

Every push ends by taking back the changes the server refused (sync/revert.py). Without an
index that look-up scanned the whole outbox: 2.5 s per push on the large demo's 1.48 million
rows. The index holds only the refused rows not yet reverted: a handful at most.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_to_revert", "outbox", ["seq"], unique=False,
                    sqlite_where=sa.text("refusal IS NOT NULL AND reverted_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_outbox_to_revert", table_name="outbox")
