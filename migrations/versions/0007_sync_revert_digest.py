"""a change the server refuses is taken back; every sync ends with a check

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 20:00:00

- ``outbox.refusal``: the server's reason when it refused the op (it is then marked pushed,
  never sent again, not even to a new server); ``outbox.reverted_at``: when this site set the
  row back to the network's values. Refused and not yet reverted = a revert still to do (a
  sync cut off between the two resumes it).
- ``sync_origin``: per origin site, how many pulled changes were merged (applied or skipped);
  with those waiting in ``sync_deferred`` it is what the end-of-sync check compares with the
  server's digest. A site that pulled before this version has no counts yet: it is marked
  (origin ``?``) so that its next sync pulls everything once more and counts it (after the
  usual pull, when its own edits are no longer pending: see dmdesk.sync.client.run_sync).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dmdesk.db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refusal", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reverted_at", dmdesk.db.types.UTCDateTime(),
                                      nullable=True))
    op.create_table(
        "sync_origin",
        sa.Column("origin", sa.String(length=6), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("origin", name=op.f("pk_sync_origin")),
    )
    op.execute("INSERT INTO sync_origin (origin, merged) SELECT '?', 0 FROM sync_state "
               "WHERE id = 1 AND pull_cursor > 0")


def downgrade() -> None:
    op.drop_table("sync_origin")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("reverted_at")
        batch_op.drop_column("refusal")
