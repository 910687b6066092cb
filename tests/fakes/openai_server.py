"""A local fake of the OpenAI API, speaking its wire format over real HTTP.

CHIDI's OpenAI path (langchain-openai -> the openai client -> httpx) runs unchanged
against it: only the base URL differs. It serves

- `POST /v1/chat/completions`: plain answers, `tools`/`tool_choice` (tool calls when the
  script says so), `response_format` json_schema (structured output), `stream: true` (SSE
  `data: {chunk}` frames ending with `data: [DONE]`, usage when asked);
- `POST /v1/embeddings`: deterministic unit vectors from a hash of the text, of the
  model's size (OpenAI's models, or ones added with `controller.set_dimension`), floats or
  base64 as asked, `dimensions` for text-embedding-3-*;
- `GET /v1/models`.

Every API request is recorded. Requests without a bearer key get 401, unknown embedding
models 404, malformed bodies and script mistakes 400 (never retried, so the test sees it).

Usage, with the fixtures from `tests.support.openai_fixtures` (registered in conftest)::

    async def test_extracts_name(fake_openai, openai_settings):
        base_url, controller = fake_openai          # base_url ends in /v1
        controller.script(
            Reply(tool_calls=[ToolCall("find_products", {"query": "bag"})]),
            Reply(content="We have the leather bag in black."),
        )
        controller.on_chat(lambda body: Structured({"name": "Ada's"})
                           if requested_schema(body) else None)
        controller.script(Failure(500), Failure(429), Hang(seconds=2))
        controller.script_embeddings(Failure(500))
        ...  # run code built from openai_settings (OPENAI_BASE_URL = base_url)
        assert controller.chat_requests[0]["tools"][0]["function"]["name"] == "find_products"

Chat outcomes: the queue first (`script`), then the rule (`on_chat`, a function of the
request JSON returning an outcome or None), then the default: schema defaults for
structured output, else "Echo: <last user message>". `Hang` answers after its delay
unless the test ends first (`controller.reset()` releases it).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes import openai_wire as wire
from tests.fakes.openai_script import (
    JSON,
    ChatOutcome,
    Failure,
    FakeOpenAIController,
    Hang,
    RecordedRequest,
    Reply,
    Structured,
    last_user_text,
)
from tests.support.live_server import LiveServer, free_port, serve_in_thread

CHAT_MODELS = ("gpt-4o-mini", "gpt-4o")
Handler = Callable[[Request, JSON], Any]


class _Rejected(Exception):
    """A request the fake refuses, with the status and message OpenAI would send."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _error(
    status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(wire.error_body(status, message, code), status_code=status, headers=headers)


def _failure(failure: Failure) -> JSONResponse:
    return _error(failure.status, failure.message, headers=wire.failure_headers(failure))


def _json_object(raw: bytes) -> JSON | None:
    """The body as a JSON object, or None when it is empty or not one."""
    try:
        parsed = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _check_key(request: Request) -> None:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise _Rejected(401, "You didn't provide an API key.")


async def _hang(controller: FakeOpenAIController, seconds: float) -> None:
    """Wait `seconds`, or less if the test resets the controller."""
    await asyncio.to_thread(controller.released.wait, seconds)


def _reply_for(body: JSON, outcome: Reply | Structured | None) -> Reply:
    """The assistant message to send: scripted, structured, or the default."""
    if isinstance(outcome, Reply):
        return outcome
    if isinstance(outcome, Structured):
        return wire.structured_reply(body, outcome)
    if wire.requested_schema(body) is not None or wire.forced_tool(body) is not None:
        return wire.structured_reply(body, Structured())
    return Reply(content=f"Echo: {last_user_text(body)}")


def _check_chat_body(body: JSON) -> None:
    if not body.get("model"):
        raise _Rejected(400, "you must provide a model parameter")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _Rejected(400, "'messages' must be a non-empty array")


def _scripted(controller: FakeOpenAIController, body: JSON) -> ChatOutcome | None:
    try:
        return controller.next_chat(body)
    except Exception as exc:  # a broken rule is the test's bug: report it, don't retry
        raise _Rejected(400, f"fake OpenAI script error: {exc!r}") from exc


