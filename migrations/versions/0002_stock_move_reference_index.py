"""index stock moves by reference

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 23:05:00

Looking moves up by their document number (a reversal, the move-history search) scanned the
whole ledger; with a million moves that took a second.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stock_move", schema=None) as batch_op:
        batch_op.create_index("ix_stock_move_reference", ["reference"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_move", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_move_reference")
