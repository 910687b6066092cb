"""The eval command line.

    python -m evals run PATH... [--brain local|openai] [--json FILE] [--min-pass P] [--keep]
    python -m evals replay --conversation ID [--brain local|openai]

`run` loads every suite first (a broken file stops the run before anything is seeded,
with every problem listed), runs them against the database in DATABASE_URL, prints the
report table on stdout (progress on stderr) and exits 1 when a suite passes fewer than
`--min-pass` percent of its cases. With LANGSMITH_API_KEY set the run is also recorded
as a LangSmith experiment. `replay` is described in `evals/replay.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

from core.errors import AppError
from core.settings import Settings, get_settings
from evals.langsmith_export import record_experiment
from evals.loading import load_suites
from evals.progress import Progress
from evals.replay import render_replay, replay_conversation
from evals.report import failing_suites, figures, render, write_json
from evals.results import SuiteResult
from evals.run import run_suites
from evals.runtime import BrainChoice, open_runtime


def parser() -> argparse.ArgumentParser:
    """The `run` and `replay` commands and their options."""
    root = argparse.ArgumentParser(prog="python -m evals", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run suites of golden conversations")
    run.add_argument("paths", nargs="+", type=Path, help="suite files or folders")
    run.add_argument(
        "--brain",
        choices=["local", "openai"],
        default="local",
        help="the offline local brain (default) or the configured OpenAI model",
    )
    run.add_argument(
        "--json", type=Path, metavar="FILE", help="write every case's result to this file"
    )
    run.add_argument(
        "--min-pass",
        type=float,
        default=None,
        metavar="P",
        help="exit 1 when any suite passes fewer than P%% of its cases",
    )
    run.add_argument("--keep", action="store_true", help="keep the seeded businesses")
    replay = commands.add_parser("replay", help="re-run a stored conversation")
    replay.add_argument("--conversation", required=True, type=uuid.UUID, metavar="ID")
    replay.add_argument("--brain", choices=["local", "openai"], default="local", help="as for run")
    return root


async def run_command(
    settings: Settings,
    paths: Sequence[Path],
    *,
    brain: BrainChoice,
    keep: bool = False,
) -> list[SuiteResult]:
    """Load and run the suites; the results (nothing printed but progress)."""
    suites = load_suites(paths)
    progress = Progress(sum(len(suite.spec.cases) for suite in suites))
    async with open_runtime(settings, brain) as runtime:
        results = await run_suites(runtime, suites, progress, keep=keep)
    record_experiment(settings, suites, results, brain=brain)
    return results


def _run(args: argparse.Namespace, settings: Settings) -> int:
    results = asyncio.run(run_command(settings, args.paths, brain=args.brain, keep=args.keep))
    print(render(results, brain=args.brain))
    if args.json:
        write_json(args.json, results, brain=args.brain)
    if args.min_pass is not None:
        below = failing_suites([figures(r) for r in results], args.min_pass)
        if below:
            print(f"\nUnder {args.min_pass:g}% passing: {', '.join(below)}", file=sys.stderr)
            return 1
    return 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    turns = asyncio.run(replay_conversation(settings, args.conversation, brain=args.brain))
    print(render_replay(turns))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run it; the process's exit code."""
    args = parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    settings = get_settings()
    try:
        return _run(args, settings) if args.command == "run" else _replay(args, settings)
    except AppError as exc:
        print(exc.message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
