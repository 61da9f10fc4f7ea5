"""The inner nodes of full level-0 log tiles (heights 4–7, 960 bytes a tile), written with each tile from now on
and computed here for the tiles already stored, so that a book read's inclusion proof hashes at most 26 nodes of
its leaf's tile instead of 247 (docs/trust.md). Not part of the C2SP log; never served.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 16:40:00
"""
import sqlalchemy as sa
from alembic import op

from esibook.book.tiles import tile_root_and_inner_nodes

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

#: Full tiles read and written at a time (8 KB each): bounded memory whatever the size of the log.
BATCH = 2000


def upgrade() -> None:
    op.create_table('log_tile_nodes',
    sa.Column('n', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('n', name=op.f('pk_log_tile_nodes'))
    )
    _nodes_of_stored_tiles()


def _nodes_of_stored_tiles() -> None:
    connection = op.get_bind()
    nodes = sa.table('log_tile_nodes', sa.column('n', sa.BigInteger()), sa.column('data', sa.LargeBinary()))
    after = -1
    while True:
        rows = connection.execute(sa.text(
            "SELECT n, data FROM log_tiles WHERE level = 0 AND width = 256 AND n > :after ORDER BY n LIMIT :batch"),
            {"after": after, "batch": BATCH}).all()
        if not rows:
            return
        connection.execute(nodes.insert(), [
            {"n": n, "data": tile_root_and_inner_nodes([bytes(data[i : i + 32]) for i in range(0, 8192, 32)])[1]}
            for n, data in rows])
        after = rows[-1][0]


def downgrade() -> None:
    op.drop_table('log_tile_nodes')
