"""The officer's upload of the national register of HI clinics (Step 10): ``clinic_register_uploads``, a file
previewed (the dry run's counts) and waiting for the confirmation that imports exactly those bytes (its SHA-256);
the import it became once confirmed. No personal data.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 19:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'clinic_register_uploads',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('source', sa.String(200), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('added', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('withdrawn', sa.Integer(), nullable=False),
        sa.Column('rejected', sa.Integer(), nullable=False),
        sa.Column('basis_import_id', sa.BigInteger(), nullable=True),
        sa.Column('import_id', sa.BigInteger(), nullable=True),
        sa.Column('uploaded_by', sa.String(120), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_register_uploads')),
    )


def downgrade() -> None:
    op.drop_table('clinic_register_uploads')
