"""Pushes to the national portals and the VNeID wallet (issue 14, item 8): ``portal_pushes`` is the outbox of
pushes (each new book version, HI card and dossier result, batched per log batch or approval, written in the
transaction that made them, pushed by a job after commit); ``portal_holdings`` is what the local stand-ins of
the three national systems hold, one row per document id and version, for development and tests.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

DESTINATIONS = "destination IN ('ndpp', 'mof', 'vneid')"


def upgrade() -> None:
    op.create_table(
        'portal_pushes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True),
        sa.Column('destination', sa.String(5), nullable=False),
        sa.Column('document_type', sa.String(14), nullable=False),
        sa.Column('dedupe_key', sa.String(120), nullable=False),
        sa.Column('messages', sa.Text(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(300), nullable=True),
        sa.CheckConstraint(DESTINATIONS, name=op.f('ck_portal_pushes_destination')),
        sa.CheckConstraint("document_type IN ('book_version', 'hi_card', 'dossier_result')",
                           name=op.f('ck_portal_pushes_document_type')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_pushes')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_portal_pushes_dedupe_key')),
    )
    op.create_index('ix_portal_pushes_pending', 'portal_pushes', ['done_at', 'id'])
    op.create_table(
        'portal_holdings',
        sa.Column('destination', sa.String(5), nullable=False),
        sa.Column('document_id', sa.String(80), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False, autoincrement=False),
        sa.Column('document_type', sa.String(14), nullable=False),
        sa.Column('holder', sa.String(40), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(DESTINATIONS, name=op.f('ck_portal_holdings_destination')),
        sa.PrimaryKeyConstraint('destination', 'document_id', 'version', name=op.f('pk_portal_holdings')),
    )
    op.create_index('ix_portal_holdings_holder', 'portal_holdings', ['destination', 'holder'])


def downgrade() -> None:
    op.drop_index('ix_portal_holdings_holder', table_name='portal_holdings')
    op.drop_table('portal_holdings')
    op.drop_index('ix_portal_pushes_pending', table_name='portal_pushes')
    op.drop_table('portal_pushes')
