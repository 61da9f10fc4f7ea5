"""Dossier attachments, files kept with repository documents, periods read from a scanned paper book, and
merging duplicate books (a legacy SI code alone identifies a duplicate's record).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

IDENTIFIED_BEFORE = "personal_id IS NOT NULL OR passport_no IS NOT NULL"
IDENTIFIED_AFTER = "personal_id IS NOT NULL OR passport_no IS NOT NULL OR si_code_legacy IS NOT NULL"


def upgrade() -> None:
    op.create_table('dossier_attachments',
    sa.Column('dossier_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('added_by', sa.String(length=120), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('converted_document_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('dossier_id', 'seq', name=op.f('pk_dossier_attachments'))
    )
    with op.batch_alter_table('repository_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_sha256', sa.String(length=64), nullable=True))
    with op.batch_alter_table('participation_periods', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_document_id', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.BigInteger(), nullable=True))
        batch_op.drop_constraint(op.f('ck_persons_identified'), type_='check')
        batch_op.create_check_constraint('identified', IDENTIFIED_AFTER)


def downgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_persons_identified'), type_='check')
        batch_op.create_check_constraint('identified', IDENTIFIED_BEFORE)
        batch_op.drop_column('merged_into_id')
    with op.batch_alter_table('participation_periods', schema=None) as batch_op:
        batch_op.drop_column('source_document_id')
    with op.batch_alter_table('repository_documents', schema=None) as batch_op:
        batch_op.drop_column('file_sha256')
    op.drop_table('dossier_attachments')
