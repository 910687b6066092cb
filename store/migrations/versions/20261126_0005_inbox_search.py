"""inbox search indexes

The inbox searches customer names (and ids) and message text with Postgres full-text
search ('simple' configuration: no stemming, any language), word-prefix matches. These
GIN expression indexes serve it; the queries spell the same expressions
(store/tables/conversations.py). pg_trgm would also match inside words, but it is a
contrib extension the bundled local Postgres does not ship. See docs/inbox.md.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CUSTOMER = "to_tsvector('simple', (coalesce(customer_name, '') || ' ') || customer_platform_id)"
_MESSAGE = "to_tsvector('simple', coalesce(text_content, ''))"


def upgrade() -> None:
    op.create_index('ix_conversations_customer_search', 'conversations', [sa.text(_CUSTOMER)],
                    unique=False, postgresql_using='gin')
    op.create_index('ix_messages_text_search', 'messages', [sa.text(_MESSAGE)], unique=False,
                    postgresql_using='gin')


def downgrade() -> None:
    op.drop_index('ix_messages_text_search', table_name='messages', postgresql_using='gin')
    op.drop_index('ix_conversations_customer_search', table_name='conversations',
                  postgresql_using='gin')
