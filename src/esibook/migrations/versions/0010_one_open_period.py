"""One open participation period per person and employer: a partial unique index, so that two registrations of
the same person at the same employer (filed in parallel, approved one after the other) cannot both stay open.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OPEN = sa.text('to_month IS NULL')


def upgrade() -> None:
    op.create_index(
        'uq_participation_periods_open', 'participation_periods', ['person_id', 'employer_id'], unique=True,
        postgresql_where=OPEN, sqlite_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index('uq_participation_periods_open', table_name='participation_periods')
