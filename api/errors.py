"""Every error leaves the API in one shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from core.errors import AppError, ServiceUnavailable
from core.logs import request_id_var

log = logging.getLogger("chidi.errors")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(error: AppError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON response for an `AppError`."""
    return JSONResponse(error.to_body(), status_code=error.status_code, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for err in exc.errors():
        location = [str(part) for part in err.get("loc", ()) if part != "body"]
        fields.append(
            {
                "field": ".".join(location),
                "message": err.get("msg", "invalid"),
                "type": err.get("type"),
            }
        )
    return fields


async def _on_app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = dict(exc.headers) if exc.headers else None
    if isinstance(exc.details, dict) and "retry_after_seconds" in exc.details:
        headers = {**(headers or {}), "Retry-After": str(exc.details["retry_after_seconds"])}
    return error_response(exc, headers)


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = _field_errors(exc)
    names = ", ".join(f["field"] or "body" for f in fields[:5])
    error = AppError(f"Some fields are invalid: {names}.", details=fields, code="validation_error")
    error.status_code = 422
    return error_response(error)


async def _on_http_exception(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    error = AppError(str(exc.detail), code=_HTTP_CODES.get(exc.status_code, "http_error"))
    error.status_code = exc.status_code
    return error_response(error, dict(exc.headers) if exc.headers else None)


async def _on_database_error(_: Request, exc: Exception) -> JSONResponse:
    log.exception("database error", exc_info=exc)
    return error_response(
        ServiceUnavailable(
            "The database is unavailable right now; please retry shortly.",
            details={"request_id": request_id_var.get()},
        )
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None) or request_id_var.get()
    log.exception("unhandled error", exc_info=exc, extra={"request_id": request_id})
    error = AppError(
        "Something went wrong on our side. It has been logged.", details={"request_id": request_id}
    )
    return error_response(error)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the one error shape."""
    app.add_exception_handler(AppError, _on_app_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_exception)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)
