"""Which brain and which embeddings the settings select."""

from __future__ import annotations

import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from core.chat_model import brain_name, get_chat_model
from core.embeddings import LocalEmbeddings, OpenAIProviderEmbeddings, get_embeddings
from core.embeddings.openai_provider import resolve_dimension
from core.settings import Settings

KEY = SecretStr("sk-test")


def test_without_a_key_the_local_brain_and_model_are_used() -> None:
    settings = Settings(openai_api_key=None)

    assert get_chat_model(settings) is None
    assert brain_name(settings) == "local"
    assert isinstance(get_embeddings(settings), LocalEmbeddings)


def test_a_key_selects_openai_for_chat_and_embeddings() -> None:
    settings = Settings(
        openai_api_key=KEY,
        openai_base_url="http://127.0.0.1:9/v1",
        openai_model="llama-3.1-8b",
        openai_timeout_seconds=7,
        openai_max_retries=4,
        openai_temperature=0.1,
    )

    model = get_chat_model(settings)

    assert brain_name(settings) == "openai"
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.openai_api_base) == ("llama-3.1-8b", "http://127.0.0.1:9/v1")
    assert (model.request_timeout, model.max_retries, model.temperature) == (7, 4, 0.1)
    assert isinstance(get_embeddings(settings), OpenAIProviderEmbeddings)


def test_local_embeddings_can_be_kept_beside_an_openai_chat_model() -> None:
    settings = Settings(openai_api_key=KEY, embedding_provider="local")

    assert brain_name(settings) == "openai"
    assert isinstance(get_embeddings(settings), LocalEmbeddings)


def test_openai_embeddings_without_a_key_are_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        get_embeddings(Settings(openai_api_key=None, embedding_provider="openai"))


@pytest.mark.parametrize(
    ("model", "configured", "expected"),
    [
        ("text-embedding-3-small", None, 1536),
        ("text-embedding-3-large", None, 3072),
        ("text-embedding-3-large", 1024, 1024),
        ("nomic-embed-text", 768, 768),
    ],
)
def test_embedding_dimension(model: str, configured: int | None, expected: int) -> None:
    assert resolve_dimension(model, configured) == expected


def test_an_unknown_embedding_model_needs_its_dimension_configured() -> None:
    with pytest.raises(ValueError, match="OPENAI_EMBEDDING_DIMENSIONS"):
        resolve_dimension("nomic-embed-text", None)
