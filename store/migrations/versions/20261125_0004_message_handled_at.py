"""messages.handled_at: which customer messages the auto-responder has taken up

A burst of customer messages is answered once: the responder takes every message still
waiting (handled_at IS NULL) in one decision and stamps them. The partial index keeps
finding the waiting ones cheap for the responder and the unanswered-message sweeper.
See docs/conversations.md.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('messages', sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_messages_awaiting_responder', 'messages',
                    ['conversation_id', 'created_at'], unique=False,
                    postgresql_where=sa.text("handled_at IS NULL AND sender_type = 'customer'"))


def downgrade() -> None:
    op.drop_index('ix_messages_awaiting_responder', table_name='messages',
                  postgresql_where=sa.text("handled_at IS NULL AND sender_type = 'customer'"))
    op.drop_column('messages', 'handled_at')
