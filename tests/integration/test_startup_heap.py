"""Start-up objects are kept away from the garbage collector (`core.heap`)."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from core.heap import freeze_startup_heap
from tests.support.live_server import LiveServer


def _collected(obj: object) -> bool:
    """Whether later collections still walk `obj` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def test_freezing_takes_existing_objects_out_of_collections() -> None:
    built_at_startup: dict[str, list[int]] = {"rows": [1, 2, 3]}
    assert _collected(built_at_startup)
    frozen = freeze_startup_heap()
    assert frozen > 0
    assert not _collected(built_at_startup)
    made_later: dict[str, list[int]] = {"rows": [4]}
    assert _collected(made_later)


def test_the_api_freezes_what_its_lifespan_built(live_server: LiveServer) -> None:
    app = live_server.server.config.app
    assert isinstance(app, FastAPI)
    state = app.state.chidi
    assert gc.is_tracked(state)
    assert not _collected(state)
