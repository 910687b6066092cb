"""LangSmith tracing of every graph run, on when LANGSMITH_API_KEY is set.

Configured once per process at startup (the API's `create_app`, the worker's `startup`)
through `langsmith.configure`, which LangChain's callback manager consults for every
run: each graph, node, model and tool call is traced without touching the graphs. No
environment variables are written; without a key tracing is switched off explicitly, so a
stray LANGSMITH_TRACING in the environment cannot send data the settings did not allow.
The client batches runs and sends them from its own thread, so a slow or unreachable
LangSmith never slows a reply.
"""

from __future__ import annotations

import langsmith
from langsmith import Client

from core.settings import Settings


def configure_tracing(settings: Settings) -> Client | None:
    """Turn tracing on (returning the client, to flush at shutdown) or off."""
    key = settings.langsmith_api_key
    if key is None:
        langsmith.configure(enabled=False, client=None)
        return None
    client = Client(api_url=settings.langsmith_endpoint, api_key=key.get_secret_value())
    langsmith.configure(enabled=True, client=client, project_name=settings.langsmith_project)
    return client
