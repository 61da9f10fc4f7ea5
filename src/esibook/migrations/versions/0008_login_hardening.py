"""Login hardening: a sign-in attempt is bound to the browser that started it (the SHA-256 of a random value in
a cookie), so a callback link made by someone else's attempt is refused.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('browser_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_column('browser_hash')
