"""In-app messages remember when the person read them, so the home page can count the unread ones.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-12 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivered_messages') as batch_op:
        batch_op.add_column(sa.Column('read_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('delivered_messages') as batch_op:
        batch_op.drop_column('read_at')
