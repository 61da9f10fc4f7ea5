"""The national register of HI clinics (Step 10): ``clinics.in_register`` (a clinic the latest register leaves out
is kept, marked, and no longer takes initial registrations) and ``clinic_register_imports``, one row per import
(as-of date, source, the file's SHA-256, counts; no personal data).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clinics') as batch:
        batch.add_column(sa.Column('in_register', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        'clinic_register_imports',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('source', sa.String(200), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('added', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('withdrawn', sa.Integer(), nullable=False),
        sa.Column('imported_by', sa.String(120), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_register_imports')),
    )


def downgrade() -> None:
    op.drop_table('clinic_register_imports')
    with op.batch_alter_table('clinics') as batch:
        batch.drop_column('in_register')
