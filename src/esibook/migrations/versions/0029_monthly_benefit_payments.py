"""Monthly benefits paid month by month (Step 10): the unemployment allowance, the survivors' monthly allowance and
the monthly occupational accident/disease allowance are paid by the same monthly run as pensions. Each approved
settlement of them is a ``monthly_benefits`` row (first and last month, the amount a month, whose money it is);
``monthly_benefit_methods`` the way it is paid from a month on (the claim form's, then each change); and
``monthly_benefit_payments`` one row a benefit and month settled (paid, or held with the reason). Scoped by
authority like every personal table (row-level security on PostgreSQL).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

SCOPE = (
    "(current_setting('esibook.authorities', true) = '*' OR "
    "authority = ANY (string_to_array(current_setting('esibook.authorities', true), ',')))"
)
AUTHORITY = "authority IN ('civil', 'defence', 'security')"
TABLES = ("monthly_benefits", "monthly_benefit_methods", "monthly_benefit_payments")
NOW = sa.text('(CURRENT_TIMESTAMP)')


def upgrade() -> None:
    op.create_table(
        'monthly_benefits',
        sa.Column('person_id', sa.BigInteger(), nullable=False),
        sa.Column('seq', sa.SmallInteger(), nullable=False),
        sa.Column('regime', sa.String(length=20), nullable=False),
        sa.Column('beneficiary_id', sa.BigInteger(), nullable=False),
        sa.Column('first_month', sa.Integer(), nullable=False),
        sa.Column('last_month', sa.Integer(), nullable=True),
        sa.Column('monthly_amount', sa.BigInteger(), nullable=False),
        sa.Column('decision_no', sa.String(length=40), nullable=False),
        sa.Column('authority', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint("regime IN ('unemployment', 'survivors_monthly', 'oad_monthly')",
                           name=op.f('ck_monthly_benefits_regime')),
        sa.CheckConstraint("monthly_amount > 0", name=op.f('ck_monthly_benefits_monthly_amount')),
        sa.CheckConstraint(AUTHORITY, name=op.f('ck_monthly_benefits_authority')),
        sa.PrimaryKeyConstraint('person_id', 'seq', name=op.f('pk_monthly_benefits')),
    )
    op.create_index('ix_monthly_benefits_beneficiary_id', 'monthly_benefits', ['beneficiary_id'])
    op.create_table(
        'monthly_benefit_methods',
        sa.Column('person_id', sa.BigInteger(), nullable=False),
        sa.Column('seq', sa.SmallInteger(), nullable=False),
        sa.Column('method_seq', sa.SmallInteger(), nullable=False),
        sa.Column('from_month', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=4), nullable=False),
        sa.Column('bank_code', sa.String(length=12), nullable=True),
        sa.Column('account_number', sa.String(length=19), nullable=True),
        sa.Column('post_office', sa.String(length=120), nullable=True),
        sa.Column('authorisation_id', sa.BigInteger(), nullable=True),
        sa.Column('agent_id', sa.BigInteger(), nullable=True),
        sa.Column('authority', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint("method IN ('bank', 'cash')", name=op.f('ck_monthly_benefit_methods_method')),
        sa.CheckConstraint(AUTHORITY, name=op.f('ck_monthly_benefit_methods_authority')),
        sa.PrimaryKeyConstraint('person_id', 'seq', 'method_seq', name=op.f('pk_monthly_benefit_methods')),
    )
    op.create_table(
        'monthly_benefit_payments',
        sa.Column('person_id', sa.BigInteger(), nullable=False),
        sa.Column('seq', sa.SmallInteger(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.BigInteger(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('method', sa.String(length=4), nullable=True),
        sa.Column('payee', sa.String(length=160), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('hold_reason', sa.String(length=40), nullable=True),
        sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('paid_in', sa.Integer(), nullable=True),
        sa.Column('method_seq', sa.SmallInteger(), nullable=True),
        sa.Column('agent_id', sa.BigInteger(), nullable=True),
        sa.Column('authority', sa.String(length=8), nullable=False),
        sa.CheckConstraint("method IN ('bank', 'cash')", name=op.f('ck_monthly_benefit_payments_method')),
        sa.CheckConstraint("status IN ('paid', 'held')", name=op.f('ck_monthly_benefit_payments_status')),
        sa.CheckConstraint("amount >= 0", name=op.f('ck_monthly_benefit_payments_amount')),
        sa.CheckConstraint(AUTHORITY, name=op.f('ck_monthly_benefit_payments_authority')),
        sa.PrimaryKeyConstraint('person_id', 'seq', 'month', name=op.f('pk_monthly_benefit_payments')),
    )
    op.create_index('ix_monthly_benefit_payments_paid_in', 'monthly_benefit_payments', ['paid_in', 'method'])
    op.create_index('ix_monthly_benefit_payments_beneficiary_id', 'monthly_benefit_payments', ['beneficiary_id'])
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY authority_scope ON {table} USING {SCOPE} WITH CHECK {SCOPE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP POLICY IF EXISTS authority_scope ON {table}")
    op.drop_index('ix_monthly_benefit_payments_beneficiary_id', table_name='monthly_benefit_payments')
    op.drop_index('ix_monthly_benefit_payments_paid_in', table_name='monthly_benefit_payments')
    op.drop_table('monthly_benefit_payments')
    op.drop_table('monthly_benefit_methods')
    op.drop_index('ix_monthly_benefits_beneficiary_id', table_name='monthly_benefits')
    op.drop_table('monthly_benefits')
