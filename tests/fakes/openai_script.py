"""What the fake OpenAI server should answer, and what it was sent.

A test scripts outcomes on a `FakeOpenAIController`; the server (another thread) consumes
them. Chat outcomes come, in order of precedence, from the queue (`script`), then the rule
(`on_chat`), then a default (an echo of the last user message, or schema defaults when
structured output is requested).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    """One function call the fake model makes; `call_id` defaults to a generated id."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    call_id: str | None = None


@dataclass(frozen=True)
class Reply:
    """An assistant message: text, tool calls, or both."""

    content: str | None = None
    tool_calls: Sequence[ToolCall] = ()


@dataclass(frozen=True)
class Structured:
    """Structured output: `values` become the JSON content for a `response_format`
    json_schema request (required fields it omits get type defaults), or the arguments of
    the forced tool call when the client asked for structured output through a tool."""

    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    """An HTTP error in OpenAI's error shape; `retry_after_ms` is sent as `retry-after-ms`."""

    status: int = 500
    message: str = "The server had an error while processing your request."
    retry_after_ms: int | None = 10


@dataclass(frozen=True)
class Hang:
    """Answer only after `seconds` (to trip the client's timeout), then as if unscripted."""

    seconds: float


ChatOutcome = Reply | Structured | Failure | Hang
ChatRule = Callable[[JSON], ChatOutcome | None]
EmbeddingOutcome = Failure | Hang


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received: method, path, lower-cased headers, JSON body."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: JSON | None


class FakeOpenAIController:
    """The test's handle on the fake: script outcomes, read what was sent. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chat: deque[ChatOutcome] = deque()
        self._embeddings: deque[EmbeddingOutcome] = deque()
        self._rule: ChatRule | None = None
        self._requests: list[RecordedRequest] = []
        self.released = threading.Event()
        self.model_dimensions: dict[str, int] = {}

    def script(self, *outcomes: ChatOutcome) -> None:
        """Queue chat outcomes; each chat request consumes the next one."""
        with self._lock:
            self._chat.extend(outcomes)

    def on_chat(self, rule: ChatRule | None) -> None:
        """Answer chat requests the queue does not cover with `rule(request_json)`.

        The rule returns None to fall through to the default answer.
        """
        with self._lock:
            self._rule = rule

    def script_embeddings(self, *outcomes: EmbeddingOutcome) -> None:
        """Queue failures or hangs for the next embedding requests (then normal vectors)."""
        with self._lock:
            self._embeddings.extend(outcomes)

    def set_dimension(self, model: str, dimension: int) -> None:
        """Make `model` a known embedding model of the given size."""
        with self._lock:
            self.model_dimensions[model] = dimension

    def reset(self) -> None:
        """Forget scripts, rule, extra models and recorded requests; end any hang."""
        with self._lock:
            self._chat.clear()
            self._embeddings.clear()
            self._rule = None
            self._requests.clear()
            self.model_dimensions.clear()
        self.released.set()
        self.released = threading.Event()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received since the last reset, oldest first."""
        with self._lock:
            return list(self._requests)

    def bodies(self, path: str) -> list[JSON]:
        """The JSON bodies sent to `path` (e.g. "/v1/chat/completions"), oldest first."""
        return [r.body for r in self.requests if r.path == path and r.body is not None]

    @property
    def chat_requests(self) -> list[JSON]:
        """The JSON bodies of all chat completion requests."""
        return self.bodies("/v1/chat/completions")

    def record(self, request: RecordedRequest) -> None:
        """Called by the server for every API request."""
        with self._lock:
            self._requests.append(request)

    def next_chat(self, body: JSON) -> ChatOutcome | None:
        """Called by the server: the scripted outcome for this request, if any."""
        with self._lock:
            if self._chat:
                return self._chat.popleft()
            rule = self._rule
        return rule(body) if rule is not None else None

    def next_embedding(self) -> EmbeddingOutcome | None:
        """Called by the server: a scripted failure or hang for this request, if any."""
        with self._lock:
            return self._embeddings.popleft() if self._embeddings else None


def last_user_text(body: JSON) -> str:
    """The text of the last user message in a chat request ("" if none)."""
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            return message_text(message)
    return ""


def message_text(message: JSON) -> str:
    """A message's text, whether its content is a string or a list of text parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def tool_results(body: JSON) -> list[JSON]:
    """The `role: tool` messages (results of earlier tool calls) in a chat request."""
    return [m for m in body.get("messages", []) if m.get("role") == "tool"]


def tool_names(body: JSON) -> list[str]:
    """The names of the functions offered in a chat request's `tools`."""
    return [t["function"]["name"] for t in body.get("tools", []) if t.get("type") == "function"]
