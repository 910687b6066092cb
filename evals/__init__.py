"""Golden-conversation suites and their runner: `python -m evals` (docs/evals.md)."""
