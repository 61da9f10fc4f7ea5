"""Electronic transactions: dossiers, events, the e-repository, the outbox, delivered messages, and the
local copy of the population database.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 08:14:06.405103
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivered_messages',
    sa.Column('outbox_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('channel', sa.String(length=6), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('outbox_id', name=op.f('pk_delivered_messages'))
    )
    op.create_table('dossier_events',
    sa.Column('dossier_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('from_status', sa.String(length=14), nullable=True),
    sa.Column('to_status', sa.String(length=14), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('dossier_id', 'seq', name=op.f('pk_dossier_events'))
    )
    op.create_table('dossiers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=True),
    sa.Column('procedure', sa.String(length=40), nullable=False),
    sa.Column('filer_kind', sa.String(length=8), nullable=False),
    sa.Column('filer_ref', sa.String(length=40), nullable=False),
    sa.Column('filer_name', sa.String(length=200), nullable=False),
    sa.Column('employer_id', sa.BigInteger(), nullable=True),
    sa.Column('person_id', sa.BigInteger(), nullable=True),
    sa.Column('authority', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=14), nullable=False),
    sa.Column('form', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("authority IN ('civil', 'defence', 'security')", name=op.f('ck_dossiers_authority')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'needs_info', 'resubmitted', 'approved', 'rejected', 'result_issued', 'withdrawn')", name=op.f('ck_dossiers_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('code', name=op.f('uq_dossiers_code')),
    sa.UniqueConstraint('filer_ref', 'idempotency_key', name='uq_dossiers_filer_idempotency')
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_queue', ['authority', 'status', 'due_on'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=6), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'inapp')", name=op.f('ck_outbox_channel')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['sent_at', 'id'], unique=False)

    op.create_table('population_records',
    sa.Column('personal_id', sa.String(length=12), nullable=False),
    sa.Column('full_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=6), nullable=False),
    sa.Column('ethnicity_code', sa.String(length=2), nullable=False),
    sa.Column('nationality', sa.String(length=2), nullable=False),
    sa.Column('permanent_residence', sa.String(length=300), nullable=True),
    sa.Column('birth_province_code', sa.String(length=3), nullable=True),
    sa.PrimaryKeyConstraint('personal_id', name=op.f('pk_population_records'))
    )
    op.create_table('repository_documents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('owner_kind', sa.String(length=8), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('doc_type', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('dossier_id', sa.BigInteger(), nullable=True),
    sa.Column('supersedes_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("owner_kind IN ('person', 'employer')", name=op.f('ck_repository_documents_owner_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repository_documents'))
    )
    with op.batch_alter_table('repository_documents', schema=None) as batch_op:
        batch_op.create_index('ix_repository_documents_owner', ['owner_kind', 'owner_id', 'issued_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('repository_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_repository_documents_owner')

    op.drop_table('repository_documents')
    op.drop_table('population_records')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_queue')

    op.drop_table('dossiers')
    op.drop_table('dossier_events')
    op.drop_table('delivered_messages')
