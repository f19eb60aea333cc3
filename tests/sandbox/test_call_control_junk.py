"""Junk on every call-control route and callback: a deliberate answer, never a 5xx from us.

The service reads Twilio (the in-process emulator, rest_kit.py) for real, so a junk call sid or
conference sid meets Twilio's own 404. One sandbox and one app serve every Hypothesis example
(examples only read, or change conferences nobody reads), hence the suppressed
function_scoped_fixture check. Rate limits are raised so that examples reach the code behind
them. 502 and 503 are the service's words for a failing Twilio, which this emulator is not:
they count as failures here.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from rest_kit import product_settings
from rest_kit import sandbox_in_thread
from twilio.request_validator import RequestValidator

from sandbox.runner import Sandbox
from server import create_app

JUNK = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
ACTIONS = ["hold", "transfer", "consult", "leave"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["blind", "consult", "complete", "conference", "cancel", "alice_agent",
                       "+15551230009", "+19005550100"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["hold", "to", "mode", "action", "x"]) | st.text(max_size=5),
                      inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
call_sids = (st.from_regex(r"CA[0-9a-f]{32}", fullmatch=True)
             | st.text(min_size=1, max_size=40).map(lambda text: quote(text, safe="")))
FORM_NAMES = ["StatusCallbackEvent", "ParticipantLabel", "ConferenceSid", "FriendlyName",
              "CallSid", "CallStatus", "SequenceNumber"]
FORM_VALUES = st.sampled_from(["participant-join", "participant-leave", "conference-end",
                               "customer", "offer:alice_agent", "blind:bob_agent",
                               "consult:+15551230009", "agent:alice_agent", "+15551230009",
                               "completed", "no-answer", "busy", "in-progress", "failed",
                               "CF" + "0" * 32, "CA" + "0" * 32]) | st.text(max_size=40)


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    with sandbox_in_thread() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def service(live) -> FlaskClient:
    return create_app(product_settings(
        live, TOOLBAR_RATE_LIMIT_IDENTITY="1000000/minute",
        TOOLBAR_RATE_LIMIT_ADDRESS="1000000/minute")).test_client()


@JUNK
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS"]),
       call_sid=call_sids, action=st.sampled_from(ACTIONS) | st.text(max_size=12),
       body=json_values.map(lambda value: {"json": value})
       | st.binary(max_size=300).map(lambda value: {"data": value}),
       authorised=st.booleans())
def test_junk_call_control_never_gets_a_5xx(live, service, method, call_sid, action, body,
                                            authorised):
    """Any method, call sid, action and body, with or without an agent's JWT: no 5xx."""
    headers = {"Authorization": f"Bearer {live.agents.token_for('alice_agent')}"} \
        if authorised else {}
    path = f"/calls/{call_sid}/{quote(action, safe='')}"
    response = service.open(path, method=method, headers=headers, **body)
    assert response.status_code < 500, (path, response.get_data(as_text=True))

    response = service.open("/agents", method=method, headers=headers)
    assert response.status_code < 500


@JUNK
@given(path=st.sampled_from(["/voice/conference", "/voice/invite-status",
                             "/voice/customer-status"]),
       query=st.dictionaries(st.sampled_from(["conference", "role", "agent", "dial", "x"]),
                             FORM_VALUES, max_size=2),
       form=st.dictionaries(st.sampled_from(FORM_NAMES), FORM_VALUES, max_size=6))
def test_junk_signed_callbacks_never_get_a_5xx(live, service, path, query, form):
    """Twilio's callbacks, genuinely signed, with any parameters: no 5xx."""
    settings_ = product_settings(live)
    query_string = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in query.items())
    url = settings_.public_url.rstrip("/") + path + (f"?{query_string}" if query_string else "")
    signature = RequestValidator(settings_.twilio_auth_token).compute_signature(url, form)
    response = service.post(path, query_string=query_string, data=form,
                            headers={"X-Twilio-Signature": signature})
    assert response.status_code < 500, (path, query, form, response.get_data(as_text=True))
