"""The OpenAI path end to end: CHIDI's providers, langchain-openai and the openai client
talking real HTTP to the fake OpenAI server."""

from __future__ import annotations

import math
import time

import openai
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from core.chat_model import get_chat_model
from core.embeddings import OpenAIProviderEmbeddings, get_embeddings
from core.settings import Settings
from tests.fakes.openai_script import JSON, Failure, Hang, Reply, Structured, ToolCall, tool_results
from tests.support.openai_fixtures import FAKE_API_KEY, FakeOpenAI


def chat_model(settings: Settings) -> ChatOpenAI:
    model = get_chat_model(settings)
    assert model is not None
    return model


@tool
def get_price(sku: str) -> str:
    """The current price of the product with this SKU."""
    return {"BAG-BLK-01": "NGN 25,000.00"}.get(sku, "unknown SKU")


class BusinessBasics(BaseModel):
    """What onboarding extracts from an owner's first answer."""

    name: str
    business_type: str
    delivers: bool | None = None


async def test_plain_completion_sends_the_configured_model_key_and_temperature(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    fake_openai.controller.script(Reply(content="Hello! How can I help?"))

    answer = await chat_model(openai_settings).ainvoke("hi")

    assert answer.content == "Hello! How can I help?"
    (sent,) = fake_openai.controller.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {FAKE_API_KEY}"
    assert sent.body is not None
    assert sent.body["model"] == openai_settings.openai_model
    assert sent.body["temperature"] == openai_settings.openai_temperature
    assert sent.body["messages"] == [{"role": "user", "content": "hi"}]


def _price_rule(body: JSON) -> Reply:
    """Call get_price first; once its result is in the conversation, answer with it."""
    results = tool_results(body)
    if results:
        return Reply(content=f"The black leather bag is {results[-1]['content']}.")
    return Reply(tool_calls=[ToolCall("get_price", {"sku": "BAG-BLK-01"}, call_id="call_1")])


async def test_tool_call_round_trip(openai_settings: Settings, fake_openai: FakeOpenAI) -> None:
    fake_openai.controller.on_chat(_price_rule)
    model = chat_model(openai_settings).bind_tools([get_price])
    history: list[HumanMessage | AIMessage | ToolMessage] = [
        HumanMessage("how much is the black leather bag?")
    ]

    first = await model.ainvoke(history)
    assert first.tool_calls == [
        {"name": "get_price", "args": {"sku": "BAG-BLK-01"}, "id": "call_1", "type": "tool_call"}
    ]
    history += [first, await get_price.ainvoke(first.tool_calls[0])]
    final = await model.ainvoke(history)

    assert final.content == "The black leather bag is NGN 25,000.00."
    offered, answered = fake_openai.controller.chat_requests
    assert offered["tools"][0]["function"]["name"] == "get_price"
    assert offered["tools"][0]["function"]["parameters"]["required"] == ["sku"]
    assert answered["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "NGN 25,000.00",
    }
    assert answered["messages"][-2]["tool_calls"][0]["id"] == "call_1"


async def test_structured_output_parses_into_the_pydantic_model(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    fake_openai.controller.script(
        Structured({"name": "Ada's Bags", "business_type": "fashion accessories"})
    )
    extract = chat_model(openai_settings).with_structured_output(BusinessBasics)

    basics = await extract.ainvoke("We're Ada's Bags, we sell handbags and belts.")

    assert basics == BusinessBasics(
        name="Ada's Bags", business_type="fashion accessories", delivers=None
    )
    (sent,) = fake_openai.controller.chat_requests
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["name"] == "BusinessBasics"


async def test_streaming_yields_the_answer_in_pieces_with_usage(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    text = "We open at nine and close at six, Monday to Saturday."
    fake_openai.controller.script(Reply(content=text))

    chunks: list[AIMessageChunk] = [
        chunk async for chunk in chat_model(openai_settings).astream("when do you open?")
    ]

    pieces = [chunk.content for chunk in chunks if chunk.content]
    assert len(pieces) > 5
    assert "".join(str(piece) for piece in pieces) == text
    usage = [chunk.usage_metadata for chunk in chunks if chunk.usage_metadata]
    assert usage
    assert usage[-1]["output_tokens"] > 0
    assert fake_openai.controller.chat_requests[0]["stream"] is True


async def test_streamed_tool_call_arrives_whole(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    fake_openai.controller.script(Reply(tool_calls=[ToolCall("get_price", {"sku": "X-1"})]))

    chunks = [
        chunk
        async for chunk in chat_model(openai_settings).bind_tools([get_price]).astream("price?")
    ]
    merged = sum(chunks[1:], chunks[0])

    assert isinstance(merged, AIMessageChunk)
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [("get_price", {"sku": "X-1"})]


@pytest.mark.parametrize("status", [500, 429])
async def test_a_failed_call_is_retried(
    openai_settings: Settings, fake_openai: FakeOpenAI, status: int
) -> None:
    fake_openai.controller.script(Failure(status), Reply(content="second time lucky"))

    answer = await chat_model(openai_settings).ainvoke("hi")

    assert answer.content == "second time lucky"
    assert len(fake_openai.controller.chat_requests) == 2


async def test_retries_stop_at_the_configured_count(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    settings = openai_settings.model_copy(update={"openai_max_retries": 1})
    fake_openai.controller.script(Failure(500), Failure(500), Reply(content="too late"))

    with pytest.raises(openai.InternalServerError):
        await chat_model(settings).ainvoke("hi")
    assert len(fake_openai.controller.chat_requests) == 2


async def test_a_hung_server_raises_a_timeout(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    settings = openai_settings.model_copy(
        update={"openai_timeout_seconds": 0.3, "openai_max_retries": 0}
    )
    fake_openai.controller.script(Hang(seconds=5))

    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        await chat_model(settings).ainvoke("hi")
    assert time.monotonic() - started < 2


def _norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


async def test_openai_embeddings_have_the_models_dimension(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    embeddings = get_embeddings(openai_settings)
    assert isinstance(embeddings, OpenAIProviderEmbeddings)
    assert (embeddings.model_id, embeddings.dimension) == ("openai:text-embedding-3-small", 1536)

    vectors = await embeddings.aembed_documents(["open 9 to 6", "we deliver in Lagos"])
    query = embeddings.embed_query("open 9 to 6")

    assert [len(v) for v in vectors] == [1536, 1536]
    assert query == pytest.approx(vectors[0], abs=1e-6)
    assert vectors[0] != vectors[1]
    assert _norm(vectors[1]) == pytest.approx(1.0, abs=1e-4)
    sent = fake_openai.controller.bodies("/v1/embeddings")[0]
    assert sent["model"] == "text-embedding-3-small"
    assert sent["input"] == ["open 9 to 6", "we deliver in Lagos"]


async def test_shortened_openai_embeddings_ask_for_their_size(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    settings = openai_settings.model_copy(update={"openai_embedding_dimensions": 256})
    embeddings = get_embeddings(settings)

    vector = await embeddings.aembed_query("returns within 14 days")

    assert len(vector) == embeddings.dimension == 256
    assert embeddings.model_id == "openai:text-embedding-3-small@256"
    assert fake_openai.controller.bodies("/v1/embeddings")[0]["dimensions"] == 256


async def test_a_compatible_servers_own_embedding_model(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    fake_openai.controller.set_dimension("nomic-embed-text", 768)
    settings = openai_settings.model_copy(
        update={"openai_embedding_model": "nomic-embed-text", "openai_embedding_dimensions": 768}
    )
    embeddings = get_embeddings(settings)

    vector = await embeddings.aembed_query("hello")

    assert (embeddings.model_id, len(vector)) == ("openai:nomic-embed-text", 768)
    assert "dimensions" not in fake_openai.controller.bodies("/v1/embeddings")[0]


async def test_embeddings_retry_a_server_error(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    fake_openai.controller.script_embeddings(Failure(503))

    vectors = await get_embeddings(openai_settings).aembed_documents(["hours"])

    assert len(vectors[0]) == 1536
    assert len(fake_openai.controller.bodies("/v1/embeddings")) == 2
