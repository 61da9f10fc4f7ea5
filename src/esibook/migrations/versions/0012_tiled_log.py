"""The tiled transparency log: a pool the sequencer integrates in batches, C2SP tiles written once, signed-note
checkpoints. The old log (one leaf per whole signed book, JWS checkpoints) is replaced: every existing version is
pooled again, in its old order, as an entry that commits to it (a type tag and the SHA-256 of the signed book).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00
"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

NOW = sa.text('(CURRENT_TIMESTAMP)')
#: Kept equal to esibook.book.log.BOOK_ENTRY_TAG (a migration does not import the application).
BOOK_ENTRY_TAG = b"esibook/book-version/v1\n"


def upgrade() -> None:
    op.create_table('log_pool',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entry', sa.LargeBinary(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('pooled_at', sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_pool'))
    )
    op.create_table('log_tiles',
    sa.Column('level', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('width', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.CheckConstraint('level >= -1 AND level < 64 AND width BETWEEN 1 AND 256', name=op.f('ck_log_tiles_tile')),
    sa.PrimaryKeyConstraint('level', 'n', 'width', name=op.f('pk_log_tiles'))
    )
    op.drop_table('log_leaves')
    op.execute('DELETE FROM log_checkpoints')
    op.execute('DELETE FROM log_head')
    with op.batch_alter_table('book_versions', schema=None) as batch_op:
        batch_op.alter_column('leaf_index', existing_type=sa.BigInteger(), nullable=True)
        # online verification finds a signed book's version by its book id
        batch_op.create_index('ix_book_versions_book_id', ['book_id', 'version'], unique=False)
    _pool_existing_versions()


def _pool_existing_versions() -> None:
    connection = op.get_bind()
    pool = sa.table('log_pool', sa.column('entry', sa.LargeBinary()), sa.column('person_id', sa.BigInteger()),
                    sa.column('version', sa.Integer()))
    rows = connection.execute(sa.text(
        'SELECT person_id, version, document FROM book_versions ORDER BY leaf_index, person_id, version'))
    batch = []
    for person_id, version, document in rows:
        entry = BOOK_ENTRY_TAG + hashlib.sha256(document.encode()).digest()
        batch.append({'entry': entry, 'person_id': person_id, 'version': version})
    for start in range(0, len(batch), 1000):
        connection.execute(pool.insert(), batch[start:start + 1000])
    connection.execute(sa.text('UPDATE book_versions SET leaf_index = NULL'))


def downgrade() -> None:
    # The old log is rebuilt from the versions in their pool order (leaf = SHA-256(0x00 ‖ the signed book)).
    connection = op.get_bind()
    op.create_table('log_leaves',
    sa.Column('leaf_index', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('leaf_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('appended_at', sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    sa.PrimaryKeyConstraint('leaf_index', name=op.f('pk_log_leaves'))
    )
    rows = connection.execute(sa.text(
        'SELECT person_id, version, document FROM book_versions ORDER BY leaf_index, person_id, version')).all()
    frontier: list[list] = []
    for index, (person_id, version, document) in enumerate(rows):
        leaf = hashlib.sha256(b'\x00' + document.encode()).hexdigest()
        frontier.append([1, leaf])
        while len(frontier) > 1 and frontier[-1][0] == frontier[-2][0]:
            (size, left), (_, right) = frontier[-2], frontier[-1]
            joined = hashlib.sha256(b'\x01' + bytes.fromhex(left) + bytes.fromhex(right)).hexdigest()
            frontier[-2:] = [[size * 2, joined]]
        connection.execute(sa.text('INSERT INTO log_leaves (leaf_index, leaf_hash, person_id, version) '
                                   'VALUES (:i, :h, :p, :v)'), {'i': index, 'h': leaf, 'p': person_id, 'v': version})
        connection.execute(sa.text('UPDATE book_versions SET leaf_index = :i WHERE person_id = :p AND version = :v'),
                           {'i': index, 'p': person_id, 'v': version})
    with op.batch_alter_table('book_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_book_versions_book_id')
        batch_op.alter_column('leaf_index', existing_type=sa.BigInteger(), nullable=False)
    op.execute('DELETE FROM log_checkpoints')
    op.execute('DELETE FROM log_head')
    if rows:
        connection.execute(sa.text('INSERT INTO log_head (id, size, frontier) VALUES (1, :n, :f)'),
                           {'n': len(rows), 'f': json.dumps(frontier)})
    op.drop_table('log_tiles')
    op.drop_table('log_pool')
