"""One error envelope for every error the API answers with.

    {"error": {"code": "JIC-E...", "message": "...", "details": [...]}}

Where each error comes from:

    JicError (any layer)          its own code and status; its hint is a detail
    RequestValidationError        JIC-E200, 422, one detail per invalid field
    unknown path                  JIC-E300, 404 (NotFoundError)
    known path, wrong method      JIC-E271, 405 (MethodNotAllowed), with Allow
    any other HTTP error          JIC-E272 (HttpRefused) with the HTTP status
    an exception jic did not foresee   JIC-E000, 500, no detail (logged, not shown)

The classes below are the API's own errors; their codes live in the ranges the
project gave the API: JIC-E27x (input) and JIC-E64x (access).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from jic.errors import AccessError, InputError, JicError, NotFoundError

log = logging.getLogger(__name__)


class CursorError(InputError):
    """A pagination cursor this API did not give for this list and these filters."""

    code = "JIC-E270"


class MethodNotAllowed(InputError):
    code = "JIC-E271"
    http_status = 405


class HttpRefused(InputError):
    """An HTTP-level refusal that is none of the above (its status is the HTTP one)."""

    code = "JIC-E272"


class RateLimited(AccessError):
    """Too many writes with one token; ``retry_after`` seconds until the next is taken."""

    code = "JIC-E640"
    http_status = 429

    def __init__(self, message: str, hint: str = "", *, retry_after: int) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after


class OfficersOnly(AccessError):
    """The action or the resource is for officers (of a member, or of the chair)."""

    code = "JIC-E641"


class SignedInOnly(AccessError):
    """The public (no token, on a center that publishes TLP:CLEAR) may not read this."""

    code = "JIC-E642"
    http_status = 401


class ErrorBody(BaseModel):
    code: str = Field(pattern=r"^JIC-E\d{3}$", examples=["JIC-E300"])
    message: str
    details: list[dict[str, Any]]


class ErrorEnvelope(BaseModel):
    error: ErrorBody


def envelope(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return JSONResponse(body, status_code=status, headers=headers)


def error_response(error: JicError) -> JSONResponse:
    details: list[dict[str, Any]] = [{"hint": error.hint}] if error.hint else []
    headers = None
    if isinstance(error, RateLimited):
        headers = {"Retry-After": str(error.retry_after)}
        details.append({"retry_after": error.retry_after})
    if error.http_status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return envelope(error.http_status, error.code, error.message, details, headers)


def _validation_details(error: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"location": [str(part) for part in e.get("loc", ())], "message": str(e.get("msg", ""))}
        for e in error.errors()
    ]


def install(app: FastAPI) -> None:
    """Route every error the app can raise into the envelope."""

    @app.exception_handler(JicError)
    async def jic_error(_request: Request, error: JicError) -> JSONResponse:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return envelope(
            422, InputError.code, "the request is not valid", _validation_details(error)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 404:
            return error_response(NotFoundError("nothing here", "see /api/docs for the routes"))
        if error.status_code == 405:
            allowed = (error.headers or {}).get("Allow", "")
            response = error_response(
                MethodNotAllowed("this method is not allowed here", f"allowed: {allowed}")
            )
            response.headers["Allow"] = allowed
            return response
        refused = HttpRefused(str(error.detail))
        refused.http_status = error.status_code
        return error_response(refused)

    @app.exception_handler(Exception)
    async def unforeseen(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return envelope(500, JicError.code, "jic failed on this request; the log has the cause")


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for these error statuses, each with the envelope's schema."""
    described = {
        400: "The request cannot be read",
        401: "No token, or a token that is refused",
        403: "Signed in, but not allowed",
        404: "Not found, or not visible to you (the same answer, on purpose)",
        405: "Method not allowed",
        409: "The thing is not in a state that allows this",
        422: "The request, a query or a cursor is not valid",
        429: "Too many writes with this token; see Retry-After",
    }
    found: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorEnvelope, "description": described[status]} for status in statuses
    }
    if 429 in statuses:
        found[429]["headers"] = {
            "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
        }
    return found
