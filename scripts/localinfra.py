"""Local Postgres (+pgvector) and Redis for `make dev` and `make test`.

Postgres comes from the `pgserver` wheel, which bundles PostgreSQL 16 with pgvector
(Debian has no pgvector package); Redis is Debian's `redis-server`, installed with
apt-get when missing and we are root. Data lives under `.local/` (git-ignored).
Every command is idempotent: `up` on a running stack only checks it.

    python scripts/localinfra.py up [--databases chidi chidi_test]
    python scripts/localinfra.py down
    python scripts/localinfra.py status
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".local"
PG_DATA = STATE / "pg"
REDIS_DIR = STATE / "redis"
PG_SYSTEM_USER = "chidi-pg"  # Postgres refuses to run as root


def _pgserver_install() -> Path:
    # Located without importing pgserver: its import has side effects we do not need.
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the pgserver package is missing: run `make install` first")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


PG_INSTALL = _pgserver_install()
POSTGRES_BIN_PATH = PG_INSTALL / "bin"


def _open_path_to(path: Path) -> None:
    """Let the Postgres system user traverse every folder down to `path`."""
    for folder in [*reversed(path.parents), path]:
        folder.chmod(folder.stat().st_mode | 0o055)


def _open_tree(path: Path) -> None:
    """Let the Postgres system user read and run the bundled installation."""
    _open_path_to(path)
    for dirpath, _dirnames, filenames in os.walk(path):
        Path(dirpath).chmod(Path(dirpath).stat().st_mode | 0o055)
        for name in filenames:
            file = Path(dirpath) / name
            file.chmod(file.stat().st_mode | 0o044 | (0o011 if os.access(file, os.X_OK) else 0))


def _log(message: str) -> None:
    sys.stderr.write(f"[infra] {message}\n")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_port(port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _port_open(port):
            return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not open 127.0.0.1:{port} within {seconds:.0f}s")


def _pg_user() -> str | None:
    """The system user Postgres runs as: ourselves, or a dedicated one under root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                PG_SYSTEM_USER,
            ],
            check=True,
        )
    return PG_SYSTEM_USER


def _pg(binary: str, *args: str, user: str | None) -> None:
    subprocess.run(
        [str(POSTGRES_BIN_PATH / binary), *args], check=True, user=user, stdout=subprocess.DEVNULL
    )


def postgres_up(port: int, databases: list[str]) -> None:
    user = _pg_user()
    if user:
        STATE.mkdir(exist_ok=True)
        _open_path_to(STATE)
        _open_tree(PG_INSTALL)
    if not (PG_DATA / "PG_VERSION").exists():
        _log(f"initialising a Postgres cluster in {PG_DATA}")
        PG_DATA.mkdir(parents=True, exist_ok=True)
        if user:
            shutil.chown(PG_DATA, user, user)
        _pg(
            "initdb",
            "-D",
            str(PG_DATA),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            user=user,
        )
    if not _port_open(port):
        _log(f"starting Postgres on 127.0.0.1:{port}")
        options = f"-h 127.0.0.1 -p {port} -k {PG_DATA} -c fsync=off -c max_connections=400"
        _pg(
            "pg_ctl",
            "-D",
            str(PG_DATA),
            "-l",
            str(PG_DATA / "server.log"),
            "-o",
            options,
            "-w",
            "start",
            user=user,
        )
    _wait_for_port(port, "Postgres")
    _ensure_databases(port, databases)


def _ensure_databases(port: int, databases: list[str]) -> None:
    dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        for name in databases:
            if name not in existing:
                _log(f"creating database {name}")
                conn.execute(f'CREATE DATABASE "{name}"')
    for name in databases:
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{port}/{name}", autocommit=True
        ) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")


def postgres_down() -> None:
    if (PG_DATA / "postmaster.pid").exists():
        _log("stopping Postgres")
        _pg("pg_ctl", "-D", str(PG_DATA), "-m", "fast", "-w", "stop", user=_pg_user())


def _redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit(
            "redis-server is missing: install it (Debian: apt-get install "
            "redis-server) or run this as root to have it installed"
        )
    _log("installing redis-server with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "redis-server"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return "/usr/bin/redis-server"


def redis_up(port: int) -> None:
    binary = _redis_binary()
    if _port_open(port):
        return
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    _log(f"starting Redis on 127.0.0.1:{port}")
    subprocess.run(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(REDIS_DIR),
            "--daemonize",
            "yes",
            "--pidfile",
            str(REDIS_DIR / "redis.pid"),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
            "--appendonly",
            "yes",
            "--save",
            "",
        ],
        check=True,
    )
    _wait_for_port(port, "Redis")


def redis_down(port: int) -> None:
    pidfile = REDIS_DIR / "redis.pid"
    if not pidfile.exists():
        return
    _log("stopping Redis")
    pid = int(pidfile.read_text().strip() or 0)
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        pidfile.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + 10
    while _port_open(port) and time.monotonic() < deadline:
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--pg-port", type=int, default=55432)
    parser.add_argument("--redis-port", type=int, default=56379)
    parser.add_argument("--databases", nargs="*", default=["chidi"])
    args = parser.parse_args()
    if args.command == "up":
        postgres_up(args.pg_port, args.databases)
        redis_up(args.redis_port)
        _log(
            f"ready: postgresql://postgres@127.0.0.1:{args.pg_port} "
            f"redis://127.0.0.1:{args.redis_port}"
        )
    elif args.command == "down":
        redis_down(args.redis_port)
        postgres_down()
    else:
        for name, port in (("postgres", args.pg_port), ("redis", args.redis_port)):
            sys.stdout.write(f"{name}: {'up' if _port_open(port) else 'down'} ({port})\n")


if __name__ == "__main__":
    main()
