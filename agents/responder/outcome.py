"""What one responder decision did, as the job sees it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ResponderOutcome:
    """What one decision did, and the outbox rows to deliver once it is committed."""

    action: Literal["nothing_waiting", "stored_only", "escalated", "responded"]
    outbox_ids: tuple[uuid.UUID, ...] = ()
    log_id: uuid.UUID | None = None
