"""The fake OpenAI server answers like the real API where the client does not already
prove it: errors, raw SSE framing, encodings and schema defaults."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import httpx
import numpy as np
import pytest

from tests.fakes.openai_script import Failure, Reply, Structured
from tests.support.openai_fixtures import FAKE_API_KEY, FakeOpenAI

AUTH = {"authorization": f"Bearer {FAKE_API_KEY}"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi there"}]}


def post(
    fake: FakeOpenAI, path: str, body: object, headers: dict[str, str] = AUTH
) -> httpx.Response:
    return httpx.post(f"{fake.base_url}{path}", json=body, headers=headers, timeout=5)


def ask_for_schema(fake: FakeOpenAI, schema: Mapping[str, Any]) -> httpx.Response:
    response_format = {"type": "json_schema", "json_schema": {"name": "Out", "schema": schema}}
    return post(fake, "/chat/completions", {**CHAT, "response_format": response_format})


def test_a_request_without_a_key_is_refused_in_openais_error_shape(fake_openai: FakeOpenAI) -> None:
    response = post(fake_openai, "/chat/completions", CHAT, headers={})

    assert response.status_code == 401
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    assert len(fake_openai.controller.requests) == 1


def test_unscripted_chat_echoes_the_last_user_message(fake_openai: FakeOpenAI) -> None:
    body = post(fake_openai, "/chat/completions", CHAT).json()

    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"] == "Echo: hi there"
    assert body["choices"][0]["finish_reason"] == "stop"


def test_a_scripted_failure_carries_the_retry_delay(fake_openai: FakeOpenAI) -> None:
    fake_openai.controller.script(Failure(429, "Rate limit reached", retry_after_ms=250))

    response = post(fake_openai, "/chat/completions", CHAT)

    assert response.status_code == 429
    assert response.headers["retry-after-ms"] == "250"
    assert response.json()["error"]["type"] == "rate_limit_exceeded"


def test_streaming_is_framed_as_server_sent_events_ending_in_done(fake_openai: FakeOpenAI) -> None:
    fake_openai.controller.script(Reply(content="one two three"))

    response = post(
        fake_openai,
        "/chat/completions",
        {**CHAT, "stream": True, "stream_options": {"include_usage": True}},
    )

    assert response.headers["content-type"].startswith("text/event-stream")
    frames = [f for f in response.text.split("\n\n") if f]
    assert all(f.startswith("data: ") for f in frames)
    assert frames[-1] == "data: [DONE]"
    chunks = [json.loads(f.removeprefix("data: ")) for f in frames[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "one two three"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["total_tokens"] > 0


def test_structured_output_fills_required_fields_the_script_omits(fake_openai: FakeOpenAI) -> None:
    schema = {
        "type": "object",
        "required": ["name", "tags", "address", "size"],
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "address": {"$ref": "#/$defs/Address"},
            "size": {"enum": ["small", "large"]},
        },
        "$defs": {
            "Address": {
                "type": "object",
                "required": ["city"],
                "properties": {"city": {"type": "string"}},
            }
        },
    }
    fake_openai.controller.script(Structured({"name": "Ada"}))

    body = ask_for_schema(fake_openai, schema).json()

    content = json.loads(body["choices"][0]["message"]["content"])
    assert content == {"name": "Ada", "tags": [], "address": {"city": ""}, "size": "small"}


def test_a_script_that_drifts_from_the_schema_is_a_400(fake_openai: FakeOpenAI) -> None:
    fake_openai.controller.script(Structured({"nmae": "typo"}))
    schema = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}

    response = ask_for_schema(fake_openai, schema)

    assert response.status_code == 400
    assert "nmae" in response.json()["error"]["message"]


def test_embeddings_are_deterministic_and_base64_matches_floats(fake_openai: FakeOpenAI) -> None:
    request = {"model": "text-embedding-3-small", "input": ["a", "b"]}
    floats = post(fake_openai, "/embeddings", request).json()["data"]
    packed = post(fake_openai, "/embeddings", {**request, "encoding_format": "base64"}).json()

    decoded = np.frombuffer(base64.b64decode(packed["data"][0]["embedding"]), dtype="<f4")
    assert decoded.tolist() == pytest.approx(floats[0]["embedding"])
    assert floats[0]["embedding"] != floats[1]["embedding"]
    assert float(np.linalg.norm(decoded)) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(
    ("request_body", "status"),
    [
        ({"model": "no-such-model", "input": "x"}, 404),
        ({"model": "text-embedding-ada-002", "input": "x", "dimensions": 8}, 400),
        ({"model": "text-embedding-3-small"}, 400),
    ],
)
def test_embedding_requests_the_api_would_refuse(
    fake_openai: FakeOpenAI, request_body: dict[str, object], status: int
) -> None:
    assert post(fake_openai, "/embeddings", request_body).status_code == status


def test_models_lists_added_embedding_models(fake_openai: FakeOpenAI) -> None:
    fake_openai.controller.set_dimension("nomic-embed-text", 768)

    response = httpx.get(f"{fake_openai.base_url}/models", headers=AUTH, timeout=5)

    assert "nomic-embed-text" in [m["id"] for m in response.json()["data"]]
