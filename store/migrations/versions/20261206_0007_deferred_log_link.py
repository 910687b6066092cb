"""deferred log link

An outgoing message points at the decision that produced it
(`messages.ai_processing_log_id`), and the decision's log row points back at the message
(`ai_responses_log.generated_message_id`). Checked at once, one of the two rows had to be
written and then updated to close the loop: the log row, the widest row a decision writes
(its trace, retrieved facts and entities), was stored twice per decision. Checked at
commit, the message is written first and the log row once, complete, at the end.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = 'fk_messages_ai_processing_log_id'


def _link(*, deferred: bool) -> None:
    op.drop_constraint(_NAME, 'messages', type_='foreignkey')
    op.create_foreign_key(_NAME, 'messages', 'ai_responses_log', ['ai_processing_log_id'],
                          ['id'], ondelete='SET NULL', deferrable=deferred or None,
                          initially='DEFERRED' if deferred else None)


def upgrade() -> None:
    _link(deferred=True)


def downgrade() -> None:
    _link(deferred=False)
