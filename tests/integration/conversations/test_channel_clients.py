"""The Send API clients against the fake Graph API over real HTTP: bodies, retries, errors."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from channels.errors import FailureKind, GraphCallFailed
from channels.graph import GraphClient, GraphConfig
from channels.ratelimit import RedisTokenBucket
from channels.send import InstagramSender, WhatsAppSender
from tests.fakes.graph_api import Delay, FakeGraph, GraphFailure

TOKEN = "page-token-for-tests"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _client(
    http: httpx.AsyncClient,
    fake: FakeGraph,
    *,
    idempotent: bool = False,
    timeout: float = 5.0,
    token: str = TOKEN,
    limiter: RedisTokenBucket | None = None,
) -> GraphClient:
    return GraphClient(
        http,
        GraphConfig(
            base_url=fake.url,
            version="v21.0",
            timeout_seconds=timeout,
            max_attempts=4,
            retry_initial_seconds=0.01,
            honours_idempotency=idempotent,
        ),
        access_token=token,
        limiter=limiter,
        limiter_key="connection-1",
    )


async def test_instagram_send_uses_the_send_api_shape(
    http: httpx.AsyncClient, fake_graph: FakeGraph
) -> None:
    sender = InstagramSender(_client(http, fake_graph))
    message_id = await sender.send_text("igsid-1", "Hello!", idempotency_key="k1")
    tagged = await sender.send_text("igsid-1", "Late reply", idempotency_key="k2", human_agent=True)
    first, second = fake_graph.controller.sends_to("igsid-1")
    assert (first.platform, first.node, first.message_id) == ("instagram", "me", message_id)
    assert first.body == {
        "recipient": {"id": "igsid-1"},
        "message": {"text": "Hello!"},
        "messaging_type": "RESPONSE",
    }
    assert second.message_id == tagged
    assert (second.body["messaging_type"], second.body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert first.idempotency_key == "k1"


async def test_whatsapp_send_posts_to_the_phone_number(
    http: httpx.AsyncClient, fake_graph: FakeGraph
) -> None:
    sender = WhatsAppSender(_client(http, fake_graph), "106540352242922")
    wamid = await sender.send_text("2348012345678", "Hi Ada", idempotency_key="w1")
    [sent] = fake_graph.controller.sends_to("2348012345678")
    assert (sent.node, sent.message_id, sent.text) == ("106540352242922", wamid, "Hi Ada")
    assert wamid.startswith("wamid.")
    assert sent.body["messaging_product"] == "whatsapp"


async def test_rate_limit_errors_back_off_and_retry(
    http: httpx.AsyncClient, fake_graph: FakeGraph
) -> None:
    fake_graph.controller.script(
        GraphFailure(code=130429, message="Rate limit hit"),
        GraphFailure(code=4, message="Application request limit"),
    )
    sender = WhatsAppSender(_client(http, fake_graph), "1065403")
    await sender.send_text("2348000000001", "hi", idempotency_key="r1")
    assert fake_graph.controller.send_attempts == 3
    assert len(fake_graph.controller.sends_to("2348000000001")) == 1


async def test_server_errors_are_retried(http: httpx.AsyncClient, fake_graph: FakeGraph) -> None:
    fake_graph.controller.script(GraphFailure(code=2, status=500, message="Service unavailable"))
    await InstagramSender(_client(http, fake_graph)).send_text(
        "igsid-2", "hi", idempotency_key="s1"
    )
    assert fake_graph.controller.send_attempts == 2


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (GraphFailure(code=131047, message="Re-engagement message"), FailureKind.WINDOW_CLOSED),
        (GraphFailure(code=100, message="Invalid parameter"), FailureKind.PERMANENT),
        (
            GraphFailure(code=190, subcode=463, message="Session has expired"),
            FailureKind.TOKEN_INVALID,
        ),
    ],
)
async def test_permanent_errors_are_not_retried(
    http: httpx.AsyncClient, fake_graph: FakeGraph, failure: GraphFailure, kind: FailureKind
) -> None:
    fake_graph.controller.script(failure)
    with pytest.raises(GraphCallFailed) as raised:
        await WhatsAppSender(_client(http, fake_graph), "1065403").send_text(
            "2348000000002", "hi", idempotency_key="p1"
        )
    assert raised.value.kind is kind
    assert raised.value.error.code == failure.code
    assert fake_graph.controller.send_attempts == 1
    assert fake_graph.controller.sends_to("2348000000002") == []


async def test_a_revoked_token_fails_with_190(
    http: httpx.AsyncClient, fake_graph: FakeGraph
) -> None:
    fake_graph.controller.revoked_tokens.add("revoked-token")
    with pytest.raises(GraphCallFailed) as raised:
        await InstagramSender(_client(http, fake_graph, token="revoked-token")).send_text(
            "igsid-3", "hi", idempotency_key="t1"
        )
    assert (raised.value.kind, raised.value.error.code) == (FailureKind.TOKEN_INVALID, 190)


async def test_retries_stop_after_the_attempt_limit(
    http: httpx.AsyncClient, fake_graph: FakeGraph
) -> None:
    fake_graph.controller.script(*[GraphFailure(code=130429)] * 5)
    with pytest.raises(GraphCallFailed) as raised:
        await InstagramSender(_client(http, fake_graph)).send_text(
            "igsid-4", "hi", idempotency_key="l1"
        )
    assert raised.value.kind is FailureKind.RATE_LIMITED
    assert fake_graph.controller.send_attempts == 4


async def test_an_unanswered_send_is_not_repeated_without_idempotency(
    http: httpx.AsyncClient, fake_graph: FakeGraph
) -> None:
    fake_graph.controller.script(Delay(1.0, accept=True))
    with pytest.raises(GraphCallFailed) as raised:
        await InstagramSender(_client(http, fake_graph, timeout=0.3)).send_text(
            "igsid-5", "hi", idempotency_key="u1"
        )
    assert raised.value.kind is FailureKind.UNCERTAIN
    assert fake_graph.controller.send_attempts == 1


async def test_an_unanswered_send_is_repeated_safely_with_idempotency(
    http: httpx.AsyncClient, fake_graph: FakeGraph
) -> None:
    fake_graph.controller.script(Delay(1.0, accept=True))
    message_id = await InstagramSender(
        _client(http, fake_graph, idempotent=True, timeout=0.3)
    ).send_text("igsid-6", "hi", idempotency_key="u2")
    [sent] = fake_graph.controller.sends_to("igsid-6")  # accepted once, answered twice
    assert sent.message_id == message_id


async def test_the_per_connection_rate_limit_paces_sends(
    http: httpx.AsyncClient, fake_graph: FakeGraph, redis: Redis
) -> None:
    await redis.delete("chidi:send-bucket:connection-1")
    limiter = RedisTokenBucket(redis, rate=5.0, burst=1)
    sender = InstagramSender(_client(http, fake_graph, limiter=limiter))
    started = time.monotonic()
    for index in range(4):
        await sender.send_text("igsid-7", f"m{index}", idempotency_key=f"rl{index}")
    assert time.monotonic() - started >= 0.55  # 3 waits of 0.2 s after the first token
    assert len(fake_graph.controller.sends_to("igsid-7")) == 4
