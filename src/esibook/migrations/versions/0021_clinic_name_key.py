"""Clinics get a folded search key (``name_key``: the name's words without accents, lower case, as ``search_key`` makes them)
and an index on (province, level, key), so the public clinic lookup finds "Bạch Mai" typed as "bach mai" among
thousands of facilities without folding every name at each request. Existing rows are folded here.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 06:00:00
"""
import sqlalchemy as sa
from alembic import op

from esibook.people.names import search_key

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    key = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
    with op.batch_alter_table('clinics') as batch_op:
        batch_op.add_column(sa.Column('name_key', key, nullable=True))
    bind = op.get_bind()
    clinics = sa.table('clinics', sa.column('id', sa.BigInteger), sa.column('name', sa.String),
                       sa.column('name_key', sa.String))
    rows = bind.execute(sa.select(clinics.c.id, clinics.c.name)).all()
    if rows:
        bind.execute(
            clinics.update().where(clinics.c.id == sa.bindparam('clinic_id')).values(name_key=sa.bindparam('key')),
            [{"clinic_id": row.id, "key": search_key(row.name)} for row in rows],
        )
    with op.batch_alter_table('clinics') as batch_op:
        batch_op.alter_column('name_key', existing_type=key, nullable=False)
        batch_op.create_index('ix_clinics_province_level_name_key', ['province_code', 'level', 'name_key'])


def downgrade() -> None:
    with op.batch_alter_table('clinics') as batch_op:
        batch_op.drop_index('ix_clinics_province_level_name_key')
        batch_op.drop_column('name_key')
