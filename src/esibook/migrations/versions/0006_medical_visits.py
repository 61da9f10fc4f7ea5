"""Medical visits reported by clinics (the XML1 summary of Decision 130/QĐ-BYT, or JSON), keyed by the person and
unique per clinic and visit reference (MA_LK); on PostgreSQL scoped by authority like the other person tables.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

SCOPE = (
    "(current_setting('esibook.authorities', true) = '*' OR "
    "authority = ANY (string_to_array(current_setting('esibook.authorities', true), ',')))"
)


def upgrade() -> None:
    op.create_table('medical_visits',
    sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('clinic_code', sa.String(length=5), nullable=False),
    sa.Column('visit_ref', sa.String(length=100), nullable=False),
    sa.Column('card_code', sa.String(length=15), nullable=False),
    sa.Column('admitted_at', sa.DateTime(), nullable=False),
    sa.Column('discharged_at', sa.DateTime(), nullable=False),
    sa.Column('main_diagnosis', sa.String(length=10), nullable=False),
    sa.Column('total_cost', sa.BigInteger(), nullable=False),
    sa.Column('hi_paid', sa.BigInteger(), nullable=False),
    sa.Column('patient_paid', sa.BigInteger(), nullable=False),
    sa.Column('other_paid', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=4), nullable=False),
    sa.Column('sent_by', sa.String(length=120), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('authority', sa.String(length=8), nullable=False),
    sa.CheckConstraint("authority IN ('civil', 'defence', 'security')", name=op.f('ck_medical_visits_authority')),
    sa.CheckConstraint("source IN ('json', 'xml1')", name=op.f('ck_medical_visits_source')),
    sa.CheckConstraint('discharged_at >= admitted_at', name=op.f('ck_medical_visits_dates')),
    sa.CheckConstraint('total_cost >= 0 AND hi_paid >= 0 AND patient_paid >= 0 AND other_paid >= 0', name=op.f('ck_medical_visits_amounts')),
    sa.PrimaryKeyConstraint('person_id', 'id', name=op.f('pk_medical_visits')),
    sa.UniqueConstraint('clinic_code', 'visit_ref', name='uq_medical_visits_clinic_visit_ref')
    )
    with op.batch_alter_table('medical_visits', schema=None) as batch_op:
        batch_op.create_index('ix_medical_visits_person_admitted', ['person_id', 'admitted_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE medical_visits ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY authority_scope ON medical_visits USING {SCOPE} WITH CHECK {SCOPE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS authority_scope ON medical_visits")
        op.execute("ALTER TABLE medical_visits DISABLE ROW LEVEL SECURITY")
    with op.batch_alter_table('medical_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_medical_visits_person_admitted')
    op.drop_table('medical_visits')
