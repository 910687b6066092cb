"""CPU time spent by groups of processes over a phase of a benchmark (psutil).

On a 2-core machine the API, Postgres, Redis, the worker and the load generator share the
cores, so a throughput figure alone does not say which of them to make cheaper. A meter
snapshots the CPU time (user + system) of each group before and after a phase; a process
that appears during the phase (a new Postgres backend) counts from zero. A process that
exits during the phase loses what it used: the figures are lower bounds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil

Finder = Callable[[], list[psutil.Process]]


def tree(*pids: int) -> Finder:
    """Processes and their descendants (uvicorn's and arq's worker processes)."""

    def find() -> list[psutil.Process]:
        found: list[psutil.Process] = []
        for pid in pids:
            try:
                root = psutil.Process(pid)
                found += [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        return found

    return find


def named(*names: str) -> Finder:
    """Every process whose name is one of `names` (postgres, redis-server)."""

    def find() -> list[psutil.Process]:
        return [p for p in psutil.process_iter(["name"]) if p.info["name"] in names]

    return find


def this_process() -> Finder:
    """The benchmark's own process alone (the load generator and the fake Graph API)."""
    return lambda: [psutil.Process(os.getpid())]


def _cpu_seconds(process: psutil.Process) -> float | None:
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return float(times.user + times.system)


def _snapshot(finders: dict[str, Finder]) -> dict[str, dict[int, float]]:
    taken: dict[str, dict[int, float]] = {}
    for group, find in finders.items():
        seen = taken.setdefault(group, {})
        for process in find():
            seconds = _cpu_seconds(process)
            if seconds is not None:
                seen[process.pid] = seconds
    return taken


@dataclass
class CpuMeter:
    """`start()`, run the phase, then `used()`: CPU seconds per group."""

    finders: dict[str, Finder]
    _before: dict[str, dict[int, float]] = field(default_factory=dict)

    def start(self) -> None:
        self._before = _snapshot(self.finders)

    def used(self) -> dict[str, float]:
        after = _snapshot(self.finders)
        return {
            group: sum(
                seconds - self._before.get(group, {}).get(pid, 0.0) for pid, seconds in now.items()
            )
            for group, now in after.items()
        }


def per_item(used: dict[str, float], items: int, elapsed: float) -> str:
    """`used` as ms of CPU per item and cores busy, one line."""
    parts = [
        f"{group} {1000 * seconds / max(items, 1):.2f} ms ({seconds / elapsed:.2f} cores)"
        for group, seconds in used.items()
    ]
    total = sum(used.values())
    parts.append(f"total {1000 * total / max(items, 1):.2f} ms ({total / elapsed:.2f} cores)")
    return "CPU per request: " + ", ".join(parts)


def reference_loop_ms(repeats: int = 3) -> float:
    """CPU ms of a fixed pure-Python loop (the fastest of `repeats`): how fast this machine
    runs Python right now. The VM's speed drifts by up to 2x between sittings; figures
    from different sittings compare only next to this number."""
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, (time.process_time() - started) * 1000)
    return best


def machine_line() -> str:
    """One line to print at the top of a benchmark's output."""
    return f"machine: {os.cpu_count()} CPUs, reference Python loop {reference_loop_ms():.0f} ms"
