"""Read the token service's answers to ``GET /api/token`` and ``POST /api/dial-check``.

Browser-free. The service answers ``{identity, token, ttl}``, or an error in one JSON shape,
``{"error": {"status", "code", "message"}}`` (server/errors.py): 401 when it refuses the
agent's faTrustToken ("token has expired" when only its age is wrong), 429 when rate-limited,
5xx when it cannot help. ``read_token_response`` turns each case into a token or an
errors.Failure the agent can read. ``/dial-check`` (a sibling of ``tokenUrl``) answers 200 when
the agent may call a number, else 403 with the outbound policy's code (README, "The token
service"); ``read_dial_check`` reads it.

Public names: EXPIRED_MESSAGE, read_token_response, dial_check_url, read_dial_check.
"""

import json

from toolbar.core import messages
from toolbar.core.errors import Failure
from toolbar.core.refusals import FUSION_ERROR_CODES

# The token service's message for a JWT past its exp (server/agents_auth.py).
EXPIRED_MESSAGE = "token has expired"


def read_token_response(status: int, body: str) -> str:
    """Return the Twilio Access Token in a token service answer.

    Args:
        status: the HTTP status code.
        body: the response body, as text.
    Raises:
        Failure: TOKEN_EXPIRED (401, the faTrustToken expired), TOKEN_REFUSED (other 401s,
            403), TOKEN_RATE_LIMITED (429), TOKEN_BAD_RESPONSE (a
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
    if status == 401 and EXPIRED_MESSAGE in message:
        raise Failure(messages.TOKEN_EXPIRED, detail)
    if status in (401, 403):
        raise Failure(messages.TOKEN_REFUSED, detail)
    if status == 429:
        raise Failure(messages.TOKEN_RATE_LIMITED, detail)
    raise Failure(messages.TOKEN_SERVICE_DOWN, detail)


def dial_check_url(token_url: str) -> str:
    """``POST /dial-check`` next to ``tokenUrl`` (``/api/token`` -> ``/api/dial-check``)."""
    return token_url.rsplit("/", 1)[0] + "/dial-check"


def read_dial_check(status: int, body: str):
    """The outbound policy's refusal code in a ``/dial-check`` answer, or None when the call
    may go ahead.

    Only a 403 with one of the policy's codes (toolbar/core/refusals.py) refuses: when the
    check itself fails (unreachable, 5xx, 429, 401, a code this toolbar does not know) the
    toolbar dials anyway, as the service still decides in /voice and says why there.
    """
    if status != 403:
        return None
    data = _json_object(body)
    error = data.get("error") if data is not None else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) and code in FUSION_ERROR_CODES else None


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
