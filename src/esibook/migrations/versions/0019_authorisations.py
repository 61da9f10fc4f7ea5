"""Authorisations (ủy quyền): a person lets another person file procedures for them and/or receive a benefit
paid to them, until a date, revocable at any time. The access policy reads this table on every use, so a
revocation takes effect at the next request; each use is written to the grantor's access log.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

NOW = sa.text('(CURRENT_TIMESTAMP)')


def upgrade() -> None:
    op.create_table('authorisations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('grantor_id', sa.BigInteger(), nullable=False),
    sa.Column('agent_id', sa.BigInteger(), nullable=False),
    sa.Column('procedures', sa.String(length=400), nullable=False),
    sa.Column('receive_payment', sa.Boolean(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('grantor_id <> agent_id', name=op.f('ck_authorisations_not_self')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorisations'))
    )
    op.create_index('ix_authorisations_grantor_id', 'authorisations', ['grantor_id'], unique=False)
    op.create_index('ix_authorisations_agent_id', 'authorisations', ['agent_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_authorisations_agent_id', table_name='authorisations')
    op.drop_index('ix_authorisations_grantor_id', table_name='authorisations')
    op.drop_table('authorisations')
