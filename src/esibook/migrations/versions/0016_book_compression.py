"""Signed books are compressed with LZ4 instead of PostgreSQL's default pglz: bulk issuance writes thousands of
12 KB documents a second, and LZ4 compresses them several times faster for about the same size. A server built
without LZ4 keeps pglz; SQLite has no such setting.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 09:00:00
"""
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

COMPRESS = """
DO $$
BEGIN
  ALTER TABLE book_versions ALTER COLUMN document SET COMPRESSION {method};
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'LZ4 is not available: book documents stay compressed with pglz';
END $$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(COMPRESS.format(method="lz4"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(COMPRESS.format(method="pglz"))
