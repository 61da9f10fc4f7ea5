"""Witness cosignatures of the transparency log's checkpoints (C2SP tlog-witness, tlog-cosignature).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-17 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('log_cosignatures',
    sa.Column('tree_size', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('witness', sa.String(length=300), nullable=False),
    sa.Column('line', sa.Text(), nullable=False),
    sa.Column('cosigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tree_size', 'witness', name=op.f('pk_log_cosignatures'))
    )


def downgrade() -> None:
    op.drop_table('log_cosignatures')
