"""Pensions in payment (Step 10, issue 14): a retirement claim approved on the dossier engine records the pension
(its first month, the monthly amount, the lump sum above 35/30 years), each month settled for the pensioner, and
where and how it is paid (a bank account or cash at a post office, changed from a next month on). They are three
tables of the benefits context, scoped by authority like every personal table (row-level security on PostgreSQL).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 05:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

SCOPE = (
    "(current_setting('esibook.authorities', true) = '*' OR "
    "authority = ANY (string_to_array(current_setting('esibook.authorities', true), ',')))"
)
TABLES = ("pensions", "pension_payments", "pension_payment_methods")
AUTHORITY = "authority IN ('civil', 'defence', 'security')"


def upgrade() -> None:
    op.create_table(
        'pensions',
        sa.Column('person_id', sa.BigInteger(), nullable=False),
        sa.Column('first_month', sa.Integer(), nullable=False),
        sa.Column('monthly_amount', sa.BigInteger(), nullable=False),
        sa.Column('lump_sum', sa.BigInteger(), nullable=False),
        sa.Column('decision_no', sa.String(length=40), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('dossier_code', sa.String(length=30), nullable=True),
        sa.Column('authority', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.CheckConstraint('monthly_amount > 0', name=op.f('ck_pensions_monthly_amount')),
        sa.CheckConstraint('lump_sum >= 0', name=op.f('ck_pensions_lump_sum')),
        sa.CheckConstraint(AUTHORITY, name=op.f('ck_pensions_authority')),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_pensions')),
    )
    op.create_table(
        'pension_payments',
        sa.Column('person_id', sa.BigInteger(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('lump_sum', sa.BigInteger(), nullable=False),
        sa.Column('method', sa.String(length=4), nullable=False),
        sa.Column('payee', sa.String(length=160), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('authority', sa.String(length=8), nullable=False),
        sa.CheckConstraint("method IN ('bank', 'cash')", name=op.f('ck_pension_payments_method')),
        sa.CheckConstraint("status IN ('scheduled', 'paid')", name=op.f('ck_pension_payments_status')),
        sa.CheckConstraint('amount >= 0', name=op.f('ck_pension_payments_amount')),
        sa.CheckConstraint(AUTHORITY, name=op.f('ck_pension_payments_authority')),
        sa.PrimaryKeyConstraint('person_id', 'month', name=op.f('pk_pension_payments')),
    )
    op.create_table(
        'pension_payment_methods',
        sa.Column('person_id', sa.BigInteger(), nullable=False),
        sa.Column('seq', sa.SmallInteger(), nullable=False),
        sa.Column('from_month', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=4), nullable=False),
        sa.Column('bank_code', sa.String(length=12), nullable=True),
        sa.Column('account_number', sa.String(length=19), nullable=True),
        sa.Column('post_office', sa.String(length=120), nullable=True),
        sa.Column('authority', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.CheckConstraint("method IN ('bank', 'cash')", name=op.f('ck_pension_payment_methods_method')),
        sa.CheckConstraint(AUTHORITY, name=op.f('ck_pension_payment_methods_authority')),
        sa.PrimaryKeyConstraint('person_id', 'seq', name=op.f('pk_pension_payment_methods')),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY authority_scope ON {table} USING {SCOPE} WITH CHECK {SCOPE}")


def downgrade() -> None:
    for table in reversed(TABLES):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP POLICY IF EXISTS authority_scope ON {table}")
        op.drop_table(table)
