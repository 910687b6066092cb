"""Pytest fixtures for the fake OpenAI server (see tests/fakes/openai_server.py).

`fake_openai` yields `(base_url, controller)` with a clean script for each test;
`openai_settings` are the test settings pointed at it, as a real deployment would be
configured (OPENAI_API_KEY + OPENAI_BASE_URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import pytest
from pydantic import SecretStr

from core.settings import Settings
from tests.fakes.openai_script import FakeOpenAIController
from tests.fakes.openai_server import start_fake_openai

FAKE_API_KEY = "sk-test-fake-openai-key"


class FakeOpenAI(NamedTuple):
    """The running fake: its API base URL (ending in /v1) and its controller."""

    base_url: str
    controller: FakeOpenAIController


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAI]:
    """One fake OpenAI server for the whole run."""
    server, controller = start_fake_openai()
    yield FakeOpenAI(base_url=f"{server.url}/v1", controller=controller)
    controller.reset()
    server.stop()


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """The fake with no scripts and no recorded requests; left clean after the test."""
    fake_openai_server.controller.reset()
    yield fake_openai_server
    fake_openai_server.controller.reset()


@pytest.fixture
def openai_settings(settings: Settings, fake_openai: FakeOpenAI) -> Settings:
    """Settings that select the OpenAI providers and point them at the fake.

    Short timeout so a hang fails fast; the default retry count, so retry tests see the
    configured behaviour.
    """
    return settings.model_copy(
        update={
            "openai_api_key": SecretStr(FAKE_API_KEY),
            "openai_base_url": fake_openai.base_url,
            "openai_timeout_seconds": 5.0,
            "openai_max_retries": 2,
            "embedding_provider": "auto",
        }
    )
