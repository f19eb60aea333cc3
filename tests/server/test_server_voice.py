"""POST /voice: Twilio's signed webhook gets TwiML that routes the call, or explains why not."""

import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from twilio.request_validator import RequestValidator
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from server.outbound_policy import NOT_DIALABLE
from server.voice import NO_NUMBER
from server.voice import NOBODY_AVAILABLE
from server.voice import NOT_ROUTABLE

CALLER_ID = "+15005550006"
# TOOLBAR_PUBLIC_URL of tests/server/conftest.py, plus the route.
DIAL_COMPLETE_URL = "https://toolbar.example.test/api/voice/dial-complete"


def verbs(response) -> list[tuple[str, dict[str, str], object]]:
    """Parse TwiML into (verb, attributes, nouns or text) for exact comparison."""
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return [
        (verb.tag, verb.attrib, [(noun.tag, noun.text) for noun in verb] or verb.text)
        for verb in root
    ]


def refusal(message: str) -> list[tuple[str, dict[str, str], object]]:
    return [("Say", {}, message), ("Hangup", {}, None)]


def test_voice_agent_call_to_a_number_joins_a_conference_of_its_own(twilio):
    """An agent's call to an E.164 number joins a conference named after its CallSid, as
    ``agent:<identity>``, starting it; the conference's callbacks carry the number (signed with
    the URL), so the service can dial it in as the customer when the agent is in."""
    sid = "CA" + "3" * 32
    response = twilio.post({"From": "client:alice", "To": "+14155550123", "CallSid": sid})

    assert verbs(response) == [("Dial", {}, [("Conference", sid)])]
    (room,) = ET.fromstring(response.data).iter("Conference")
    assert room.attrib == {
        "participantLabel": "agent:alice", "startConferenceOnEnter": "true",
        "endConferenceOnExit": "false", "beep": "false",
        "statusCallback": DIAL_COMPLETE_URL.replace("dial-complete", "conference")
        + "?dial=%2B14155550123",
        "statusCallbackEvent": "start end join leave"}


def test_voice_agent_call_to_a_number_without_a_call_sid_is_refused(twilio):
    """No CallSid, no conference the callbacks could find again: a spoken refusal."""
    response = twilio.post({"From": "client:alice", "To": "+14155550123", "CallSid": "CA-junk"})

    assert verbs(response) == refusal(NOT_ROUTABLE)


def test_voice_agent_calls_another_agent(twilio):
    """An agent's call to client:<identity> rings that agent's browser."""
    response = twilio.post({"From": "client:alice", "To": "client:bob_2"})

    assert verbs(response) == [("Dial", {"callerId": CALLER_ID}, [("Client", "bob_2")])]


def test_voice_inbound_call_joins_a_conference_of_its_own(twilio):
    """A call to our number joins a conference named after its CallSid, as the customer: it
    waits with music, ends the conference when it hangs up, and its callbacks reach the
    service; when it leaves, Twilio asks /voice/dial-complete."""
    response = twilio.post({"From": "+14155550123", "To": CALLER_ID, "CallSid": "CA" + "1" * 32})

    assert verbs(response) == [
        ("Dial", {"action": DIAL_COMPLETE_URL}, [("Conference", "CA" + "1" * 32)]),
    ]
    (room,) = ET.fromstring(response.data).iter("Conference")
    assert room.attrib == {
        "participantLabel": "customer", "startConferenceOnEnter": "false",
        "endConferenceOnExit": "true", "beep": "false",
        "waitUrl": "https://twimlets.com/holdmusic?Bucket=com.twilio.music.classical",
        "statusCallback": DIAL_COMPLETE_URL.replace("dial-complete", "conference"),
        "statusCallbackEvent": "start end join leave"}


def test_voice_inbound_call_without_a_call_sid_is_refused(twilio):
    """No CallSid, no conference name the service could find again: a spoken refusal."""
    response = twilio.post({"From": "+14155550123", "To": CALLER_ID, "CallSid": "CA-junk"})

    assert verbs(response) == refusal(NOT_ROUTABLE)


@pytest.mark.parametrize(("status", "expected"), [
    ("completed", [("Hangup", {}, None)]),
    ("answered", [("Hangup", {}, None)]),
    ("no-answer", refusal(NOBODY_AVAILABLE)),
    ("busy", refusal(NOBODY_AVAILABLE)),
    ("failed", refusal(NOBODY_AVAILABLE)),
    ("canceled", refusal(NOBODY_AVAILABLE)),
    (None, refusal(NOBODY_AVAILABLE)),
])  # fmt: skip
def test_voice_dial_complete_hangs_up_after_a_conversation(twilio, status, expected):
    """After an answered Dial the caller is hung up on; otherwise told nobody is available."""
    assert twilio.voice_url + "/dial-complete" == DIAL_COMPLETE_URL
    twilio.voice_url = DIAL_COMPLETE_URL  # Twilio signs the URL it requests
    params = {"From": "+14155550123", "To": CALLER_ID, "CallSid": "CA" + "1" * 32}
    if status is not None:
        params["DialCallStatus"] = status

    assert verbs(twilio.post(params, path="/voice/dial-complete")) == expected


