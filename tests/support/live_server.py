"""Serve the real app with uvicorn in a background thread on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import httpx
import uvicorn

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


def start_live_server(settings: Settings) -> LiveServer:
    """Start the app for `settings` (public_url rewritten to the chosen port)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(settings.model_copy(update={"public_url": url}))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                            lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                return LiveServer(url=url, server=server, thread=thread)
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the live server did not start within 15s")
