"""Every error the HTTP layer gives, on the one documented shape {"error": code, "message": text}.

FastAPI and Starlette answer some failures themselves, on another shape: 400 {"detail": "There was
an error parsing the body"} for a body that is not UTF-8 or nests deeper than the JSON parser goes,
404/405 {"detail": "Not Found"}. The handlers here put each on the shape
with its status (a body that cannot be read as JSON is 422 like any other bad body), and an
exception nobody expected is a logged 500 `internal_error` rather than a bare "Internal Server Error".
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from assistant.errors import AssistantError, UnsupportedMediaType

log = logging.getLogger(__name__)

# Codes for the statuses Starlette and FastAPI raise on their own.
CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "too_large",
    415: "unsupported_media_type",
    431: "headers_too_large",
}


def error_response(status: int, code: str, message: str, retry_after: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def assistant_error_response(error: AssistantError) -> JSONResponse:
    return error_response(error.status, error.code, error.message, error.retry_after)


def readable(error: RequestValidationError) -> str:
    """One line a person can act on, e.g. "question: String should have at most 2000 characters"."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        message = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        if item.get("type") == "json_invalid":
            where, message = "body", "is not valid JSON"
        elif item.get("type") == "model_attributes_type":
            message = 'must be a JSON object like {"question": "..."}'
        parts.append(f"{where}: {message}")
    return "; ".join(parts)[:1000]


def _unparsable_body(cause: BaseException) -> str:
    if isinstance(cause, UnicodeDecodeError):
        return "body: is not valid UTF-8; send JSON encoded as UTF-8"
    if isinstance(cause, RecursionError):
        return "body: nests too deeply to read; send a flat JSON object"
    return "body: is not valid JSON"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def _assistant_error(request: Request, error: AssistantError) -> JSONResponse:
        return assistant_error_response(error)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", readable(error))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, error: HTTPException) -> JSONResponse:
        if isinstance(error.__cause__, AssistantError):  # raised while FastAPI read the body (BodyLimit's 413)
            return assistant_error_response(error.__cause__)
        if isinstance(error.__cause__, ClientDisconnect):  # the body stopped coming (GuardedProtocol's 408)
            return error_response(408, "body_incomplete", "the request body did not arrive in full")
        if error.status_code == 400 and error.__cause__ is not None:  # FastAPI could not parse the body
            return error_response(422, "invalid_request", _unparsable_body(error.__cause__))
        status = error.status_code
        message = error.detail if isinstance(error.detail, str) else HTTPStatus(status).phrase
        if status == 404:
            message = f"nothing here: {request.url.path[:200]}"
        elif status == 405:
            message = f"{request.method} is not allowed on {request.url.path[:200]}"
        reply = error_response(status, CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_")), message)
        for name, value in (error.headers or {}).items():  # e.g. Allow on a 405
            reply.headers[name] = value
        return reply

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        return error_response(500, "internal_error", "something went wrong on the server; it has been logged")


async def require_json(request: Request) -> None:
    """A dependency for JSON routes: a body sent as form data or text is 415, said plainly, rather
    than a 422 about a missing field. Async: a header check needs no thread of the pool."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return
    shown = media_type[:80] or "no Content-Type"
    raise UnsupportedMediaType(f"send the body as JSON with Content-Type: application/json (got {shown})")