def test_voice_dial_complete_checks_the_signature(twilio, assert_error):
    """/voice/dial-complete is signed for its own URL: /voice's signature does not fit."""
    response = twilio.post({"DialCallStatus": "completed"}, path="/voice/dial-complete")

    assert_error(
        response, 403, "invalid_signature", "X-Twilio-Signature does not match the request"
    )


def test_voice_hold_music_follows_setting(make_app, twilio):
    """TOOLBAR_HOLD_MUSIC_URL is what a waiting caller hears."""
    client = make_app(TOOLBAR_HOLD_MUSIC_URL="https://music.example.test/wait.mp3").test_client()

    response = twilio.post({"From": "+14155550123", "To": CALLER_ID, "CallSid": "CA" + "2" * 32},
                           via=client)

    (room,) = ET.fromstring(response.data).iter("Conference")
    assert room.attrib["waitUrl"] == "https://music.example.test/wait.mp3"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"From": "client:alice"}, NO_NUMBER),
        ({"From": "client:alice", "To": ""}, NO_NUMBER),
        ({"From": "client:alice", "To": "5551234567"}, NOT_DIALABLE),
        ({"From": "client:alice", "To": "+0123456789"}, NOT_DIALABLE),
        ({"From": "client:alice", "To": "+1 555 123 4567"}, NOT_DIALABLE),
        ({"From": "client:alice", "To": "+1234567890123456"}, NOT_DIALABLE),
        ({"From": "client:alice", "To": "+١٢٣٤٥٦٧"}, NOT_DIALABLE),
        ({"From": "client:alice", "To": "client:bob.smith"}, NOT_DIALABLE),
        ({"From": "client:alice", "To": "client:"}, NOT_DIALABLE),
        ({"From": "client:alice", "To": "sip:bob@example.test"}, NOT_DIALABLE),
        ({"From": "+14155550123", "To": "+14155550199"}, NOT_ROUTABLE),
        ({"From": "client:bad.agent", "To": "+14155550199"}, NOT_ROUTABLE),
        ({}, NOT_ROUTABLE),
    ],
    ids=[
        "missing-to", "empty-to", "no-plus", "leading-zero", "spaces", "too-long",
        "non-ascii-digits", "bad-client", "empty-client", "sip", "stranger-to-stranger",
        "caller-not-an-identity", "no-params",
    ],
)  # fmt: skip
def test_voice_unroutable_call_is_explained_and_hung_up(twilio, params, message):
    """Anything that is not a call we route gets valid TwiML: an explanation, then a hang-up."""
    response = twilio.post(params)

    assert verbs(response) == refusal(message)


def test_voice_signature_over_query_string_is_accepted(twilio):
    """Twilio signs the URL with its query string; that signature is accepted."""
    response = twilio.post({"From": "client:alice", "To": "client:bob_2"}, query="attempt=2")

    assert verbs(response) == [("Dial", {"callerId": CALLER_ID}, [("Client", "bob_2")])]


def test_voice_missing_signature_is_403(client, assert_error):
    """A request without X-Twilio-Signature is refused."""
    response = client.post("/voice", data={"From": "client:alice", "To": "+15551234567"})

    assert_error(response, 403, "invalid_signature", "request has no X-Twilio-Signature")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda twilio, params: twilio.post(params, signature="bm90IGEgc2lnbmF0dXJl"),
        lambda twilio, params: twilio.post(
            {**params, "To": "+19005550100"},
            signature=twilio.validator.compute_signature(twilio.voice_url, params),
        ),
        lambda twilio, params: twilio.post(
            params,
            signature=twilio.validator.compute_signature("https://elsewhere.test/voice", params),
        ),
        lambda twilio, params: twilio.post(
            params,
            signature=RequestValidator("f" * 32).compute_signature(twilio.voice_url, params),
        ),
        lambda twilio, params: twilio.post(
            params,
            query="x=1",
            signature=twilio.validator.compute_signature(twilio.voice_url, params),
        ),
    ],
    ids=["forged", "param-changed", "other-url", "other-auth-token", "query-added"],
)
def test_voice_tampered_request_is_403(twilio, assert_error, tamper):
    """A signature that does not match the URL, parameters and auth token is refused."""
    params = {"From": "client:alice", "To": "+15551234567"}

    response = tamper(twilio, params)

    assert_error(
        response, 403, "invalid_signature", "X-Twilio-Signature does not match the request"
    )


def test_voice_get_is_json_405(client, assert_error):
    """Twilio's voice URL is POST only (a GET is the quickstart's classic 405)."""
    assert_error(client.get("/voice"), 405, "method_not_allowed")


def test_voice_works_under_a_script_root(app, twilio):
    """Mounted under /api, the signature is still checked against TOOLBAR_PUBLIC_URL."""
    mounted = Client(DispatcherMiddleware(Flask("outer"), {"/api": app}))

    response = twilio.post(
        {"From": "client:alice", "To": "client:bob_2"}, path="/api/voice", via=mounted
    )

    assert verbs(response) == [("Dial", {"callerId": CALLER_ID}, [("Client", "bob_2")])]
