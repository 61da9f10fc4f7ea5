"""Stopping a benefit paid by month (dừng hưởng, Step 10): a pension's last month (``pensions.last_month``: the
month of the pensioner's death) and why a pension or another monthly benefit stopped (``stop_reason``: the
beneficiary died, no longer qualifies, a re-assessment; an officer's decision), who stopped it and when. No personal
data.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 21:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

TABLES = ('pensions', 'monthly_benefits')


def upgrade() -> None:
    with op.batch_alter_table('pensions') as batch:
        batch.add_column(sa.Column('last_month', sa.Integer(), nullable=True))
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('stop_reason', sa.String(40), nullable=True))
            batch.add_column(sa.Column('stopped_by', sa.String(120), nullable=True))
            batch.add_column(sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('stopped_at')
            batch.drop_column('stopped_by')
            batch.drop_column('stop_reason')
    with op.batch_alter_table('pensions') as batch:
        batch.drop_column('last_month')
