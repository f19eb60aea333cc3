"""Twilio's REST error JSON: ``{"code", "message", "more_info", "status"}``.

Public names: RestError and the error codes the emulator answers with.
"""

from __future__ import annotations

from typing import Any

AUTHENTICATE = 20003  # 401: bad or missing credentials, or another account's path
NOT_FOUND = 20404  # no such resource (or path)
METHOD_NOT_ALLOWED = 20004
# The emulator's catch-all for a parameter value it cannot take (no narrower Twilio code).
INVALID_PARAMETER = 20001
SERVICE_UNAVAILABLE = 20503
NO_TO = 21201
INVALID_URL = 21205
INVALID_FROM = 21210
INVALID_TO = 21211
NO_FROM = 21213
CALL_NOT_IN_PROGRESS = 21220
DUPLICATE_LABEL = 16025
INVALID_COACH = 13240


class RestError(Exception):
    """A request the REST emulator refuses, as Twilio would."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message,
                "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
                "status": self.status}


def invalid(message: str, code: int = INVALID_PARAMETER) -> RestError:
    """A 400 for a parameter."""
    return RestError(400, code, message)


def not_found(path: str) -> RestError:
    return RestError(404, NOT_FOUND, f"The requested resource {path} was not found")
