"""The other benefits (issue 14, item 6) settle into the book like the rest: the funeral grant, the survivors'
allowance (monthly or lump sum), the leave to care for a sick child and the occupational accident/disease monthly
allowance become regimes of their own (a sick child's days have their own yearly limit, apart from the parent's
own sickness; the funeral grant and the survivors' allowance are each paid once). The regime name grows to 20
characters, and a settlement may name the other person it concerns (the child, the relative paid), by row id.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 05:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

OLD = ('pension', 'one_time', 'sickness', 'maternity', 'unemployment', 'oad', 'survivorship')
NEW = OLD + ('funeral', 'survivors_monthly', 'survivors_lump', 'sick_child', 'oad_monthly', 'pension_lump')


def _regimes(values: tuple[str, ...]) -> str:
    return f"regime IN {values!r}"


def upgrade() -> None:
    with op.batch_alter_table('benefit_settlements') as batch_op:
        batch_op.drop_constraint(op.f('ck_benefit_settlements_regime'), type_='check')
        batch_op.alter_column('regime', type_=sa.String(length=20), existing_type=sa.String(length=14),
                              existing_nullable=False)
        batch_op.create_check_constraint('regime', _regimes(NEW))
        batch_op.add_column(sa.Column('related_person_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('benefit_settlements') as batch_op:
        batch_op.drop_column('related_person_id')
        batch_op.drop_constraint(op.f('ck_benefit_settlements_regime'), type_='check')
        batch_op.alter_column('regime', type_=sa.String(length=14), existing_type=sa.String(length=20),
                              existing_nullable=False)
        batch_op.create_check_constraint('regime', _regimes(OLD))
