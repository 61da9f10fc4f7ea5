"""Refused payment notifications, coalesced (Step 10 leftovers): one row per (answer code, order reference, UTC
hour) with a count, so forged or replayed notifications to the public IPN write a bounded number of rows; only the
first of each hour writes an audit record. No personal data, no authority (the reference is what the caller sent).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'payment_refusals',
        sa.Column('code', sa.String(2), nullable=False),
        sa.Column('order_ref', sa.String(32), nullable=False),
        sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('code', 'order_ref', 'hour', name=op.f('pk_payment_refusals')),
    )


def downgrade() -> None:
    op.drop_table('payment_refusals')
