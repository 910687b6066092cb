"""A progress bar for the run, on stderr so the report on stdout stays clean.

On a terminal the bar redraws in place; elsewhere (CI logs, pipes) it prints one line per
finished suite instead of hundreds of carriage returns.
"""

from __future__ import annotations

import sys
from typing import TextIO

WIDTH = 30


def bar(done: int, total: int, width: int = WIDTH) -> str:
    """`[#######-------]  7/14` for `done` of `total`."""
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'-' * (width - filled)}] {done:>{len(str(total))}}/{total}"


class Progress:
    """Counts finished cases across every suite of the run."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()

    def case_done(self, suite: str, case_id: str, *, passed: bool) -> None:
        """One more case finished."""
        self.done += 1
        self.failed += not passed
        if self.live:
            label = f"{suite}/{case_id}"[:50]
            self.stream.write(f"\r{bar(self.done, self.total)} {self.failed} failed  {label:<50}")
            self.stream.flush()

    def suite_done(self, suite: str, passed: int, cases: int) -> None:
        """A suite finished (the line that stays in a log)."""
        if self.live:
            self.stream.write("\r" + " " * (WIDTH + 80) + "\r")
        self.stream.write(f"{bar(self.done, self.total)} {suite}: {passed}/{cases} passed\n")
        self.stream.flush()
