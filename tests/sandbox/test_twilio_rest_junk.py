"""Junk on every REST path of the emulator: a Twilio-shaped 4xx (or a real answer), never a 5xx.

One in-process sandbox serves every Hypothesis example (examples may create calls and
conferences; nothing reads them), hence the suppressed function_scoped_fixture check.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from rest_kit import sandbox_in_thread

from sandbox.runner import Sandbox

JUNK = settings(max_examples=250, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
TEMPLATES = [
    "api/2010-04-01/Accounts/{account}/Calls.json",
    "api/2010-04-01/Accounts/{account}/Calls/{x}.json",
    "api/2010-04-01/Accounts/{account}/Conferences.json",
    "api/2010-04-01/Accounts/{account}/Conferences/{x}.json",
    "api/2010-04-01/Accounts/{account}/Conferences/{x}/Participants.json",
    "api/2010-04-01/Accounts/{account}/Conferences/{x}/Participants/{y}.json",
    "api/2010-04-01/Accounts/{x}/Calls.json", "api/{x}", "{x}/{y}", "taskrouter/v1/{x}",
]
NAMES = ["To", "From", "Url", "Twiml", "Method", "Status", "Timeout", "StatusCallback",
         "StatusCallbackEvent", "PageSize", "Page", "Label", "Hold", "HoldUrl", "Muted",
         "EndConferenceOnExit", "StartConferenceOnEnter", "Coaching", "CallSidToCoach",
         "AnnounceUrl", "ConferenceStatusCallbackEvent", "FriendlyName", "ParentCallSid"]
VALUES = st.sampled_from(["", "true", "false", "0", "601", "²", "+15551230001", "client:alice_agent",
                          "+15005550006", "http://127.0.0.1:9/x", "GET", "completed",
                          "canceled", "<Response><Pause length='1'/></Response>", "<Response",
                          "initiated exploded"]) | st.text(max_size=40)


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    with sandbox_in_thread() as sandbox:
        yield sandbox


@JUNK
@given(method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH"]),
       template=st.sampled_from(TEMPLATES), x=st.text(min_size=1, max_size=30),
       y=st.text(min_size=1, max_size=30), form=st.dictionaries(st.sampled_from(NAMES), VALUES),
       good_auth=st.booleans())
def test_rest_junk_never_gets_a_5xx(live, method, template, x, y, form, good_auth):
    """Whatever the path, method, parameters and credentials, no 5xx; errors are Twilio's."""
    creds = live.credentials
    path = template.format(account=creds.account_sid, x=quote(x, safe=""), y=quote(y, safe=""))
    wrong = x.encode("utf-8").decode("latin-1")  # what a client can put in a Basic header
    auth = (creds.api_key_sid, creds.api_key_secret) if good_auth else (creds.api_key_sid, wrong)
    options = {"params": form} if method == "GET" else {"data": form}
    response = requests.request(method, f"{live.config.rest_url}/{path}", auth=auth, timeout=10,
                                **options)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "more_info", "status"}
        assert body["status"] == response.status_code and isinstance(body["code"], int)
