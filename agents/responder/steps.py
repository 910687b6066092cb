"""What every responder node shares: its signature, and the timing of each step."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from langgraph.runtime import Runtime

from agents.responder.context import ResponderContext
from agents.responder.state import ResponderState

Update = dict[str, Any]
Context = Runtime[ResponderContext]


class Node(Protocol):
    """A responder node: the state and the run-time context in, a state update out."""

    def __call__(self, state: ResponderState, runtime: Context) -> Awaitable[Update]: ...


def timed(step: str) -> Callable[[Node], Node]:
    """Record the node's milliseconds under `step` in the state's timings."""

    def wrap(node: Node) -> Node:
        @functools.wraps(node)
        async def run(state: ResponderState, runtime: Context) -> Update:
            started = time.perf_counter()
            update = await node(state, runtime)
            elapsed = int((time.perf_counter() - started) * 1000)
            return {**update, "timings": {**update.get("timings", {}), step: elapsed}}

        return run

    return wrap
