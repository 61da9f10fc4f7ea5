"""Pensions paid to an authorised representative, back pay and payout files (Step 10 leftovers): a payment method
may name the authorisation under which the pensioner's agent receives the pension (nhận thay theo ủy quyền); each
month settled records the run that paid it (``paid_in``: a month paid in a later run is back pay, truy lĩnh), the
method row it went by, the agent who received it, and, for a month held instead of paid, why (status ``held``).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 10:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def _statuses(values: tuple[str, ...]) -> str:
    return f"status IN {values!r}"


def upgrade() -> None:
    with op.batch_alter_table('pension_payments') as batch_op:
        batch_op.drop_constraint(op.f('ck_pension_payments_status'), type_='check')
        batch_op.create_check_constraint('status', _statuses(('scheduled', 'paid', 'held')))
        batch_op.add_column(sa.Column('paid_in', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('method_seq', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('agent_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('hold_reason', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_pension_payments_paid_in', ['paid_in', 'method'])
    op.execute("UPDATE pension_payments SET paid_in = month WHERE status = 'paid'")
    with op.batch_alter_table('pension_payment_methods') as batch_op:
        batch_op.add_column(sa.Column('authorisation_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('agent_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pension_payment_methods') as batch_op:
        batch_op.drop_column('agent_id')
        batch_op.drop_column('authorisation_id')
    op.execute("UPDATE pension_payments SET status = 'scheduled' WHERE status = 'held'")
    with op.batch_alter_table('pension_payments') as batch_op:
        batch_op.drop_index('ix_pension_payments_paid_in')
        batch_op.drop_column('hold_reason')
        batch_op.drop_column('agent_id')
        batch_op.drop_column('method_seq')
        batch_op.drop_column('paid_in')
        batch_op.drop_constraint(op.f('ck_pension_payments_status'), type_='check')
        batch_op.create_check_constraint('status', _statuses(('scheduled', 'paid')))
