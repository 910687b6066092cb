"""Choosing the brain for an eval run from the settings alone."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from core.chat_model import brain_name
from core.errors import BadRequest
from core.settings import Settings
from evals.runtime import settings_for_brain


def test_the_local_brain_drops_a_configured_openai_key() -> None:
    configured = Settings(openai_api_key=SecretStr("sk-test"), openai_model="gpt-test")
    chosen = settings_for_brain(configured, "local")
    assert brain_name(chosen) == "local"
    assert chosen.openai_model == "gpt-test"  # everything else is kept
    assert brain_name(configured) == "openai"  # the caller's settings are untouched


def test_the_openai_brain_uses_the_configured_settings() -> None:
    configured = Settings(
        openai_api_key=SecretStr("sk-test"), openai_base_url="http://127.0.0.1:9/v1"
    )
    assert settings_for_brain(configured, "openai") is configured


def test_the_openai_brain_without_a_key_is_refused() -> None:
    with pytest.raises(BadRequest, match="OPENAI_API_KEY"):
        settings_for_brain(Settings(openai_api_key=None), "openai")
