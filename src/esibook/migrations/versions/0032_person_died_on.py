"""The day a person died, as a death claim's approval records it (the death certificate filed with the funeral
grant or the survivors' allowance, Step 10): ``persons.died_on``. After it their HI card is refused at check-in and
no reminder is sent to them.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 21:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('persons') as batch:
        batch.add_column(sa.Column('died_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('persons') as batch:
        batch.drop_column('died_on')
