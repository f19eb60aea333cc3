"""One JSON error shape for every error the service answers.

Every error response, whatever raised it, has this body::

    {"error": {"status": 401, "code": "invalid_token", "message": "token has expired"}}

``status`` repeats the HTTP status, ``code`` is a stable snake_case word for programs, and
``message`` is a sentence for people. Messages never carry tokens, tracebacks or internals.

Exception tree (ours; each class carries its status and code)::

    ServiceError            500 internal_server_error (base class, never raised itself)
    ├── InvalidToken        401 invalid_token, with WWW-Authenticate: Bearer error="invalid_token"
    ├── InvalidSignature    403 invalid_signature
    ├── Forbidden           403 with the code of its reason (not_an_agent, premium_rate, …)
    ├── RateLimited         429 rate_limited, with Retry-After
    ├── KeysUnavailable     503 keys_unavailable
    └── TwilioRestError     503 twilio_unavailable (unreachable, slow or failing Twilio), or
                            502 twilio_refused (Twilio answered an error); keeps Twilio's code

werkzeug's HTTPException (404, 405, 413, and the 500 Flask makes of an unhandled exception)
gets the same body, with a code made from its name ("method_not_allowed") and its own headers
(such as Allow on a 405) kept.

Public names: ServiceError, InvalidToken, InvalidSignature, Forbidden, RateLimited, KeysUnavailable,
TwilioRestError, error_response, error_code, init_app.
"""

import logging
import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import ClassVar

from flask import Flask
from flask import Response
from flask import jsonify
from flask import request
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)

# Headers of werkzeug's own error response that describe its HTML body, not ours.
_BODY_HEADERS = frozenset({"content-type", "content-length"})


class ServiceError(Exception):
    """Base class of the errors this service raises on purpose."""

    status: ClassVar[int] = HTTPStatus.INTERNAL_SERVER_ERROR
    code: ClassVar[str] = "internal_server_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def headers(self) -> dict[str, str]:
        """Return extra response headers for this error."""
        return {}


class InvalidToken(ServiceError):
    """The bearer token is missing, malformed, or fails a check (RFC 6750 invalid_token)."""

    status = HTTPStatus.UNAUTHORIZED
    code = "invalid_token"

    def headers(self) -> dict[str, str]:
        """Return the RFC 6750 challenge; the message is ours, so it has no quotes to escape."""
        challenge = f'Bearer error="invalid_token", error_description="{self.message}"'
        return {"WWW-Authenticate": challenge}


class InvalidSignature(ServiceError):
    """A webhook's X-Twilio-Signature is missing or does not match the request."""

    status = HTTPStatus.FORBIDDEN
    code = "invalid_signature"


class Forbidden(ServiceError):
    """A request understood and refused; code names the reason, for the toolbar to explain."""

    status = HTTPStatus.FORBIDDEN

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # type: ignore[misc]  # one class, many reasons


class RateLimited(ServiceError):
    """A rate limit is exhausted; retry_after is the whole seconds until it resets."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        """Return Retry-After."""
        return {"Retry-After": str(self.retry_after)}


class KeysUnavailable(ServiceError):
    """No signing keys could be loaded from the JWKS URL, so no token can be checked."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "keys_unavailable"


class TwilioRestError(ServiceError):
    """A request to Twilio's REST API failed; twilio_code is Twilio's error code, if it gave one.

    Build one with unreachable() or refused(): the status and code follow from which.
    """

    def __init__(self, message: str, *, status: int, code: str, twilio_code: int | None) -> None:
        super().__init__(message)
        self.status = status  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.twilio_code = twilio_code

    @classmethod
    def unreachable(cls, why: str, twilio_code: int | None = None) -> "TwilioRestError":
        """Twilio did not answer in time, could not be reached, or failed (5xx)."""
        return cls(f"Twilio is unavailable: {why}", status=HTTPStatus.SERVICE_UNAVAILABLE,
                   code="twilio_unavailable", twilio_code=twilio_code)

    @classmethod
    def refused(cls, twilio_code: int | None, why: str) -> "TwilioRestError":
        """Twilio answered the request with an error of its own (4xx)."""
        return cls(f"Twilio refused the request (error {twilio_code}): {why}",
                   status=HTTPStatus.BAD_GATEWAY, code="twilio_refused", twilio_code=twilio_code)


def error_response(
    status: int, code: str, message: str, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    """Return the JSON error response; the only place the error body is built."""
    response = jsonify(error={"status": status, "code": code, "message": message})
    response.status_code = status
    response.headers.extend(headers)
    return response


def init_app(app: Flask) -> None:
    """Answer every ServiceError and HTTPException with the JSON error shape."""
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(HTTPException, _http_error)


def _service_error(error: ServiceError) -> Response:
    # Refusals are logged with their reason only: never the token or the request body.
    level = logging.WARNING if error.status >= HTTPStatus.INTERNAL_SERVER_ERROR else logging.INFO
    # %r keeps a path with encoded newlines on one log line.
    where = f"{request.method} {request.path!r} from {request.remote_addr}"
    reason = {"event": "refused", "code": error.code, "reason": error.message}
    logger.log(level, "%s refused: %s", where, error.message, extra=reason)
    return error_response(error.status, error.code, error.message, error.headers().items())


def _http_error(error: HTTPException) -> Response:
    # get_response() carries the headers that matter, such as Allow on a 405.
    kept = [(k, v) for k, v in error.get_response().headers if k.lower() not in _BODY_HEADERS]
    status = error.code or HTTPStatus.INTERNAL_SERVER_ERROR
    return error_response(status, error_code(error), error.description or error.name, kept)


def error_code(error: ServiceError | HTTPException) -> str:
    """The ``code`` of error's JSON error body (for an HTTPException, its name in snake case)."""
    if isinstance(error, ServiceError):
        return error.code
    return re.sub(r"[^a-z0-9]+", "_", error.name.lower()).strip("_")