def _chat(controller: FakeOpenAIController) -> Handler:
    async def handle(request: Request, body: JSON) -> Response:
        _check_chat_body(body)
        outcome = _scripted(controller, body)
        if isinstance(outcome, Hang):
            await _hang(controller, outcome.seconds)
            outcome = None
        if isinstance(outcome, Failure):
            return _failure(outcome)
        try:
            reply = _reply_for(body, outcome)
        except ValueError as exc:
            raise _Rejected(400, f"fake OpenAI script error: {exc}") from exc
        if body.get("stream"):
            return StreamingResponse(
                wire.sse(wire.stream_chunks(body, reply)), media_type="text/event-stream"
            )
        return JSONResponse(wire.completion(body, reply))

    return handle


def _embedding_dimension(controller: FakeOpenAIController, body: JSON) -> int:
    model = str(body.get("model") or "")
    native = controller.model_dimensions.get(model) or wire.NATIVE_DIMENSIONS.get(model)
    if native is None:
        raise _Rejected(
            404,
            f"The model `{model}` does not exist or you do not have access to it.",
            code="model_not_found",
        )
    requested = body.get("dimensions")
    if requested is None:
        return native
    if not model.startswith("text-embedding-3-"):
        raise _Rejected(400, "This model does not support specifying dimensions.")
    if not isinstance(requested, int) or not 1 <= requested <= native:
        raise _Rejected(400, f"dimensions must be between 1 and {native}")
    return requested


def _embeddings(controller: FakeOpenAIController) -> Handler:
    async def handle(request: Request, body: JSON) -> Response:
        if "input" not in body or not body.get("model"):
            raise _Rejected(400, "'model' and 'input' are required")
        outcome = controller.next_embedding()
        if isinstance(outcome, Hang):
            await _hang(controller, outcome.seconds)
        elif isinstance(outcome, Failure):
            return _failure(outcome)
        dimension = _embedding_dimension(controller, body)
        texts = wire.embedding_inputs(body["input"])
        return JSONResponse(
            wire.embeddings_response(
                str(body["model"]), texts, dimension, str(body.get("encoding_format") or "float")
            )
        )

    return handle


def _models(controller: FakeOpenAIController) -> Handler:
    async def handle(request: Request, body: JSON) -> Response:
        names = [*CHAT_MODELS, *wire.NATIVE_DIMENSIONS, *controller.model_dimensions]
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {"id": name, "object": "model", "created": 0, "owned_by": "fake"}
                    for name in names
                ],
            }
        )

    return handle


def _api_route(path: str, method: str, controller: FakeOpenAIController, handler: Handler) -> Route:
    """A route that records the request, checks the key and maps refusals to errors."""

    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        body = _json_object(raw)
        controller.record(
            RecordedRequest(
                method=request.method,
                path=request.url.path,
                headers=dict(request.headers),
                body=body,
            )
        )
        try:
            if raw and body is None:
                raise _Rejected(400, "We could not parse the JSON body of your request.")
            _check_key(request)
            response: Response = await handler(request, body or {})
        except _Rejected as exc:
            return _error(exc.status, exc.message, exc.code)
        return response

    return Route(path, endpoint, methods=[method])


async def _ready(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_fake_openai_app(controller: FakeOpenAIController) -> Starlette:
    """The fake's ASGI app, driven by `controller`."""
    return Starlette(
        routes=[
            Route("/__fake__/ready", _ready),
            _api_route("/v1/chat/completions", "POST", controller, _chat(controller)),
            _api_route("/v1/embeddings", "POST", controller, _embeddings(controller)),
            _api_route("/v1/models", "GET", controller, _models(controller)),
        ]
    )


def start_fake_openai() -> tuple[LiveServer, FakeOpenAIController]:
    """Serve a fresh fake on a free loopback port; its API base URL is `server.url + "/v1"`."""
    controller = FakeOpenAIController()
    server = serve_in_thread(
        create_fake_openai_app(controller),
        port=free_port(),
        ready_path="/__fake__/ready",
        graceful_shutdown_seconds=1,
    )
    return server, controller
