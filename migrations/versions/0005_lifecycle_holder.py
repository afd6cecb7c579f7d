"""one holder per work order's lifecycle; reroutes of held orders split them

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 19:30:00

- ``site.reports_progress``: the site runs dmdesk and reports its own progress (else the owner
  does, on its behalf). Existing sites: no, which is how every database behaved before.
- ``work_order.moved_to_id`` / ``rerouted_from_id``: a split reroute's two orders.
- ``work_order_reroute.to_work_order_id``, ``counted_good``, ``settled_at``: what the split
  assumed, and when the owner reconciled it with what the old site really made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dmdesk.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reports_progress", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moved_to_id", dmdesk.db.types.UUIDBytes(length=16),
                                      nullable=True))
        batch_op.add_column(sa.Column("rerouted_from_id",
                                      dmdesk.db.types.UUIDBytes(length=16), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_work_order_moved_to_id_work_order"),
                                    "work_order", ["moved_to_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_work_order_rerouted_from_id_work_order"),
                                    "work_order", ["rerouted_from_id"], ["id"])
    with op.batch_alter_table("work_order_reroute", schema=None) as batch_op:
        batch_op.add_column(sa.Column("to_work_order_id",
                                      dmdesk.db.types.UUIDBytes(length=16), nullable=True))
        batch_op.add_column(sa.Column("counted_good", dmdesk.db.types.Qty(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("settled_at", dmdesk.db.types.UTCDateTime(),
                                      nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_work_order_reroute_to_work_order_id_work_order"),
            "work_order", ["to_work_order_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_work_order_reroute_to_work_order_id"),
                              ["to_work_order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_order_reroute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_order_reroute_to_work_order_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_work_order_reroute_to_work_order_id_work_order"),
            type_="foreignkey")
        batch_op.drop_column("settled_at")
        batch_op.drop_column("counted_good")
        batch_op.drop_column("to_work_order_id")
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_work_order_rerouted_from_id_work_order"),
                                 type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_work_order_moved_to_id_work_order"),
                                 type_="foreignkey")
        batch_op.drop_column("rerouted_from_id")
        batch_op.drop_column("moved_to_id")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("reports_progress")
