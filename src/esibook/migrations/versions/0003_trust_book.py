"""Trust and the e-book: certificates, signed book versions, the transparency log, suspensions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 07:40:07.174689
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('book_versions',
    sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('book_id', sa.String(length=40), nullable=False),
    sa.Column('authority', sa.String(length=8), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('leaf_index', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("authority IN ('civil', 'defence', 'security')", name=op.f('ck_book_versions_authority')),
    sa.PrimaryKeyConstraint('person_id', 'version', name=op.f('pk_book_versions'))
    )
    with op.batch_alter_table('book_versions', schema=None) as batch_op:
        batch_op.create_index('ix_book_versions_leaf_index', ['leaf_index'], unique=True)

    op.create_table('log_checkpoints',
    sa.Column('tree_size', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('tree_size', name=op.f('pk_log_checkpoints'))
    )
    op.create_table('log_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('frontier', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_head'))
    )
    op.create_table('log_leaves',
    sa.Column('leaf_index', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('leaf_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('appended_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('leaf_index', name=op.f('pk_log_leaves'))
    )
    op.create_table('suspensions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subject', sa.String(length=4), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('suspended_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('suspended_by', sa.String(length=120), nullable=False),
    sa.Column('restored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('restored_by', sa.String(length=120), nullable=True),
    sa.CheckConstraint("subject IN ('book', 'card')", name=op.f('ck_suspensions_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suspensions'))
    )
    with op.batch_alter_table('suspensions', schema=None) as batch_op:
        batch_op.create_index('ix_suspensions_person_id', ['person_id', 'subject'], unique=False)

    op.create_table('trust_certificates',
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('authority', sa.String(length=8), nullable=True),
    sa.Column('cert_pem', sa.Text(), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('not_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("role IN ('root', 'issuing', 'log')", name=op.f('ck_trust_certificates_role')),
    sa.PrimaryKeyConstraint('kid', name=op.f('pk_trust_certificates'))
    )
    with op.batch_alter_table('trust_certificates', schema=None) as batch_op:
        batch_op.create_index('ix_trust_certificates_authority', ['role', 'authority', 'active'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('trust_certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_trust_certificates_authority')

    op.drop_table('trust_certificates')
    with op.batch_alter_table('suspensions', schema=None) as batch_op:
        batch_op.drop_index('ix_suspensions_person_id')

    op.drop_table('suspensions')
    op.drop_table('log_leaves')
    op.drop_table('log_head')
    op.drop_table('log_checkpoints')
    with op.batch_alter_table('book_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_book_versions_leaf_index')

    op.drop_table('book_versions')
