"""Consents: a connected system's request to read a person's data for a purpose that needs consent, the person's
answer, and the consent each access-log entry was read under.

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-02 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

NOW = sa.text('(CURRENT_TIMESTAMP)')


def upgrade() -> None:
    op.create_table('consents',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=True),
    sa.Column('groups', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('days', sa.SmallInteger(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    sa.Column('answer_by', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('days BETWEEN 1 AND 365', name=op.f('ck_consents_days')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    op.create_index('ix_consents_person_id', 'consents', ['person_id'], unique=False)
    op.create_index('ix_consents_client_id', 'consents', ['client_id', 'person_id', 'purpose'], unique=False)
    with op.batch_alter_table('access_log') as batch_op:
        batch_op.add_column(sa.Column('consent_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('access_log') as batch_op:
        batch_op.drop_column('consent_id')
    op.drop_index('ix_consents_client_id', table_name='consents')
    op.drop_index('ix_consents_person_id', table_name='consents')
    op.drop_table('consents')
