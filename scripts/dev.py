"""Run CHIDI for development: the API and the arq worker, until Ctrl-C stops everything.

`make dev` has already installed dependencies, started Postgres and Redis, migrated and
seeded; this starts the two processes, prints where to go, and on Ctrl-C (or either
process dying) stops both and then the local Postgres and Redis.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST, PORT = "127.0.0.1", 8000

sys.path.insert(0, str(ROOT))
from scripts.seed_demo import DEMO_EMAIL, DEMO_PASSWORD  # noqa: E402


def _start(name: str, *args: str) -> subprocess.Popen[bytes]:
    sys.stderr.write(f"[dev] starting {name}\n")
    return subprocess.Popen([str(VENV_BIN / args[0]), *args[1:]], cwd=ROOT)


def _stop(processes: list[subprocess.Popen[bytes]], infra_ports: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "localinfra.py"), *infra_ports, "down"], check=False
    )


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main() -> int:
    # Explicit handlers: a shell that starts us in the background leaves SIGINT ignored,
    # and `kill` sends SIGTERM; both must stop everything the same way.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    parser = argparse.ArgumentParser(description="Run the API and the worker.")
    parser.add_argument("--pg-port", default="55432")
    parser.add_argument("--redis-port", default="56379")
    args = parser.parse_args()
    infra_ports = ["--pg-port", args.pg_port, "--redis-port", args.redis_port]
    processes = [
        _start(
            "api", "uvicorn", "api.main:app", "--host", HOST, "--port", str(PORT), "--no-access-log"
        ),
        _start("worker", "arq", "workers.settings.WorkerSettings"),
    ]
    sys.stderr.write(
        f"\n  CHIDI is running at http://{HOST}:{PORT}  (API docs: http://{HOST}:{PORT}/docs)\n"
        f"  Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}\n  Ctrl-C stops everything.\n\n"
    )
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        sys.stderr.write("[dev] a process exited; stopping the rest\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("\n[dev] stopping\n")
        return 0
    finally:
        _stop(processes, infra_ports)


if __name__ == "__main__":
    raise SystemExit(main())
