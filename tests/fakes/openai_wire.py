"""OpenAI's wire format, built from script outcomes: completions, stream chunks, errors,
embeddings, and JSON that satisfies a request's JSON schema."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from tests.fakes.openai_script import JSON, Failure, Reply, Structured, ToolCall

# What OpenAI's own embedding models return without `dimensions`.
NATIVE_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
}


def error_body(status: int, message: str, code: str | None = None) -> JSON:
    """OpenAI's error shape."""
    kind = _ERROR_TYPES.get(status, "server_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def failure_headers(failure: Failure) -> dict[str, str]:
    """Headers that tell the OpenAI client how long to wait before retrying."""
    if failure.retry_after_ms is None:
        return {}
    return {"retry-after-ms": str(failure.retry_after_ms)}


def count_tokens(text: str) -> int:
    """A rough token count for `usage` (clients only report it)."""
    return len(re.findall(r"\w+|[^\w\s]", text))


def _tool_call_json(call: ToolCall) -> JSON:
    return {
        "id": call.call_id or f"call_{uuid.uuid4().hex[:24]}",
        "type": "function",
        "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
    }


def _message(reply: Reply) -> JSON:
    message: JSON = {"role": "assistant", "content": reply.content, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = [_tool_call_json(call) for call in reply.tool_calls]
    return message


def _finish_reason(reply: Reply) -> str:
    return "tool_calls" if reply.tool_calls else "stop"


def _envelope(body: JSON, obj: str) -> JSON:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": obj,
        "created": int(time.time()),
        "model": body.get("model", ""),
        "system_fingerprint": "fp_fake",
    }


def _usage(body: JSON, reply: Reply) -> JSON:
    prompt = sum(count_tokens(json.dumps(m)) for m in body.get("messages", []))
    completion = count_tokens(reply.content or "") + sum(
        count_tokens(json.dumps(c.arguments)) for c in reply.tool_calls
    )
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def completion(body: JSON, reply: Reply) -> JSON:
    """A non-streaming `chat.completion` object."""
    return {
        **_envelope(body, "chat.completion"),
        "choices": [
            {
                "index": 0,
                "message": _message(reply),
                "logprobs": None,
                "finish_reason": _finish_reason(reply),
            }
        ],
        "usage": _usage(body, reply),
    }


def _chunk(envelope: JSON, delta: JSON, finish_reason: str | None = None) -> JSON:
    return {
        **envelope,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }


def _pieces(text: str) -> list[str]:
    """Split text into word-sized pieces that join back to exactly `text`."""
    return re.findall(r"\s*\S+|\s+$", text)


def stream_chunks(body: JSON, reply: Reply) -> Iterator[JSON]:
    """The `chat.completion.chunk` objects of a streamed answer, as OpenAI sends them:
    role first, content word by word, each tool call's name then its arguments in pieces,
    the finish reason, and usage last when `stream_options.include_usage` asks for it."""
    envelope = _envelope(body, "chat.completion.chunk")
    yield _chunk(envelope, {"role": "assistant", "content": "", "refusal": None})
    for piece in _pieces(reply.content or ""):
        yield _chunk(envelope, {"content": piece})
    for index, call in enumerate(reply.tool_calls):
        head = _tool_call_json(call)
        arguments = head["function"]["arguments"]
        head["function"]["arguments"] = ""
        yield _chunk(envelope, {"tool_calls": [{"index": index, **head}]})
        for piece in _pieces(arguments):
            yield _chunk(
                envelope, {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
            )
    yield _chunk(envelope, {}, _finish_reason(reply))
    if (body.get("stream_options") or {}).get("include_usage"):
        yield {**envelope, "choices": [], "usage": _usage(body, reply)}


def sse(events: Iterator[JSON]) -> Iterator[str]:
    """Server-sent events as OpenAI frames them, closed by `data: [DONE]`."""
    for event in events:
        yield f"data: {json.dumps(event)}\n\n"
    yield "data: [DONE]\n\n"


def requested_schema(body: JSON) -> JSON | None:
    """The JSON schema of a `response_format: json_schema` request, if it is one."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") != "json_schema":
        return None
    schema: JSON = response_format["json_schema"]["schema"]
    return schema


def forced_tool(body: JSON) -> JSON | None:
    """The function definition the request forces with `tool_choice`, if any."""
    choice = body.get("tool_choice")
    if not isinstance(choice, dict):
        return None
    name = choice.get("function", {}).get("name")
    for tool in body.get("tools", []):
        if tool.get("function", {}).get("name") == name:
            function: JSON = tool["function"]
            return function
    return None


def structured_reply(body: JSON, structured: Structured) -> Reply:
    """Turn scripted values into what the request asked for: JSON content for
    `response_format`, or a call of the forced tool."""
    schema = requested_schema(body)
    if schema is not None:
        return Reply(content=json.dumps(fill_schema(schema, structured.values, schema)))
    tool = forced_tool(body)
    if tool is not None:
        arguments = fill_schema(
            tool.get("parameters", {}), structured.values, tool.get("parameters", {})
        )
        return Reply(tool_calls=[ToolCall(name=tool["name"], arguments=arguments)])
    return Reply(content=json.dumps(dict(structured.values)))


def fill_schema(schema: JSON, values: Mapping[str, Any], root: JSON) -> JSON:
    """An object with `values` plus a type default for every required field they omit.

    Raises ValueError for a value whose field the schema does not have, so a script that
    drifts from the model's schema fails loudly instead of being dropped.
    """
    schema = _resolve(schema, root)
    properties: JSON = schema.get("properties", {})
    unknown = sorted(set(values) - set(properties))
    if unknown:
        raise ValueError(f"scripted fields {unknown} are not in the schema {sorted(properties)}")
    result = dict(values)
    for name in schema.get("required", []):
        if name not in result:
            result[name] = _default(properties[name], root)
    return result


def _resolve(schema: JSON, root: JSON) -> JSON:
    """Follow a local `$ref` such as `#/$defs/Item`."""
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    resolved: JSON = node
    return resolved


def _default(schema: JSON, root: JSON) -> Any:
    """The plainest value a field of this schema accepts."""
    schema = _resolve(schema, root)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        kinds = [_resolve(s, root) for s in schema["anyOf"]]
        return None if any(k.get("type") == "null" for k in kinds) else _default(kinds[0], root)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = "null" if "null" in kind else kind[0]
    defaults: dict[str, Any] = {
        "string": "",
        "integer": 0,
        "number": 0,
        "boolean": False,
        "array": [],
        "null": None,
    }
    if kind == "object":
        return fill_schema(schema, {}, root)
    return defaults.get(str(kind))


def fake_vector(model: str, text: str, dimension: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    """A unit vector derived from a hash of (model, text): the same text always gets the
    same vector, different texts unrelated ones."""
    seed = int.from_bytes(hashlib.sha256(f"{model}\0{text}".encode()).digest()[:8], "big")
    vector = np.random.default_rng(seed).standard_normal(dimension).astype(np.float32)
    unit: np.ndarray[Any, np.dtype[np.float32]] = vector / np.linalg.norm(vector)
    return unit


def embedding_inputs(raw: Any) -> list[str]:
    """The inputs of an embeddings request as strings (token arrays are hashed as JSON)."""
    items = raw if isinstance(raw, list) and not _is_token_array(raw) else [raw]
    return [item if isinstance(item, str) else json.dumps(item) for item in items]


def _is_token_array(raw: list[Any]) -> bool:
    return bool(raw) and all(isinstance(x, int) for x in raw)


def embeddings_response(model: str, texts: list[str], dimension: int, encoding_format: str) -> JSON:
    """An embeddings `list` object, floats or base64 of little-endian float32 as asked."""
    data = []
    for index, text in enumerate(texts):
        vector = fake_vector(model, text, dimension)
        encoded: Any = (
            base64.b64encode(vector.astype("<f4").tobytes()).decode()
            if encoding_format == "base64"
            else vector.tolist()
        )
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(count_tokens(t) for t in texts)
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
