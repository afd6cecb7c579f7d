"""sync tables

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 00:05:00

The client's side of sync: server and cursor, per-field clocks (filled by a trigger on the
outbox, so every path that records a local change records its field stamps too), conflicts,
deferred changes and alerts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dmdesk.db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# A local update stamps each field it changed and marks it pending (not yet seen by the
# network); a local insert stamps the row as a whole. Immutable rows (empty payload) need no
# stamps: they are never edited.
OUTBOX_TRIGGER = """
CREATE TRIGGER outbox_sync_clock AFTER INSERT ON outbox WHEN NEW.payload <> ''
BEGIN
  INSERT INTO sync_clock (entity, entity_id, field, hlc, pending)
    SELECT NEW.entity, NEW.entity_id, j.key, NEW.hlc, 1 FROM json_each(NEW.payload) AS j
    WHERE NEW.op = 'update'
    ON CONFLICT (entity, entity_id, field) DO UPDATE SET hlc = excluded.hlc, pending = 1;
  INSERT INTO sync_clock (entity, entity_id, field, hlc, pending)
    SELECT NEW.entity, NEW.entity_id, CASE NEW.op WHEN 'insert' THEN '*' ELSE '-' END,
           NEW.hlc, 0
    WHERE NEW.op IN ('insert', 'delete')
    ON CONFLICT (entity, entity_id, field) DO UPDATE SET hlc = excluded.hlc, pending = 0;
END
"""


# Edits made before this migration and not pushed yet are pending too: without this a remote
# edit of the same field would overwrite them at the first sync instead of being a conflict.
BACKFILL = """
INSERT INTO sync_clock (entity, entity_id, field, hlc, pending)
  SELECT o.entity, o.entity_id, j.key, MAX(o.hlc), 1 FROM outbox AS o, json_each(o.payload) AS j
  WHERE o.op = 'update' AND o.pushed_at IS NULL AND o.payload <> ''
  GROUP BY o.entity, o.entity_id, j.key
"""


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("server_url", sa.Text(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("site_code", sa.String(length=6), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("pull_cursor", sa.Integer(), nullable=False),
        sa.Column("last_sync_at", dmdesk.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_result", sa.Text(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_error_at", dmdesk.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "sync_clock",
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.LargeBinary(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("hlc", sa.String(length=60), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "entity_id", "field", name=op.f("pk_sync_clock")),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", dmdesk.db.types.UUIDBytes(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.LargeBinary(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("local_value", sa.Text(), nullable=False),
        sa.Column("local_hlc", sa.String(length=60), nullable=False),
        sa.Column("remote_value", sa.Text(), nullable=False),
        sa.Column("remote_hlc", sa.String(length=60), nullable=False),
        sa.Column("origin", sa.String(length=6), nullable=False),
        sa.Column("detected_at", dmdesk.db.types.UTCDateTime(), nullable=False),
        sa.Column("settled_at", dmdesk.db.types.UTCDateTime(), nullable=True),
        sa.Column("settled_how", sa.String(length=10), nullable=False),
        sa.Column("settled_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index("ix_sync_conflict_open", ["settled_at", "entity", "entity_id"],
                              unique=False)
    op.create_table(
        "sync_deferred",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("deferred_at", dmdesk.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_deferred")),
    )
    op.create_table(
        "sync_alert",
        sa.Column("id", dmdesk.db.types.UUIDBytes(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detected_at", dmdesk.db.types.UTCDateTime(), nullable=False),
        sa.Column("cleared_at", dmdesk.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_alert")),
    )
    with op.batch_alter_table("sync_alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_alert_subject"), ["subject"], unique=False)
    op.execute(BACKFILL)
    op.execute(OUTBOX_TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_sync_clock")
    with op.batch_alter_table("sync_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_alert_subject"))
    op.drop_table("sync_alert")
    op.drop_table("sync_deferred")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_conflict_open")
    op.drop_table("sync_conflict")
    op.drop_table("sync_clock")
    op.drop_table("sync_state")
