"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 21:40:12.411926
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dmdesk.db.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('site_code', sa.String(length=6), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_log'))
    )
    op.create_table('file_blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_file_blob'))
    )
    op.create_table('number_sequence',
    sa.Column('prefix', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'kind', name=op.f('pk_number_sequence'))
    )
    op.create_table('outbox',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('op_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.LargeBinary(), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('hlc', sa.String(length=40), nullable=False),
    sa.Column('schema_version', sa.String(length=40), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('pushed_at', dmdesk.db.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox')),
    sa.UniqueConstraint('op_id', name=op.f('uq_outbox_op_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_pushed_at'), ['pushed_at'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('site',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('capabilities', sa.Text(), nullable=False),
    sa.Column('weekly_capacity_hours', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site')),
    sa.UniqueConstraint('code', name=op.f('uq_site_code'))
    )
    op.create_table('unit',
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('whole_only', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_unit'))
    )
    op.create_table('contact',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('kind', sa.String(length=15), nullable=False),
    sa.Column('role', sa.String(length=15), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('site_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=60), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('capabilities', sa.Text(), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('hourly_rate', dmdesk.db.types.Money(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['contact.id'], name=op.f('fk_contact_organisation_id_contact')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_contact_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_site_id'), ['site_id'], unique=False)

    op.create_table('location',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('site_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_location_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location')),
    sa.UniqueConstraint('site_id', 'code', name=op.f('uq_location_site_id_code'))
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_site_id'), ['site_id'], unique=False)

    op.create_table('product',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('standard_cost', dmdesk.db.types.Money(), nullable=False),
    sa.Column('price', dmdesk.db.types.Money(), nullable=False),
    sa.Column('lot_tracked', sa.Boolean(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit'], ['unit.code'], name=op.f('fk_product_unit_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product')),
    sa.UniqueConstraint('sku', name=op.f('uq_product_sku'))
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_name'), ['name'], unique=False)

    op.create_table('bom_line',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('parent_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('component_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('quantity', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('scrap_pct', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['product.id'], name=op.f('fk_bom_line_component_id_product')),
    sa.ForeignKeyConstraint(['parent_id'], ['product.id'], name=op.f('fk_bom_line_parent_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bom_line')),
    sa.UniqueConstraint('parent_id', 'component_id', name=op.f('uq_bom_line_parent_id_component_id'))
    )
    with op.batch_alter_table('bom_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bom_line_component_id'), ['component_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bom_line_parent_id'), ['parent_id'], unique=False)

    op.create_table('customer_order',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('customer_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('ship_to', sa.Text(), nullable=False),
    sa.Column('ship_latitude', sa.Double(), nullable=True),
    sa.Column('ship_longitude', sa.Double(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['contact.id'], name=op.f('fk_customer_order_customer_id_contact')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_order')),
    sa.UniqueConstraint('number', name=op.f('uq_customer_order_number'))
    )
    with op.batch_alter_table('customer_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_order_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_order_due_date'), ['due_date'], unique=False)

    op.create_table('design_file',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=80), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_design_file_product_id_product')),
    sa.ForeignKeyConstraint(['sha256'], ['file_blob.sha256'], name=op.f('fk_design_file_sha256_file_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_design_file')),
    sa.UniqueConstraint('product_id', 'name', 'version', name=op.f('uq_design_file_product_id_name_version'))
    )
    with op.batch_alter_table('design_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_design_file_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_design_file_sha256'), ['sha256'], unique=False)

    op.create_table('operation',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('capability', sa.String(length=40), nullable=False),
    sa.Column('setup_minutes', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('run_minutes', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_operation_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operation')),
    sa.UniqueConstraint('product_id', 'sequence', name=op.f('uq_operation_product_id_sequence'))
    )
    with op.batch_alter_table('operation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operation_product_id'), ['product_id'], unique=False)

    op.create_table('reorder_point',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('site_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('minimum', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('reorder_quantity', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_reorder_point_product_id_product')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_reorder_point_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reorder_point')),
    sa.UniqueConstraint('product_id', 'site_id', name=op.f('uq_reorder_point_product_id_site_id'))
    )
    with op.batch_alter_table('reorder_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reorder_point_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reorder_point_site_id'), ['site_id'], unique=False)

    op.create_table('transfer',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('from_location_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('to_location_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('transit_location_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('shipped_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('received_at', dmdesk.db.types.UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['from_location_id'], ['location.id'], name=op.f('fk_transfer_from_location_id_location')),
    sa.ForeignKeyConstraint(['to_location_id'], ['location.id'], name=op.f('fk_transfer_to_location_id_location')),
    sa.ForeignKeyConstraint(['transit_location_id'], ['location.id'], name=op.f('fk_transfer_transit_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer')),
    sa.UniqueConstraint('number', name=op.f('uq_transfer_number'))
    )
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_from_location_id'), ['from_location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_to_location_id'), ['to_location_id'], unique=False)

    op.create_table('customer_order_line',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('order_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('quantity', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('unit_price', dmdesk.db.types.Money(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['customer_order.id'], name=op.f('fk_customer_order_line_order_id_customer_order')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_customer_order_line_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_order_line')),
    sa.UniqueConstraint('order_id', 'line_no', name=op.f('uq_customer_order_line_order_id_line_no'))
    )
    with op.batch_alter_table('customer_order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_order_line_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_order_line_product_id'), ['product_id'], unique=False)

    op.create_table('work_order',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('quantity', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('site_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('customer_order_line_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('held_from', sa.String(length=12), nullable=True),
    sa.Column('bom_hash', sa.String(length=64), nullable=True),
    sa.Column('design_file_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('design_sha256', sa.String(length=64), nullable=True),
    sa.Column('good_qty', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('scrap_qty', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('released_at', dmdesk.db.types.UTCDateTime(), nullable=True),
    sa.Column('started_at', dmdesk.db.types.UTCDateTime(), nullable=True),
    sa.Column('completed_at', dmdesk.db.types.UTCDateTime(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_order_line_id'], ['customer_order_line.id'], name=op.f('fk_work_order_customer_order_line_id_customer_order_line')),
    sa.ForeignKeyConstraint(['design_file_id'], ['design_file.id'], name=op.f('fk_work_order_design_file_id_design_file')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_work_order_product_id_product')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_work_order_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order')),
    sa.UniqueConstraint('number', name=op.f('uq_work_order_number'))
    )
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_order_customer_order_line_id'), ['customer_order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_work_order_site_id_state', ['site_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_state'), ['state'], unique=False)

    op.create_table('lot',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('work_order_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_lot_product_id_product')),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_lot_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lot')),
    sa.UniqueConstraint('product_id', 'code', name=op.f('uq_lot_product_id_code'))
    )
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lot_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_work_order_id'), ['work_order_id'], unique=False)

    op.create_table('wo_material',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('work_order_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('quantity_per_unit', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('scrap_pct', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('required', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('consumed', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_wo_material_product_id_product')),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_wo_material_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wo_material')),
    sa.UniqueConstraint('work_order_id', 'line_no', name=op.f('uq_wo_material_work_order_id_line_no'))
    )
    with op.batch_alter_table('wo_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wo_material_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wo_material_work_order_id'), ['work_order_id'], unique=False)

    op.create_table('wo_operation',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('work_order_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('capability', sa.String(length=40), nullable=False),
    sa.Column('setup_minutes', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('run_minutes', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('good_qty', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('scrap_qty', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('started_at', dmdesk.db.types.UTCDateTime(), nullable=True),
    sa.Column('finished_at', dmdesk.db.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_wo_operation_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wo_operation')),
    sa.UniqueConstraint('work_order_id', 'sequence', name=op.f('uq_wo_operation_work_order_id_sequence'))
    )
    with op.batch_alter_table('wo_operation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wo_operation_work_order_id'), ['work_order_id'], unique=False)

    op.create_table('lot_genealogy',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('output_lot_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('component_lot_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('work_order_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('quantity', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['component_lot_id'], ['lot.id'], name=op.f('fk_lot_genealogy_component_lot_id_lot')),
    sa.ForeignKeyConstraint(['output_lot_id'], ['lot.id'], name=op.f('fk_lot_genealogy_output_lot_id_lot')),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_lot_genealogy_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lot_genealogy')),
    sa.UniqueConstraint('output_lot_id', 'component_lot_id', name=op.f('uq_lot_genealogy_output_lot_id_component_lot_id'))
    )
    with op.batch_alter_table('lot_genealogy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lot_genealogy_component_lot_id'), ['component_lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_genealogy_output_lot_id'), ['output_lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_genealogy_work_order_id'), ['work_order_id'], unique=False)

    op.create_table('reservation',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('material_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('location_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('lot_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('quantity', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_reservation_location_id_location')),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_reservation_lot_id_lot')),
    sa.ForeignKeyConstraint(['material_id'], ['wo_material.id'], name=op.f('fk_reservation_material_id_wo_material')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_reservation_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservation'))
    )
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reservation_material_id'), ['material_id'], unique=False)

    op.create_table('stock_balance',
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('location_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('lot_key', sa.LargeBinary(length=16), nullable=False),
    sa.Column('lot_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('on_hand', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('reserved', dmdesk.db.types.Qty(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_stock_balance_location_id_location')),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_stock_balance_lot_id_lot')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_stock_balance_product_id_product')),
    sa.PrimaryKeyConstraint('product_id', 'location_id', 'lot_key', name=op.f('pk_stock_balance'))
    )
    with op.batch_alter_table('stock_balance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_balance_location_id'), ['location_id'], unique=False)

    op.create_table('stock_move',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('location_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('lot_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('quantity', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=24), nullable=False),
    sa.Column('document_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('quantity <> 0', name=op.f('ck_stock_move_nonzero')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_stock_move_location_id_location')),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_stock_move_lot_id_lot')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_stock_move_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_move'))
    )
    with op.batch_alter_table('stock_move', schema=None) as batch_op:
        batch_op.create_index('ix_stock_move_document_id', ['document_id'], unique=False)
        batch_op.create_index('ix_stock_move_location_id_id', ['location_id', 'id'], unique=False)
        batch_op.create_index('ix_stock_move_product_id_id', ['product_id', 'id'], unique=False)

    op.create_table('transfer_line',
    sa.Column('id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('transfer_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product_id', dmdesk.db.types.UUIDBytes(length=16), nullable=False),
    sa.Column('lot_id', dmdesk.db.types.UUIDBytes(length=16), nullable=True),
    sa.Column('quantity', dmdesk.db.types.Qty(), nullable=False),
    sa.Column('created_at', dmdesk.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_transfer_line_lot_id_lot')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_transfer_line_product_id_product')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfer.id'], name=op.f('fk_transfer_line_transfer_id_transfer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_line')),
    sa.UniqueConstraint('transfer_id', 'line_no', name=op.f('uq_transfer_line_transfer_id_line_no'))
    )
    with op.batch_alter_table('transfer_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_line_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_line_transfer_id'), ['transfer_id'], unique=False)

    _seed_units()
    _append_only('stock_move', 'stock moves are never changed; post a reversing move instead')
    _append_only('audit_log', 'the audit log is append-only')


def downgrade() -> None:
    with op.batch_alter_table('transfer_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_line_transfer_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_line_product_id'))

    op.drop_table('transfer_line')
    with op.batch_alter_table('stock_move', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_move_product_id_id')
        batch_op.drop_index('ix_stock_move_location_id_id')
        batch_op.drop_index('ix_stock_move_document_id')

    op.drop_table('stock_move')
    with op.batch_alter_table('stock_balance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_balance_location_id'))

    op.drop_table('stock_balance')
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reservation_material_id'))

    op.drop_table('reservation')
    with op.batch_alter_table('lot_genealogy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lot_genealogy_work_order_id'))
        batch_op.drop_index(batch_op.f('ix_lot_genealogy_output_lot_id'))
        batch_op.drop_index(batch_op.f('ix_lot_genealogy_component_lot_id'))

    op.drop_table('lot_genealogy')
    with op.batch_alter_table('wo_operation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wo_operation_work_order_id'))

    op.drop_table('wo_operation')
    with op.batch_alter_table('wo_material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wo_material_work_order_id'))
        batch_op.drop_index(batch_op.f('ix_wo_material_product_id'))

    op.drop_table('wo_material')
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lot_work_order_id'))
        batch_op.drop_index(batch_op.f('ix_lot_product_id'))

    op.drop_table('lot')
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_order_state'))
        batch_op.drop_index('ix_work_order_site_id_state')
        batch_op.drop_index(batch_op.f('ix_work_order_product_id'))
        batch_op.drop_index(batch_op.f('ix_work_order_due_date'))
        batch_op.drop_index(batch_op.f('ix_work_order_customer_order_line_id'))

    op.drop_table('work_order')
    with op.batch_alter_table('customer_order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_order_line_product_id'))
        batch_op.drop_index(batch_op.f('ix_customer_order_line_order_id'))

    op.drop_table('customer_order_line')
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_to_location_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_from_location_id'))

    op.drop_table('transfer')
    with op.batch_alter_table('reorder_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reorder_point_site_id'))
        batch_op.drop_index(batch_op.f('ix_reorder_point_product_id'))

    op.drop_table('reorder_point')
    with op.batch_alter_table('operation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operation_product_id'))

    op.drop_table('operation')
    with op.batch_alter_table('design_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_design_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_design_file_product_id'))

    op.drop_table('design_file')
    with op.batch_alter_table('customer_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_order_due_date'))
        batch_op.drop_index(batch_op.f('ix_customer_order_customer_id'))

    op.drop_table('customer_order')
    with op.batch_alter_table('bom_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bom_line_parent_id'))
        batch_op.drop_index(batch_op.f('ix_bom_line_component_id'))

    op.drop_table('bom_line')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_name'))

    op.drop_table('product')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_site_id'))

    op.drop_table('location')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_site_id'))
        batch_op.drop_index(batch_op.f('ix_contact_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_contact_name'))

    op.drop_table('contact')
    op.drop_table('unit')
    op.drop_table('site')
    op.drop_table('setting')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_pushed_at'))

    op.drop_table('outbox')
    op.drop_table('number_sequence')
    op.drop_table('file_blob')
    op.drop_table('audit_log')


UNITS = [
    ("pcs", "pieces", True), ("set", "sets", True), ("kg", "kilograms", False),
    ("g", "grams", False), ("m", "metres", False), ("mm", "millimetres", False),
    ("m2", "square metres", False), ("l", "litres", False), ("ml", "millilitres", False),
    ("h", "hours", False),
]


def _seed_units() -> None:
    unit = sa.table("unit", sa.column("code", sa.String), sa.column("name", sa.String),
                    sa.column("whole_only", sa.Boolean))
    op.bulk_insert(unit, [{"code": c, "name": n, "whole_only": w} for c, n, w in UNITS])


def _append_only(table: str, message: str) -> None:
    # The database itself refuses edits of history, whatever code runs against it.
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
