"""Workspace turns over SSE with the local brain, against a real API process.

Run: `.venv/bin/python -m bench.bench_workspace [--owners 30] [--concurrency 1]`.

Starts `uvicorn api.main:app` as a subprocess on the database `chidi_bench_workspace`
(emptied and migrated each run; no OpenAI key, so the local brain answers), then has each
owner go through a whole onboarding over HTTP + SSE: the welcome, every field (one thin
answer followed up, one skip revisited at the end), a correction at the summary and the
confirmation. Then the owner adds two products and talks to the assistant (POST /chat):
a policy question, a stock question, low stock, a profile change, a greeting. For every
turn it records the time from sending the request to the first SSE event and to the end
of the stream, and prints p50/p95/max of both, overall and per kind of turn. The first
owners are a warm-up and are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import httpx

from core.security import TokenSubject, issue_access_token
from core.settings import Settings, get_settings
from tests.support.database import reset_and_migrate
from tests.support.live_server import free_port
from tests.support.processes import running, wait_until_healthy
from tests.support.workspace import Owner, Turn

DATABASE = "chidi_bench_workspace"
WARM_UP_OWNERS = 3
ANSWERS = {
    "name": "The Cozy Corner Cafe",
    "business_type": "We are a local coffee shop",
    "products_services_overview": "coffee",  # thin: followed up once
    "social_media_presence": "@cozycorner on Instagram, WhatsApp +234 803 123 4567",
    "target_audience_description": "skip",  # skipped: asked again at the end
    "goals_preferences": "More weekday regulars and a bigger Instagram following",
    "policies": (
        "Open Monday to Friday, 7am to 6pm. We deliver within 3km. "
        "Returns within 7 days with a receipt. We take cash, card and transfer."
    ),
}
FOLLOW_UP_ANSWER = "Coffee, pastries and sandwiches from 1,500 naira"
# Assistant turns after onboarding, by kind (each runs its own tools).
CHATS = {
    "chat: policy": "What's my return policy?",
    "chat: stock": "How many large lattes do I have?",
    "chat: low stock": "What's low on stock?",
    "chat: profile change": "Change my hours to 7am-8pm",
    "chat: greeting": "hi",
}
PRODUCTS = (
    {
        "name": "Latte",
        "base_price": "2500.00",
        "variants": [{"option_name": "Size", "values": ["Small", "Large"]}],
        "inventory_items": [
            {"variant_options": [{"option_name": "Size", "value": "Small"}], "stock_quantity": 30},
            {"variant_options": [{"option_name": "Size", "value": "Large"}], "stock_quantity": 3},
        ],
    },
    {"name": "Croissant", "base_price": "1500.00", "inventory_items": [{"stock_quantity": 2}]},
)


@dataclass
class Timings:
    """Per kind of turn: (first event ms, whole turn ms) samples."""

    samples: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, turn: Turn) -> None:
        self.samples[kind].append((turn.first_event_ms, turn.total_ms))

    def all(self) -> list[tuple[float, float]]:
        return [sample for samples in self.samples.values() for sample in samples]


def _database_url(base: Settings, database: str) -> str:
    prefix, _, _ = base.database_url.rpartition("/")
    return f"{prefix}/{database}"


def _token(settings: Settings, url: str) -> str:
    now = int(time.time())
    subject = TokenSubject(
        user_id=uuid.uuid4(),
        email=f"bench-{uuid.uuid4().hex[:8]}@example.com",
        session_id=uuid.uuid4(),
        auth_method="password",
        authenticated_at=now,
    )
    token, _ = issue_access_token(
        subject,
        secret=settings.jwt_secret.get_secret_value(),
        issuer=f"{url}/auth/v1",
        ttl_seconds=3600,
        now=now,
    )
    return token


def _kind(turn: Turn, previous: Turn | None) -> str:
    if previous is None:
        return "welcome"
    stage = previous.message["stage"]
    if stage == "summary":
        return "summary reply"
    return "follow-up answer" if previous.message["follow_up"] else "answer"


async def onboard(settings: Settings, url: str, timings: Timings | None) -> None:
    """One owner's whole onboarding, then a chat with the assistant; timings recorded
    unless this is a warm-up."""
    headers = {"Authorization": f"Bearer {_token(settings, url)}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        owner = Owner(client)
        await _onboarding(owner, timings)
        await _assistant(owner, timings)


async def _assistant(owner: Owner, timings: Timings | None) -> None:
    """Stock the catalog (untimed), then one assistant turn of each kind."""
    for product in PRODUCTS:
        response = await owner.client.post("/api/v1/products", json=product)
        response.raise_for_status()
    for kind, message in CHATS.items():
        turn = await owner.chat(message)
        if not turn.named("ai_message"):
            raise RuntimeError(f"{kind}: no answer: {[e.data for e in turn.events]}")
        if timings is not None:
            timings.add(kind, turn)


async def _onboarding(owner: Owner, timings: Timings | None) -> None:
    """Every onboarding turn, from the welcome to the confirmation."""
    previous: Turn | None = None
    turn = await owner.onboarding()
    corrected = False
    while True:
        if timings is not None:
            timings.add(_kind(turn, previous), turn)
        stage = turn.message["stage"]
        if stage == "complete":
            return
        if stage == "summary":
            reply = "yes" if corrected else "Change business type to artisan bakery"
            corrected = True
        elif turn.message["follow_up"]:
            reply = FOLLOW_UP_ANSWER
        else:
            reply = ANSWERS[turn.asking or ""]
        previous, turn = turn, await owner.onboarding(reply)


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _line(label: str, samples: list[tuple[float, float]]) -> str:
    first = [s[0] for s in samples]
    whole = [s[1] for s in samples]
    return (
        f"{label:<21} n={len(samples):<4} first event p50 {_pct(first, 50):6.1f} "
        f"p95 {_pct(first, 95):6.1f} max {max(first):6.1f} ms | whole turn p50 "
        f"{_pct(whole, 50):6.1f} p95 {_pct(whole, 95):6.1f} max {max(whole):6.1f} ms"
    )


async def measure(settings: Settings, url: str, owners: int, concurrency: int) -> Timings:
    for _ in range(WARM_UP_OWNERS):
        await onboard(settings, url, None)
    timings = Timings()
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await onboard(settings, url, timings)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(owners)))
    elapsed = time.perf_counter() - started
    turns = len(timings.all())
    print(
        f"{owners} owners (onboarding + assistant), {turns} turns in {elapsed:.1f}s "
        f"({turns / elapsed:.0f} turns/s)"
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--owners", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=1, help="owners onboarding at once")
    parser.add_argument("--database", default=DATABASE, help="emptied and migrated first")
    args = parser.parse_args()

    base = get_settings()
    database_url = _database_url(base, args.database)
    reset_and_migrate(database_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "DATABASE_URL": database_url,
        "PUBLIC_URL": url,
        "LOG_LEVEL": "WARNING",
        "ENVIRONMENT": "development",
        "OPENAI_API_KEY": "",  # the local brain
    }
    settings = base.model_copy(update={"public_url": url})
    print(
        f"API: uvicorn, 1 worker process; {os.cpu_count()} CPUs; local brain; "
        f"{args.owners} owners, {args.concurrency} at a time"
    )
    api = ("uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port), "--no-access-log")
    with running(*api, env=env):
        wait_until_healthy(url, seconds=120)  # a cold start on a busy machine is slow
        timings = asyncio.run(measure(settings, url, args.owners, args.concurrency))
    print(_line("all turns", timings.all()))
    for kind, samples in sorted(timings.samples.items()):
        print(_line(kind, samples))
    groups = {
        "onboarding": [
            s for k, v in timings.samples.items() if not k.startswith("chat") for s in v
        ],
        "assistant": [s for k, v in timings.samples.items() if k.startswith("chat") for s in v],
    }
    for label, samples in groups.items():
        print(_line(f"{label} (all)", samples))
    for label, samples in groups.items():
        first = [s[0] for s in samples]
        verdict = "meets" if _pct(first, 95) < 150 else "MISSES"
        print(
            f"{label}: first event p95 {_pct(first, 95):.1f} ms {verdict} the 150 ms target "
            f"(mean {statistics.fmean(first):.1f} ms)"
        )


if __name__ == "__main__":
    main()
