"""Paying online (Step 10): payment orders. A person's order for voluntary SI months or household HI cover is
priced when it is made and marked paid only by the gateway's signed notification, so the order, its price and
what the gateway said (its transaction number, unique: a replayed notification finds it) are kept here. On
PostgreSQL the table carries the authority boundary as row-level security, like the other person-keyed tables.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

NOW = sa.text('(CURRENT_TIMESTAMP)')
SCOPE = (
    "(current_setting('esibook.authorities', true) = '*' OR "
    "authority = ANY (string_to_array(current_setting('esibook.authorities', true), ',')))"
)


def upgrade() -> None:
    op.create_table('payment_orders',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('first_month', sa.Integer(), nullable=False),
    sa.Column('months', sa.SmallInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('lines', sa.Text(), nullable=False),
    sa.Column('parameters_version', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('gateway_transaction', sa.String(length=40), nullable=True),
    sa.Column('bank_code', sa.String(length=20), nullable=True),
    sa.Column('authority', sa.String(length=8), nullable=False),
    sa.CheckConstraint("authority IN ('civil', 'defence', 'security')", name=op.f('ck_payment_orders_authority')),
    sa.CheckConstraint("kind IN ('voluntary_si', 'household_hi')", name=op.f('ck_payment_orders_kind')),
    sa.CheckConstraint("status IN ('pending', 'paid', 'cancelled', 'expired')", name=op.f('ck_payment_orders_status')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_orders_amount')),
    sa.CheckConstraint('months > 0', name=op.f('ck_payment_orders_months')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_orders')),
    sa.UniqueConstraint('code', name=op.f('uq_payment_orders_code')),
    sa.UniqueConstraint('gateway_transaction', name=op.f('uq_payment_orders_gateway_transaction'))
    )
    op.create_index('ix_payment_orders_pending', 'payment_orders', ['status', 'created_at'], unique=False)
    op.create_index('ix_payment_orders_person_id', 'payment_orders', ['person_id', 'kind', 'status'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE payment_orders ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY authority_scope ON payment_orders USING {SCOPE} WITH CHECK {SCOPE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS authority_scope ON payment_orders")
        op.execute("ALTER TABLE payment_orders DISABLE ROW LEVEL SECURITY")
    op.drop_index('ix_payment_orders_person_id', table_name='payment_orders')
    op.drop_index('ix_payment_orders_pending', table_name='payment_orders')
    op.drop_table('payment_orders')
