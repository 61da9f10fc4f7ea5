"""Where a one-off benefit is paid (Step 10): each settlement of a one-off benefit (sickness, a sick child's leave,
maternity, the accident/disease lump sum, the funeral grant, the survivors' lump sum, the one-time withdrawal)
filed with a payee records how it was paid: the beneficiary's bank account (in full, for the transfer; shown
masked) or a post office, or the authorised representative (nhận thay theo ủy quyền) by authorisation and person
id; ``held`` when the authorisation was no longer in force at the payout. Scoped by authority like every personal
table (row-level security on PostgreSQL).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 16:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

SCOPE = (
    "(current_setting('esibook.authorities', true) = '*' OR "
    "authority = ANY (string_to_array(current_setting('esibook.authorities', true), ',')))"
)
AUTHORITY = "authority IN ('civil', 'defence', 'security')"


def upgrade() -> None:
    op.create_table(
        'benefit_payouts',
        sa.Column('person_id', sa.BigInteger(), nullable=False),
        sa.Column('seq', sa.SmallInteger(), nullable=False),
        sa.Column('beneficiary_id', sa.BigInteger(), nullable=False),
        sa.Column('method', sa.String(length=4), nullable=False),
        sa.Column('bank_code', sa.String(length=12), nullable=True),
        sa.Column('account_number', sa.String(length=19), nullable=True),
        sa.Column('post_office', sa.String(length=120), nullable=True),
        sa.Column('payee', sa.String(length=160), nullable=False),
        sa.Column('authorisation_id', sa.BigInteger(), nullable=True),
        sa.Column('agent_id', sa.BigInteger(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('hold_reason', sa.String(length=40), nullable=True),
        sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('authority', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.CheckConstraint("method IN ('bank', 'cash')", name=op.f('ck_benefit_payouts_method')),
        sa.CheckConstraint("status IN ('paid', 'held')", name=op.f('ck_benefit_payouts_status')),
        sa.CheckConstraint(AUTHORITY, name=op.f('ck_benefit_payouts_authority')),
        sa.PrimaryKeyConstraint('person_id', 'seq', name=op.f('pk_benefit_payouts')),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE benefit_payouts ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY authority_scope ON benefit_payouts USING {SCOPE} WITH CHECK {SCOPE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS authority_scope ON benefit_payouts")
    op.drop_table('benefit_payouts')
