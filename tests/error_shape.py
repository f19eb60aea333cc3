"""The one JSON error shape, asserted the same way for the token service and the sandbox.

``{"error": {"status": 404, "code": "not_found", "message": "…"}}`` (server/errors.py), on a
Flask test response or a ``requests`` response alike.
"""

from __future__ import annotations

import json
from typing import Any


def assert_error(response: Any, status: int, code: str, message: str | None = None) -> dict:
    """Check ``response`` is the JSON error ``status``/``code``; return its ``error`` object."""
    assert response.status_code == status
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    body = json.loads(response.text)
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message"}
    assert (error["status"], error["code"]) == (status, code)
    assert isinstance(error["message"], str) and error["message"]
    if message is not None:
        assert error["message"] == message
    return error
