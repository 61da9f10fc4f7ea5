"""Money: posted batches and their rejected lines, payments, the arrears watchdog's findings, and the versions of
the dated parameters.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 10:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BIG_KEY = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
NOW = sa.text('(CURRENT_TIMESTAMP)')


def upgrade() -> None:
    op.create_table('posting_batches',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('lines_total', sa.Integer(), nullable=False),
    sa.Column('lines_posted', sa.Integer(), nullable=False),
    sa.Column('lines_rejected', sa.Integer(), nullable=False),
    sa.Column('parameters_version', sa.String(length=40), nullable=False),
    sa.Column('posted_by', sa.String(length=120), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting_batches'))
    )
    op.create_table('posting_rejects',
    sa.Column('batch_id', sa.String(length=64), nullable=False),
    sa.Column('line_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('personal_id', sa.String(length=40), nullable=True),
    sa.Column('unit_code', sa.String(length=40), nullable=True),
    sa.Column('month', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('batch_id', 'line_no', name=op.f('pk_posting_rejects'))
    )
    op.create_table('payments',
    sa.Column('id', BIG_KEY, nullable=False),
    sa.Column('employer_id', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('allocated', sa.BigInteger(), nullable=False),
    sa.Column('entered_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payments_amount')),
    sa.CheckConstraint("source IN ('entered', 'bank_csv')", name=op.f('ck_payments_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('reference', name=op.f('uq_payments_reference'))
    )
    op.create_index('ix_payments_employer_id', 'payments', ['employer_id', 'paid_on'], unique=False)
    op.create_table('employer_arrears',
    sa.Column('employer_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('days_behind', sa.Integer(), nullable=False),
    sa.Column('unpaid_months', sa.Integer(), nullable=False),
    sa.Column('unpaid_total', sa.BigInteger(), nullable=False),
    sa.Column('late_interest', sa.BigInteger(), nullable=False),
    sa.Column('evasion', sa.Boolean(), nullable=False),
    sa.Column('workers_notified', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('employer_id', 'as_of', name=op.f('pk_employer_arrears'))
    )
    op.create_table('parameter_versions',
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_parameter_versions'))
    )


def downgrade() -> None:
    op.drop_table('parameter_versions')
    op.drop_table('employer_arrears')
    op.drop_index('ix_payments_employer_id', table_name='payments')
    op.drop_table('payments')
    op.drop_table('posting_rejects')
    op.drop_table('posting_batches')
