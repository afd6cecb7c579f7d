"""a transfer names the customer order line it ships for

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 03:30:00

Routing's "ship" made a transfer with nothing linking it to the line it served (only an audit
entry, which does not sync), so the line never knew it was planned and could be planned again
(issue 17: two transfers of 3 pieces for a 3-piece line). ``transfer.customer_order_line_id``
is that link; existing transfers keep none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dmdesk.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_order_line_id",
                                      dmdesk.db.types.UUIDBytes(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_transfer_customer_order_line_id"),
                              ["customer_order_line_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_transfer_customer_order_line_id_customer_order_line"),
            "customer_order_line", ["customer_order_line_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_transfer_customer_order_line_id_customer_order_line"),
            type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_transfer_customer_order_line_id"))
        batch_op.drop_column("customer_order_line_id")
