"""The chat model: an OpenAI (or OpenAI-compatible) model when configured, else none.

`get_chat_model` returning None is the signal to use CHIDI's local brain, so the graphs
choose their brain in one place and both paths run the same nodes and tools.
"""

from __future__ import annotations

from typing import Literal

from langchain_openai import ChatOpenAI
from openai import DefaultAsyncHttpxClient

from core.metrics import LLMMetrics
from core.settings import Settings

BrainName = Literal["local", "openai"]


def brain_name(settings: Settings) -> BrainName:
    """Which brain answers: "openai" when an OpenAI key is set, else "local"."""
    return "openai" if settings.openai_enabled else "local"


def get_chat_model(settings: Settings) -> ChatOpenAI | None:
    """A `ChatOpenAI` for the configured model and server, or None for the local brain.

    OPENAI_BASE_URL points it at any server that speaks the Chat Completions API (the
    Responses API is turned off because most compatible servers lack it). Timeouts and
    retries come from the settings; the OpenAI client retries 408/409/429/5xx and
    connection errors with backoff, honouring Retry-After.
    """
    if settings.openai_api_key is None:
        return None
    return ChatOpenAI(
        model=settings.openai_model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds,
        max_retries=settings.openai_max_retries,
        temperature=settings.openai_temperature,
        use_responses_api=False,
        stream_usage=True,  # token counts on streamed turns too, for the responses log
        callbacks=[LLMMetrics()],  # latency and errors of every call, whichever graph runs
        # Its own connection pool: langchain-openai otherwise shares one cached pool per
        # base URL across the process, which breaks when two event loops use models (an
        # API served from a thread beside a worker or test loop).
        http_async_client=DefaultAsyncHttpxClient(),
    )
