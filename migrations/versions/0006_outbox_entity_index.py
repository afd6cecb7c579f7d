"""an index on outbox(entity, entity_id)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 19:40:00

The app checks a change against the write rules before recording it (db/ownership.py); "made
here" (this database recorded the row's insert) is a look-up of the outbox by row.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_entity_entity_id", ["entity", "entity_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_entity_entity_id")
