"""Local embedding throughput: load time, sentences/s by batch size, latency per message.

Run: `.venv/bin/python -m bench.bench_embeddings [--sentences 512] [--threads 2]`.
Texts are distinct customer messages and business facts of realistic lengths, so batches
pad the way production batches do. The load average is printed before and after: the
figures mean little on a machine whose CPUs are busy with other work.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import time

from core.embeddings.local import LocalEmbeddings, load_runtime

OPENERS = ["hi", "hello", "good morning", "hey there", "pls", "excuse me", "", "hi again"]
ASKS = [
    "do you have the leather bag in black?",
    "how much is the red dress in size M",
    "are you open on sunday",
    "can you deliver to Lekki by friday? I need it for a wedding",
    "I want to return the shoes I bought last week, they are too small",
    "my order still hasn't arrived and it's been 10 days, what is going on",
    "what payment methods do you accept, can I pay on delivery?",
    "is the blue shirt still in stock in XL",
    "Open Monday to Friday, 9am to 6pm; Saturday 10am to 4pm. Closed on Sundays and "
    "public holidays.",
    "We deliver within Lagos in 1-2 working days (NGN 2,500) and nationwide in 3-5 days.",
]
CLOSERS = ["thanks", "thank you!", "", "asap please", "🙏", "let me know"]


def messages(count: int) -> list[str]:
    """`count` distinct texts built from the parts above."""
    combos = itertools.cycle(itertools.product(OPENERS, ASKS, CLOSERS))
    return [f"{o} {a} {c} #{i}".strip() for i, (o, a, c) in zip(range(count), combos, strict=False)]


def throughput(model: LocalEmbeddings, texts: list[str], batch_size: int) -> float:
    """Sentences per second embedding `texts` in batches of `batch_size`."""
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        model.encode(texts[start : start + batch_size])
    return len(texts) / (time.perf_counter() - started)


def latencies_ms(model: LocalEmbeddings, texts: list[str]) -> list[float]:
    """Milliseconds to embed each text on its own, as the responder does per message."""
    timings = []
    for text in texts:
        started = time.perf_counter()
        model.embed_query(text)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def load_average() -> str:
    """The 1-minute load average and the CPU count, as one phrase."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    print(f"before: {load_average()}")
    started = time.perf_counter()
    load_runtime(args.threads)
    load_seconds = time.perf_counter() - started
    model = LocalEmbeddings(threads=args.threads)
    texts = messages(args.sentences)
    model.encode(texts[:16])  # warm-up: first-run allocations are not steady state

    encodings = load_runtime().tokenizer.encode_batch(texts)
    tokens = statistics.mean(sum(e.attention_mask) for e in encodings)  # padding excluded
    print(
        f"local embeddings: {model.model_id}, {model.dimension}-d, "
        f"{args.threads} intra-op threads, {len(texts)} distinct texts "
        f"of {tokens:.1f} tokens on average"
    )
    print(f"load (tokenizer + ONNX session): {load_seconds * 1000:.0f} ms")
    for batch_size in (1, 16, 64):
        rate = throughput(model, texts, batch_size)
        print(f"batch {batch_size:>2}: {rate:7.0f} sentences/s")
    timings = latencies_ms(model, texts[:200])
    print(
        f"single message: p50 {statistics.median(timings):.2f} ms, "
        f"p95 {percentile(timings, 0.95):.2f} ms"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak_mb:.0f} MB")
    print(f"after: {load_average()}")


if __name__ == "__main__":
    main()
