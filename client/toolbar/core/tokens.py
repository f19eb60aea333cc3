"""Read the token service's answer to ``GET /api/token``.

Browser-free. The service answers ``{identity, token, ttl}``, or an error in one JSON shape,
``{"error": {"status", "code", "message"}}`` (server/errors.py): 401 when it refuses the
agent's faTrustToken, 429 when rate-limited, 5xx when it cannot help. ``read_token_response``
turns each case into a token or an errors.Failure the agent can read.

Public names: read_token_response.
"""

import json

from toolbar.core import messages
from toolbar.core.errors import Failure


def read_token_response(status: int, body: str) -> str:
    """Return the Twilio Access Token in a token service answer.

    Args:
        status: the HTTP status code.
        body: the response body, as text.
    Raises:
        Failure: TOKEN_REFUSED (401, 403), TOKEN_RATE_LIMITED (429), TOKEN_BAD_RESPONSE (a
            200 without a token) or TOKEN_SERVICE_DOWN (anything else).
    """
    data = _json_object(body)
    if status == 200:
        token = data.get("token") if data is not None else None
        if not isinstance(token, str) or not token:
            raise Failure(messages.TOKEN_BAD_RESPONSE, "no token in the answer")
        return token
    detail = "HTTP " + str(status)
    message = _error_message(data)
    if message:
        detail = detail + ": " + message
    if status in (401, 403):
        raise Failure(messages.TOKEN_REFUSED, detail)
    if status == 429:
        raise Failure(messages.TOKEN_RATE_LIMITED, detail)
    raise Failure(messages.TOKEN_SERVICE_DOWN, detail)


def _json_object(body):
    try:
        data = json.loads(body)
    except ValueError:  # not JSON: a proxy's HTML error page, say
        return None
    return data if isinstance(data, dict) else None


def _error_message(data):
    if data is None:
        return ""
    error = data.get("error")
    if isinstance(error, dict):
        message = error.get("message")
        return message if isinstance(message, str) else ""
    return error if isinstance(error, str) else ""
