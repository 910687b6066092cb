"""Serve an ASGI app (the real one, or a fake third party) with uvicorn in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import httpx
import uvicorn
from starlette.types import ASGIApp

from api.app import create_app
from core.settings import Settings


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A running server: its base URL and how to stop it."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        """Ask uvicorn to shut down and wait for it."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve_in_thread(
    app: ASGIApp, *, port: int, ready_path: str, graceful_shutdown_seconds: int | None = None
) -> LiveServer:
    """Serve any ASGI app on 127.0.0.1:`port`; return once `ready_path` answers 200."""
    url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        lifespan="on",
        access_log=False,
        timeout_graceful_shutdown=graceful_shutdown_seconds,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}{ready_path}", timeout=0.5).status_code == 200:
                return LiveServer(url=url, server=server, thread=thread)
        except httpx.TransportError:
            time.sleep(0.05)
    server.should_exit = True
    raise RuntimeError(f"the server on {url} did not start within 15s")


def start_live_server(settings: Settings) -> LiveServer:
    """Start the app for `settings` (public_url rewritten to the chosen port)."""
    port = free_port()
    app = create_app(settings.model_copy(update={"public_url": f"http://127.0.0.1:{port}"}))
    return serve_in_thread(app, port=port, ready_path="/healthz")
