"""Reminders: the reminders sent (person, kind, subject; the primary key sends each once however often the daily
job runs) and each person's choice of kinds and channels. The in-app messages get an index by recipient: the
unread count is now in every page's header.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 05:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reminders',
        sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('subject_key', sa.String(length=80), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('channels', sa.String(length=20), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.PrimaryKeyConstraint('person_id', 'kind', 'subject_key', name=op.f('pk_reminders')),
    )
    op.create_table(
        'reminder_preferences',
        sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('kinds', sa.String(length=200), nullable=False),
        sa.Column('inapp', sa.Boolean(), nullable=False),
        sa.Column('email', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_reminder_preferences')),
    )
    op.create_index('ix_delivered_messages_recipient', 'delivered_messages', ['recipient', 'read_at'])


def downgrade() -> None:
    op.drop_index('ix_delivered_messages_recipient', table_name='delivered_messages')
    op.drop_table('reminder_preferences')
    op.drop_table('reminders')
