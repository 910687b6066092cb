"""The SSE protocol of workspace turns, and running a turn apart from its connection.

A turn (POST /api/v1/workspaces/onboarding or /chat) answers with `text/event-stream`:

- `token`            {"text": "..."}: a piece of CHIDI's reply, in order; the pieces join
                     to the full text. Model tokens as generated, or with the local brain
                     the composed reply in word chunks.
- `ai_message`       the full message, sent after it is committed: {"id", "thread",
                     "text", "suggestions", "asking", "stage", "follow_up", "created_at",
                     "profile_changes"} (onboarding fills stage/asking/follow_up; the
                     assistant fills profile_changes, [{"field", "value"}], and adds
                     "turn", its number on the thread).
- `progress_update`  onboarding only: {"percent", "milestones": [{"key", "label",
                     "reached"}], "milestone_achieved", "current_field", "completeness"}.
- `error`            {"error": {"code", "message", "details"}}, the API's error shape;
                     the stream ends after it.

Each turn runs in a task of its own that the response only listens to: if the client
disconnects, the turn still finishes and commits, and the client gets the pending
question back by posting again with no message (or from the chat history).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Final

from sse_starlette import EventSourceResponse, ServerSentEvent

from core.errors import AppError

log = logging.getLogger("chidi.workspace")

PING_SECONDS: Final = 15
_WORD: Final = re.compile(r"\S+\s*|\s+")
_FAILED: Final = (
    "I'm having a bit of trouble right now. Let's try that again in a moment."  # PRD §6.2.13
)


def word_chunks(text: str) -> list[str]:
    """`text` as word-sized pieces (each with its trailing space) that join back to it."""
    return _WORD.findall(text)


class TurnEvents:
    """The events of one turn, queued by the turn's task and read by the response."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[ServerSentEvent | None] = asyncio.Queue()

    def _put(self, event: str, data: dict[str, Any]) -> None:
        self._queue.put_nowait(
            ServerSentEvent(data=json.dumps(data, separators=(",", ":")), event=event)
        )

    def token(self, text: str) -> None:
        """One piece of the reply."""
        if text:
            self._put("token", {"text": text})

    def tokens(self, text: str) -> None:
        """A whole reply, as word chunks."""
        for piece in word_chunks(text):
            self.token(piece)

    def ai_message(self, payload: dict[str, Any]) -> None:
        """The full, stored message."""
        self._put("ai_message", payload)

    def progress(self, payload: dict[str, Any]) -> None:
        """Onboarding progress after the turn."""
        self._put("progress_update", payload)

    def error(self, error: AppError) -> None:
        """The turn failed; nothing follows."""
        self._put("error", error.to_body())

    def close(self) -> None:
        """No more events."""
        self._queue.put_nowait(None)

    async def stream(self) -> AsyncIterator[ServerSentEvent]:
        """The events in order, until the turn closes the stream."""
        while (event := await self._queue.get()) is not None:
            yield event


Turn = Callable[[TurnEvents], Awaitable[None]]


async def _run(turn: Turn, events: TurnEvents) -> None:
    """Run a turn; whatever happens, the stream ends, with an `error` event on failure."""
    try:
        await turn(events)
    except AppError as exc:
        events.error(exc)
    except Exception:
        log.exception("workspace turn failed")
        events.error(AppError(_FAILED, code="turn_failed"))
    finally:
        events.close()


async def _start(turn: Turn, running: set[asyncio.Task[None]]) -> AsyncIterator[ServerSentEvent]:
    # Started once the response begins, i.e. after the request's own session committed
    # (a first request creates the business the turn's rows refer to).
    events = TurnEvents()
    task = asyncio.create_task(_run(turn, events))
    running.add(task)
    task.add_done_callback(running.discard)
    async for event in events.stream():
        yield event


def stream_turn(turn: Turn, running: set[asyncio.Task[None]]) -> EventSourceResponse:
    """Stream the events of `turn`, run in its own task (kept in `running` until done)."""
    return EventSourceResponse(_start(turn, running), ping=PING_SECONDS)
