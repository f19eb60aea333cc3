"""Agent-facing messages, failure kinds, and the token service's answers."""

from toolbar.core import messages
from toolbar.core import status
from toolbar.core import twilio_errors
from toolbar.core.errors import Failure
from toolbar.core.tokens import read_token_response

_KINDS = (messages.TOKEN_REFUSED, messages.TOKEN_RATE_LIMITED, messages.TOKEN_SERVICE_DOWN,
          messages.TOKEN_BAD_RESPONSE, messages.TWILIO_REFUSED, messages.TWILIO_UNREACHABLE,
          messages.DEVICE_FAILED, messages.REFRESH_FAILED, messages.UEF_LIBRARY,
          messages.UEF_TIMEOUT, messages.UEF_ERROR, messages.UEF_CONFIGURATION,
          messages.CONFIGURATION, messages.INTERNAL)


def test_messages_every_failure_has_its_own_sentence():
    """Every failure kind has its own short sentence."""
    texts = [messages.failure_text(kind) for kind in _KINDS]
    assert len(set(texts)) == len(texts)
    for text in texts:
        assert text.endswith(".") and len(text) < 160


def test_messages_failure_status_carries_kind_and_detail():
    """A failure's line carries its kind, the error tone and the detail in brackets."""
    line = status.failure_status(messages.TOKEN_REFUSED, "HTTP 401")
    assert line.tone == status.ERROR and line.kind == messages.TOKEN_REFUSED
    assert line.text.endswith("(HTTP 401)")
    assert str(Failure(messages.UEF_TIMEOUT, "5 s")).endswith("(5 s)")


def test_messages_long_details_are_cut():
    """A long technical detail is cut short."""
    text = messages.failure_text(messages.DEVICE_FAILED, "x" * 500)
    assert text.endswith("x…)") and len(text) < len(messages.failure_text(messages.DEVICE_FAILED)) + 130


def test_messages_unknown_kind_reads_as_internal():
    """An unknown failure kind reads as an internal error."""
    assert messages.failure_text("nonsense") == messages.failure_text(messages.INTERNAL)


def test_messages_progress():
    """Progress lines have their tones; an unknown step is a bug."""
    assert status.progress_status("available").tone == status.OK
    assert status.progress_status("reconnecting").tone == status.WARN
    try:
        status.progress_status("nonsense")
    except KeyError:
        pass
    else:
        raise AssertionError("an unknown progress step was accepted")


def test_messages_twilio_error_kinds():
    """Twilio Device error codes sort into auth, connection and other."""
    for code in (20101, 20104, 31204, 31205):
        assert twilio_errors.device_error_kind(code) == "auth"
    for code in (31000, 31005, 31009, 53000):
        assert twilio_errors.device_error_kind(code) == "connection"
    for code in (31401, 31400, None, 0):
        assert twilio_errors.device_error_kind(code) == "other"


def _failure(status, body):
    try:
        read_token_response(status, body)
    except Failure as failure:
        return failure
    raise AssertionError("no failure for " + str(status))


def test_tokens_success():
    """A 200 answer gives its token."""
    body = '{"identity": "alice_agent", "token": "eyJ.x.y", "ttl": 3600}'
    assert read_token_response(200, body) == "eyJ.x.y"


def test_tokens_refusals_and_outages():
    """401/403, 429 and other answers become the failures the agent reads, with the service's message."""
    refused = _failure(401, '{"error": {"status": 401, "code": "invalid_token", '
                            '"message": "token expired"}}')
    assert refused.kind == messages.TOKEN_REFUSED and refused.detail == "HTTP 401: token expired"
    assert _failure(403, "").kind == messages.TOKEN_REFUSED
    assert _failure(429, '{"error": {"message": "slow down"}}').kind == messages.TOKEN_RATE_LIMITED
    down = _failure(502, "<html>Bad gateway</html>")
    assert down.kind == messages.TOKEN_SERVICE_DOWN and down.detail == "HTTP 502"
    assert _failure(404, '{"error": "no such route"}').detail == "HTTP 404: no such route"


def test_tokens_unusable_success():
    """A 200 answer without a usable token is a bad response."""
    for body in ("", "[]", '{"token": ""}', '{"token": 5}', "not json", '{"identity": "a"}'):
        assert _failure(200, body).kind == messages.TOKEN_BAD_RESPONSE
