"""The National Insurance Database: the 7 data groups (Decree 164/2025/ND-CP).

On PostgreSQL, ``contribution_lines`` is range-partitioned by month (a history partition, then one per month
through 2027-12), and name keys get trigram indexes for accent-insensitive "contains" search.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 07:01:56.841877
"""

import sqlalchemy as sa
from alembic import op

from esibook.contributions import partitions
from esibook.periods import Month

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "benefit_settlements",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("regime", sa.String(length=14), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("decision_no", sa.String(length=40), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("authority", sa.String(length=8), nullable=False),
        sa.CheckConstraint(
            "authority IN ('civil', 'defence', 'security')", name=op.f("ck_benefit_settlements_authority")
        ),
        sa.CheckConstraint(
            "regime IN ('pension', 'one_time', 'sickness', 'maternity', 'unemployment', 'oad', 'survivorship')",
            name=op.f("ck_benefit_settlements_regime"),
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_benefit_settlements_amount")),
        sa.PrimaryKeyConstraint("person_id", "seq", name=op.f("pk_benefit_settlements")),
    )
    op.create_table(
        "clinics",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province_code", sa.String(length=3), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("accepts_initial_registration", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "level IN ('central', 'province', 'district', 'commune', 'private')",
            name=op.f("ck_clinics_level"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinics")),
        sa.UniqueConstraint("code", name=op.f("uq_clinics_code")),
    )
    op.create_table(
        "contribution_lines",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("employer_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("participant_type", sa.String(length=12), nullable=False),
        sa.Column("salary_basis", sa.BigInteger(), nullable=False),
        sa.Column("ui_basis", sa.BigInteger(), nullable=False),
        sa.Column("retirement_employer", sa.BigInteger(), nullable=False),
        sa.Column("retirement_employee", sa.BigInteger(), nullable=False),
        sa.Column("sickness_employer", sa.BigInteger(), nullable=False),
        sa.Column("oad_employer", sa.BigInteger(), nullable=False),
        sa.Column("ui_employer", sa.BigInteger(), nullable=False),
        sa.Column("ui_employee", sa.BigInteger(), nullable=False),
        sa.Column("hi_employer", sa.BigInteger(), nullable=False),
        sa.Column("hi_employee", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("paid_amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("provenance", sa.String(length=24), nullable=False),
        sa.Column("authority", sa.String(length=8), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "authority IN ('civil', 'defence', 'security')", name=op.f("ck_contribution_lines_authority")
        ),
        sa.CheckConstraint(
            "provenance IN ('electronic', 'converted_from_paper')",
            name=op.f("ck_contribution_lines_provenance"),
        ),
        sa.CheckConstraint(
            "status IN ('declared', 'paid', 'partly_paid', 'unpaid')",
            name=op.f("ck_contribution_lines_status"),
        ),
        sa.PrimaryKeyConstraint("person_id", "month", "employer_id", name=op.f("pk_contribution_lines")),
        postgresql_partition_by="RANGE (month)",
    )
    with op.batch_alter_table("contribution_lines", schema=None) as batch_op:
        batch_op.create_index("ix_contribution_lines_employer_id", ["employer_id", "month"], unique=False)

    op.create_table(
        "employers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit_code", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "name_key",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("tax_code", sa.String(length=14), nullable=False),
        sa.Column("business_type", sa.String(length=12), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("province_code", sa.String(length=3), nullable=False),
        sa.Column("region", sa.SmallInteger(), nullable=False),
        sa.Column("representative_name", sa.String(length=100), nullable=True),
        sa.Column("representative_id", sa.String(length=12), nullable=True),
        sa.Column("contact_phone", sa.String(length=20), nullable=True),
        sa.Column("contact_email", sa.String(length=200), nullable=True),
        sa.Column("managing_agency", sa.String(length=120), nullable=False),
        sa.Column("reduced_oad_rate", sa.Boolean(), nullable=False),
        sa.Column("authority", sa.String(length=8), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("authority IN ('civil', 'defence', 'security')", name=op.f("ck_employers_authority")),
        sa.CheckConstraint("region BETWEEN 1 AND 4", name=op.f("ck_employers_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employers")),
        sa.UniqueConstraint("tax_code", name=op.f("uq_employers_tax_code")),
        sa.UniqueConstraint("unit_code", name=op.f("uq_employers_unit_code")),
    )
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.create_index("ix_employers_name_key", ["name_key", "id"], unique=False)

    op.create_table(
        "hi_coverages",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("card_code", sa.String(length=15), nullable=False),
        sa.Column("beneficiary_group", sa.String(length=2), nullable=False),
        sa.Column("benefit_level", sa.SmallInteger(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("initial_clinic_code", sa.String(length=5), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("five_years_since", sa.Date(), nullable=True),
        sa.Column("authority", sa.String(length=8), nullable=False),
        sa.CheckConstraint("authority IN ('civil', 'defence', 'security')", name=op.f("ck_hi_coverages_authority")),
        sa.CheckConstraint("benefit_level BETWEEN 1 AND 5", name=op.f("ck_hi_coverages_benefit_level")),
        sa.CheckConstraint("valid_to >= valid_from", name=op.f("ck_hi_coverages_validity")),
        sa.PrimaryKeyConstraint("person_id", "seq", name=op.f("pk_hi_coverages")),
    )
    with op.batch_alter_table("hi_coverages", schema=None) as batch_op:
        batch_op.create_index("ix_hi_coverages_card_code", ["card_code"], unique=False)

    op.create_table(
        "households",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("household_code", sa.String(length=12), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("province_code", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("household_code", name=op.f("uq_households_household_code")),
    )
    op.create_table(
        "participation_periods",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("employer_id", sa.BigInteger(), nullable=False),
        sa.Column("from_month", sa.Integer(), nullable=False),
        sa.Column("to_month", sa.Integer(), nullable=True),
        sa.Column("job_title", sa.String(length=120), nullable=True),
        sa.Column("position", sa.String(length=120), nullable=True),
        sa.Column("workplace", sa.String(length=200), nullable=True),
        sa.Column("salary_basis", sa.BigInteger(), nullable=False),
        sa.Column("participant_type", sa.String(length=12), nullable=False),
        sa.Column("classified_unit", sa.String(length=120), nullable=True),
        sa.Column("classified_rank", sa.String(length=60), nullable=True),
        sa.Column("provenance", sa.String(length=24), nullable=False),
        sa.Column("authority", sa.String(length=8), nullable=False),
        sa.CheckConstraint(
            "authority IN ('civil', 'defence', 'security')", name=op.f("ck_participation_periods_authority")
        ),
        sa.CheckConstraint(
            "participant_type IN ('employee', 'voluntary', 'household', 'armed_forces')",
            name=op.f("ck_participation_periods_participant_type"),
        ),
        sa.CheckConstraint(
            "provenance IN ('electronic', 'converted_from_paper')",
            name=op.f("ck_participation_periods_provenance"),
        ),
        sa.CheckConstraint("salary_basis >= 0", name=op.f("ck_participation_periods_salary_basis")),
        sa.CheckConstraint(
            "to_month IS NULL OR to_month >= from_month", name=op.f("ck_participation_periods_months_ordered")
        ),
        sa.PrimaryKeyConstraint("person_id", "seq", name=op.f("pk_participation_periods")),
    )
    with op.batch_alter_table("participation_periods", schema=None) as batch_op:
        batch_op.create_index("ix_participation_periods_employer_id", ["employer_id", "from_month"], unique=False)

    op.create_table(
        "persons",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=True),
        sa.Column("passport_no", sa.String(length=20), nullable=True),
        sa.Column("si_code_legacy", sa.String(length=10), nullable=True),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column(
            "name_key",
            sa.String(length=100).with_variant(sa.String(length=100, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("ethnicity_code", sa.String(length=2), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("birth_registration_place", sa.String(length=200), nullable=True),
        sa.Column("birth_province_code", sa.String(length=3), nullable=True),
        sa.Column("hometown", sa.String(length=200), nullable=True),
        sa.Column("permanent_residence", sa.String(length=300), nullable=True),
        sa.Column("father_name", sa.String(length=100), nullable=True),
        sa.Column("father_id", sa.String(length=12), nullable=True),
        sa.Column("mother_name", sa.String(length=100), nullable=True),
        sa.Column("mother_id", sa.String(length=12), nullable=True),
        sa.Column("spouse_name", sa.String(length=100), nullable=True),
        sa.Column("spouse_id", sa.String(length=12), nullable=True),
        sa.Column("representative_name", sa.String(length=100), nullable=True),
        sa.Column("representative_id", sa.String(length=12), nullable=True),
        sa.Column("authority", sa.String(length=8), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("authority IN ('civil', 'defence', 'security')", name=op.f("ck_persons_authority")),
        sa.CheckConstraint("sex IN ('male', 'female')", name=op.f("ck_persons_sex")),
        sa.CheckConstraint("personal_id IS NOT NULL OR passport_no IS NOT NULL", name=op.f("ck_persons_identified")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("personal_id", name=op.f("uq_persons_personal_id")),
        sa.UniqueConstraint("si_code_legacy", name=op.f("uq_persons_si_code_legacy")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index("ix_persons_name_key", ["name_key", "id"], unique=False)

    op.create_table(
        "unemployment_reserves",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("reserved_months", sa.Integer(), nullable=False),
        sa.Column("since_month", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("authority", sa.String(length=8), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "authority IN ('civil', 'defence', 'security')", name=op.f("ck_unemployment_reserves_authority")
        ),
        sa.CheckConstraint("reserved_months >= 0", name=op.f("ck_unemployment_reserves_reserved_months")),
        sa.PrimaryKeyConstraint("person_id", "seq", name=op.f("pk_unemployment_reserves")),
    )
    op.create_table(
        "contacts",
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_contacts_person_id_persons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_contacts")),
    )
    op.create_table(
        "household_members",
        sa.Column("household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("relationship", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_members_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_household_members_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_id", "person_id", name=op.f("pk_household_members")),
    )
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.create_index("ix_household_members_person_id", ["person_id"], unique=True)

    if op.get_bind().dialect.name == "postgresql":
        _postgres_extras()


def _postgres_extras() -> None:
    op.execute(partitions.history_partition_ddl())
    for month in Month.range(partitions.FIRST_MONTHLY, partitions.INITIAL_LAST):
        op.execute(partitions.month_partition_ddl(month))
    bind = op.get_bind()
    has_trgm = bind.exec_driver_sql("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'").scalar()
    if has_trgm:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_persons_name_key_trgm ON persons USING gin (name_key gin_trgm_ops)")
        op.execute("CREATE INDEX ix_employers_name_key_trgm ON employers USING gin (name_key gin_trgm_ops)")


def downgrade() -> None:
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.drop_index("ix_household_members_person_id")

    op.drop_table("household_members")
    op.drop_table("contacts")
    op.drop_table("unemployment_reserves")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index("ix_persons_name_key")

    op.drop_table("persons")
    with op.batch_alter_table("participation_periods", schema=None) as batch_op:
        batch_op.drop_index("ix_participation_periods_employer_id")

    op.drop_table("participation_periods")
    op.drop_table("households")
    with op.batch_alter_table("hi_coverages", schema=None) as batch_op:
        batch_op.drop_index("ix_hi_coverages_card_code")

    op.drop_table("hi_coverages")
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.drop_index("ix_employers_name_key")

    op.drop_table("employers")
    with op.batch_alter_table("contribution_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_contribution_lines_employer_id")

    op.drop_table("contribution_lines")
    op.drop_table("clinics")
    op.drop_table("benefit_settlements")
