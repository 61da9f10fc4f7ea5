"""The job engine's schema on PostgreSQL: procrastinate's tables, types and functions (``procrastinate_*``).
SQLite has no job queue (the same tasks run in-process), so nothing changes there. A procrastinate upgrade that
changes its schema comes with a migration applying procrastinate's own migration files.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-10 09:00:00
"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from esibook.jobs import apply_schema

    if op.get_bind().dialect.name == 'postgresql':
        apply_schema(op.get_bind())


def downgrade() -> None:
    from esibook.jobs import drop_schema

    if op.get_bind().dialect.name == 'postgresql':
        drop_schema(op.get_bind())
