"""network planning tables: quality checks and the reroute history of work orders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 00:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dmdesk.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quality_check',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('work_order_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('site_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('operation_sequence', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('target', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('tolerance', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('measured', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_quality_check_site_id_site')),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_quality_check_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_check'))
    )
    with op.batch_alter_table('quality_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_check_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_check_work_order_id'), ['work_order_id'], unique=False)

    op.create_table('work_order_reroute',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('work_order_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('from_site_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('to_site_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('transfers', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['from_site_id'], ['site.id'], name=op.f('fk_work_order_reroute_from_site_id_site')),
    sa.ForeignKeyConstraint(['to_site_id'], ['site.id'], name=op.f('fk_work_order_reroute_to_site_id_site')),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_work_order_reroute_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order_reroute'))
    )
    with op.batch_alter_table('work_order_reroute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_order_reroute_from_site_id'), ['from_site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_reroute_to_site_id'), ['to_site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_reroute_work_order_id'), ['work_order_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('work_order_reroute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_order_reroute_work_order_id'))
        batch_op.drop_index(batch_op.f('ix_work_order_reroute_to_site_id'))
        batch_op.drop_index(batch_op.f('ix_work_order_reroute_from_site_id'))

    op.drop_table('work_order_reroute')
    with op.batch_alter_table('quality_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_check_work_order_id'))
        batch_op.drop_index(batch_op.f('ix_quality_check_site_id'))

    op.drop_table('quality_check')
