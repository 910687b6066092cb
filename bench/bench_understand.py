"""The local brain's understand step: latency per message over the labelled set.

Run: `.venv/bin/python -m bench.bench_understand [--passes 3]`.

Prints, in milliseconds (p50 / p95 / max over every message of every pass):
- `understand`: the whole step as the responder calls it (embedding the message, plus the
  previous message for a follow-up, then `read`), on the local all-MiniLM-L6-v2;
- `embedding`: embedding one message alone (`embed_message`), for comparison;
- `read`: everything after the embedding (entities, classifier, topics, sentiment,
  confidence), with the vectors computed beforehand;
- `entities`: `extract_entities` alone;
- `cpu` under each of the last two: the same calls in thread CPU time, which a crowded
  machine does not inflate;
and, once, the cold cost of embedding the examples for a model (first message per process).
The catalog is the 12-product sample shop of tests/data.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable
from functools import partial

from core.brain.entities import extract_entities
from core.brain.intents import clear_example_cache, example_index, example_phrases
from core.brain.nlu import embed_message, read, understand
from core.embeddings.local import LocalEmbeddings, load_runtime
from tests.data.brain_set import labelled_messages, sample_catalog


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(name: str, timings: list[float]) -> str:
    """One line: p50, p95 and max in milliseconds."""
    return (
        f"{name:<11} p50 {percentile(timings, 0.5):6.2f} ms   "
        f"p95 {percentile(timings, 0.95):6.2f} ms   max {max(timings):6.2f} ms   "
        f"(n={len(timings)})"
    )


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """Milliseconds one call takes: wall clock, and this thread's CPU time.

    The pure steps run on one thread, so their CPU time is their cost even when other
    processes crowd the machine and stretch the wall-clock figure.
    """
    started, started_cpu = time.perf_counter(), time.thread_time()
    call()
    return (time.perf_counter() - started) * 1000, (time.thread_time() - started_cpu) * 1000


async def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()

    embeddings = LocalEmbeddings()
    catalog = sample_catalog()
    rows = labelled_messages()
    load_runtime()
    clear_example_cache()
    started = time.perf_counter()
    index = await example_index(embeddings)
    examples_ms = (time.perf_counter() - started) * 1000
    await understand("warm up", catalog, embeddings)

    whole: list[float] = []
    for _ in range(args.passes):
        for row in rows:
            started = time.perf_counter()
            await understand(row.text, catalog, embeddings, history=row.history)
            whole.append((time.perf_counter() - started) * 1000)

    embedding_only: list[float] = []
    for _ in range(args.passes):
        for row in rows:
            started = time.perf_counter()
            await embed_message(row.text, embeddings)
            embedding_only.append((time.perf_counter() - started) * 1000)

    vectors = [await embed_message(row.text, embeddings) for row in rows]
    previous = [
        await embed_message(row.history[-1], embeddings) if row.history else None for row in rows
    ]
    after_embedding: list[tuple[float, float]] = []
    entities_only: list[tuple[float, float]] = []
    for _ in range(args.passes):
        for row, vector, before in zip(rows, vectors, previous, strict=True):
            after_embedding.append(
                timed(
                    partial(
                        read,
                        row.text,
                        catalog,
                        index,
                        vector,
                        history=row.history,
                        previous_vector=before,
                    )
                )
            )
            entities_only.append(
                timed(partial(extract_entities, row.text, catalog, history=row.history))
            )

    phrases = len(example_phrases()[1])
    load = os.getloadavg()[0]
    print(f"labelled messages: {len(rows)} x {args.passes} passes; catalog: 12 products")
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores (noisy when high)")
    print(f"embedding the {phrases} examples (once per model and process): {examples_ms:.0f} ms")
    print(summary("understand", whole))
    print(summary("embedding", embedding_only))
    print(summary("read", [wall for wall, _ in after_embedding]))
    print(summary("  cpu", [cpu for _, cpu in after_embedding]))
    print(summary("entities", [wall for wall, _ in entities_only]))
    print(summary("  cpu", [cpu for _, cpu in entities_only]))


if __name__ == "__main__":
    asyncio.run(main())
