"""The emulator's pure core, without sockets: frames, tokens, SDP, TwiML, the handshake."""

from __future__ import annotations

import json
import re
import time

import jwt
import pytest
from signaling_kit import Board
from signaling_kit import access_token
from signaling_kit import frame
from signaling_kit import kinds
from signaling_kit import sent
from twilio.request_validator import RequestValidator
from websockets.frames import CloseCode

from sandbox.signaling import sdp
from sandbox.signaling import tokens
from sandbox.signaling.effects import Close
from sandbox.signaling.effects import Drop
from sandbox.signaling.protocol import HEARTBEAT
from sandbox.signaling.protocol import FrameError
from sandbox.signaling.protocol import Message
from sandbox.signaling.protocol import parse
from sandbox.signaling.switchboard import Fault
from sandbox.signaling.webhook import Conference
from sandbox.signaling.webhook import Dial
from sandbox.signaling.webhook import Hangup
from sandbox.signaling.webhook import Pause
from sandbox.signaling.webhook import Play
from sandbox.signaling.webhook import Redirect
from sandbox.signaling.webhook import Say
from sandbox.signaling.webhook import TwimlError
from sandbox.signaling.webhook import parse_twiml
from sandbox.signaling.webhook import sign
from sandbox.signaling.webhook import voice_params

# ---- Frames.


def test_parse_reads_type_and_payload():
    """A frame as the SDK sends it parses into its type and payload."""
    assert parse(frame("register", media={"audio": True})) == Message(
        "register", {"media": {"audio": True}})


def test_parse_defaults_payload_to_empty():
    """A frame without a payload has an empty one, as the SDK's own reader assumes."""
    assert parse('{"type": "offline"}') == Message("offline", {})


@pytest.mark.parametrize(("data", "code", "reason"), [
    (b"\x00\x01", CloseCode.UNSUPPORTED_DATA, "binary frames are not supported"),
    ("{not json", CloseCode.INVALID_DATA, "frame is not JSON"),
    ("[" * 100_000 + "]" * 100_000, CloseCode.INVALID_DATA, "frame is not JSON"),
    ("[1, 2]", CloseCode.INVALID_DATA, "frame is not a JSON object"),
    ('{"payload": {}}', CloseCode.INVALID_DATA, "frame has no type"),
    ('{"type": 7}', CloseCode.INVALID_DATA, "frame has no type"),
    ('{"type": "listen", "payload": "x"}', CloseCode.INVALID_DATA, "payload is not an object"),
])
def test_parse_refuses_what_is_not_a_message(data, code, reason):
    """Frames that are not PStream messages raise FrameError with a named close code."""
    with pytest.raises(FrameError) as caught:
        parse(data)
    assert (caught.value.code, caught.value.reason) == (code, reason)


def test_message_encodes_in_the_sdk_key_order():
    """Encoded messages carry payload, type and version 1.6."""
    assert json.loads(Message("ready", {}).encode()) == {
        "payload": {}, "type": "ready", "version": "1.6"}


# ---- Access Tokens.


def test_verify_accepts_a_token_service_token():
    """A token like the service's gives its identity, ttl and Voice grant."""
    board = Board()
    grant = tokens.verify(access_token(board.credentials, "bob", ttl=600), board.credentials,
                          now=time.time())
    assert grant.identity == "bob"
    assert 598 <= grant.ttl <= 600
    assert grant.incoming is True
    assert grant.outgoing_application_sid == board.credentials.twiml_app_sid


@pytest.mark.parametrize(("spoil", "code", "message"), [
    ({"ttl": -10}, 31205, "Access Token expired"),
    ({"secret": "x" * 43}, 31204, "Signature verification failed"),
])
def test_verify_refuses_bad_tokens(spoil, code, message):
    """An expired token is 31205; a token signed with another secret is 31204."""
    board = Board()
    with pytest.raises(tokens.TokenError) as caught:
        tokens.verify(access_token(board.credentials, **spoil), board.credentials, now=0)
    assert caught.value.code == code
    assert message in caught.value.message


@pytest.mark.parametrize(("claims", "header", "message"), [
    ({"grants": {"identity": "a", "voice": {}}}, {"cty": "other"}, "not a Twilio token"),
    ({"grants": {"voice": {}}}, None, "has no identity"),
    ({"grants": {"identity": "a"}}, None, "has no Voice grant"),
    ({"grants": {"identity": "a", "voice": {}}, "sub": "AC" + "0" * 32}, None, "another account"),
    ({"grants": {"identity": "a", "voice": {}}, "iss": "SK" + "0" * 32}, None, "Invalid issuer"),
])
def test_verify_refuses_tokens_that_are_not_for_this_account(claims, header, message):
    """Tokens with the wrong header, account, key or grants are 31204, naming the problem."""
    board = Board()
    creds = board.credentials
    payload = {"iss": creds.api_key_sid, "sub": creds.account_sid, "exp": int(time.time()) + 60,
               **claims}
    token = jwt.encode(payload, creds.api_key_secret, algorithm="HS256",
                       headers=header or {"cty": "twilio-fpa;v=1"})
    with pytest.raises(tokens.TokenError) as caught:
        tokens.verify(token, creds, now=time.time())
    assert caught.value.code == 31204
    assert message in caught.value.message


@pytest.mark.parametrize("token", [None, "", 42, "not.a.jwt"])
def test_verify_refuses_what_is_not_a_token(token):
    """A missing or malformed token is 31204."""
    board = Board()
    with pytest.raises(tokens.TokenError) as caught:
        tokens.verify(token, board.credentials, now=0)
    assert caught.value.code == 31204


# ---- SDP.


def test_offer_is_a_crlf_audio_offer():
    """The offer is CRLF-terminated, offers PCMU with setup actpass and no candidates."""
    offer = sdp.offer()
    assert offer.endswith("\r\n") and "\n" not in offer.replace("\r\n", "")
    assert "a=setup:actpass" in offer and "a=rtpmap:0 PCMU/8000" in offer
    assert "a=candidate" not in offer


def test_answer_reuses_the_offer_mid_and_transport():
    """The answer mirrors the offer's mid and m-line protocol, with setup active."""
    answer = sdp.answer("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=mid:audio7\r\n")
    assert "a=mid:audio7\r\n" in answer and "a=group:BUNDLE audio7\r\n" in answer
    assert "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n" in answer and "a=setup:active" in answer


def test_each_description_has_fresh_ice_credentials():
    """Two offers never share ICE credentials."""
    ufrag = re.compile(r"a=ice-ufrag:(\S+)")
    assert ufrag.search(sdp.offer()).group(1) != ufrag.search(sdp.offer()).group(1)


# ---- The webhook.


def test_voice_params_lets_twilio_parameters_win():
    """Custom parameters are posted too, but cannot override Twilio's own."""
    params = voice_params(account_sid="AC1", application_sid="AP1", call_sid="CA1",
                          caller="client:alice", called="+15551234567",
                          custom={"To": "+15551234567", "AccountSid": "forged", "ticket": "42"})
    assert params == {
        "To": "+15551234567", "AccountSid": "AC1", "ticket": "42", "ApplicationSid": "AP1",
        "CallSid": "CA1", "From": "client:alice", "Caller": "client:alice",
        "Called": "+15551234567", "Direction": "inbound", "CallStatus": "ringing",
        "ApiVersion": "2010-04-01",
    }


def test_signature_validates_with_twilio_request_validator():
    """The signature is the one twilio's RequestValidator expects for that URL and form."""
    params = {"CallSid": "CA1", "From": "+15550001111", "To": "+15005550006"}
    signature = sign("http://127.0.0.1:8000/api/voice", params, "secret-token")
    assert RequestValidator("secret-token").validate(
        "http://127.0.0.1:8000/api/voice", params, signature)
    assert not RequestValidator("other").validate(
        "http://127.0.0.1:8000/api/voice", params, signature)


@pytest.mark.parametrize(("twiml", "verbs"), [
    ("<Response/>", ()),
    ('<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hi there</Say><Hangup/></Response>',
     (Say("Hi there"), Hangup())),
    ('<Response><Dial callerId="+15005550006"><Number>+15551234567</Number></Dial></Response>',
     (Dial(("+15551234567",), caller_id="+15005550006"),)),
    (('<Response><Dial timeout="7"><Client>alice</Client><Client><Identity>bob</Identity>'
     "</Client></Dial><Say>Nobody</Say></Response>"),
     (Dial(("client:alice", "client:bob"), timeout=7), Say("Nobody"))),
    ("<Response><Dial>+15551234567</Dial><Gather/><Play>x.mp3</Play></Response>",
     (Dial(("+15551234567",)), Play("x.mp3"))),
    (('<Response><Play loop="0">a.wav</Play><Pause length="2"/><Redirect>/next</Redirect>'
     "</Response>"), (Play("a.wav", loop=0), Pause(2), Redirect("/next"))),
    (('<Response><Dial action="/after"><Conference startConferenceOnEnter="false" '
      'endConferenceOnExit="true" muted="true" beep="onEnter" waitUrl="/wait" '
      'participantLabel="customer" statusCallback="/conf" '
      'statusCallbackEvent="start end join">room-1</Conference></Dial></Response>'),
     (Dial((), action="/after", conference=Conference(
         "room-1", start_on_enter=False, end_on_exit=True, muted=True, beep="onEnter",
         wait_url="/wait", label="customer", status_callback="/conf",
         status_events=frozenset({"start", "end", "join"}))),)),
])
def test_parse_twiml_reads_the_verbs_it_acts_on(twiml, verbs):
    """Say, Play, Pause, Redirect, Dial (numbers, clients, a conference, timeout, callerId)
    and Hangup parse; verbs that must hear the caller (Gather) are skipped."""
    assert parse_twiml(twiml) == verbs


@pytest.mark.parametrize(("twiml", "message"), [
    ("not xml", "not well-formed XML"),
    ("<Html/>", "not <Response>"),
    ('<Response><Dial timeout="soon"/></Response>', "not a positive number"),
    ('<Response><Dial timeout="0"/></Response>', "not a positive number"),
    ('<Response><Pause length="-1"/></Response>', "not a whole number"),
    ("<Response><Dial><Conference/></Dial></Response>", "names no conference"),
    ('<Response><Dial><Conference muted="yes">r</Conference></Dial></Response>',
     "not true or false"),
    (("<Response><Dial><Number>+15551234567</Number><Conference>r</Conference></Dial>"
     "</Response>"), "a <Conference> and other nouns"),
])
def test_parse_twiml_refuses_what_it_cannot_follow(twiml, message):
    """Malformed TwiML raises TwimlError naming the problem."""
    with pytest.raises(TwimlError, match=message):
        parse_twiml(twiml)


# ---- The handshake.


def test_listen_answers_connected_with_identity_and_ttl():
    """A good token gets connected with its identity and remaining lifetime."""
    board = Board()
    conn = board.connect()
    ((_, kind, payload),) = sent(board.send(conn, "listen", token=access_token(
        board.credentials, "alice", ttl=300)))
    assert kind == "connected"
    assert payload["token"]["identity"] == "alice"
    assert 298 <= payload["token"]["ttl"] <= 300
    assert payload["region"] == "US_EAST_VIRGINIA"


@pytest.mark.parametrize(("spoil", "code"), [({"ttl": -5}, 31205), ({"secret": "y" * 43}, 31204)])
def test_bad_token_gets_error_close_and_a_closed_connection(spoil, code):
    """A refused token gets error and close messages, then the connection closes."""
    board = Board()
    conn = board.connect()
    effects = board.send(conn, "listen", token=access_token(board.credentials, **spoil))
    assert [(kind, payload.get("error", {}).get("code")) for _, kind, payload in sent(effects)] \
        == [("error", code), ("close", None)]
    assert effects[-1] == Close(conn, CloseCode.POLICY_VIOLATION, "access token rejected")
    assert board.send(conn, "register", media={"audio": True}) == []


def test_reject_tokens_fault_refuses_good_tokens_until_cleared():
    """With reject_tokens on, a good token is refused as invalid; cleared, it is accepted."""
    board = Board()
    board.switchboard.inject(Fault.REJECT_TOKENS)
    conn = board.connect()
    ((_, kind, payload), _) = sent(board.send(conn, "listen",
                                              token=access_token(board.credentials)))
    assert (kind, payload["error"]["code"]) == ("error", 31204)
    board.switchboard.clear(Fault.REJECT_TOKENS)
    assert board.agent() > conn


def test_register_answers_ready_and_unregister_offline():
    """register with audio gets ready; without, offline; the snapshot follows."""
    board = Board()
    conn = board.agent("alice")
    assert board.switchboard.snapshot()["identities"] == {
        "alice": {"registered": True, "connections": [conn]}}
    assert kinds(board.send(conn, "register", media={"audio": False})) == [(conn, "offline")]
    assert board.switchboard.snapshot()["identities"]["alice"]["registered"] is False


def test_relisten_answers_connected_again_and_keeps_registration():
    """A second listen (updateToken) answers connected; the device stays registered."""
    board = Board()
    conn = board.agent("alice")
    effects = board.send(conn, "listen", token=access_token(board.credentials, "alice"))
    assert kinds(effects) == [(conn, "connected")]
    assert board.switchboard.snapshot()["connections"][0]["phase"] == "registered"


def test_token_without_incoming_grant_cannot_register():
    """register with audio on a token without incoming gets error 31201 then offline."""
    board = Board()
    conn = board.connect()
    board.send(conn, "listen", token=access_token(board.credentials, incoming=False))
    messages = sent(board.send(conn, "register", media={"audio": True}))
    assert [(kind, payload.get("error", {}).get("code")) for _, kind, payload in messages] \
        == [("error", 31201), ("offline", None)]


@pytest.mark.parametrize(("kind", "payload", "code", "message"), [
    ("register", {"media": {"audio": True}}, 31204, "send listen first"),
    ("invite", {"callsid": "TJS1", "sdp": "v=0"}, 31204, "send listen first"),
    ("hangup", {"callsid": "CA1"}, 31204, "send listen first"),
    ("dance", {}, 31400, "unsupported message type 'dance'"),
])
def test_messages_before_listen_get_errors(kind, payload, code, message):
    """Anything but listen first, or an unknown type, gets an error and the line stays open."""
    board = Board()
    conn = board.connect()
    ((_, reply, body),) = sent(board.send(conn, kind, **payload))
    assert (reply, body["error"]) == ("error", {"code": code, "message": message})


@pytest.mark.parametrize(("kind", "payload", "message"), [
    ("register", {}, "'media.audio' must be true or false"),
    ("register", {"media": {"audio": "yes"}}, "'media.audio' must be true or false"),
    ("invite", {"sdp": "v=0"}, "'callsid' must be a non-empty string"),
    ("invite", {"callsid": "TJS1"}, "'sdp' must be a non-empty string"),
    ("invite", {"callsid": "TJS1", "sdp": "v=0", "twilio": {"params": 5}},
     "'twilio.params' must be a query string"),
    ("answer", {"callsid": "CA1"}, "'sdp' must be a non-empty string"),
    ("dtmf", {"callsid": "CA1", "dtmf": "12x"}, "'dtmf' may hold only 0-9, *, # and w"),
    ("message", {"callsid": "CA1"}, "'voiceeventsid' must be a non-empty string"),
])
def test_malformed_messages_get_bad_request(kind, payload, message):
    """Missing or mistyped fields get error 31400 naming the field."""
    board = Board()
    conn = board.agent()
    ((_, reply, body),) = sent(board.send(conn, kind, **payload))
    assert (reply, body["error"]) == ("error", {"code": 31400, "message": message})


@pytest.mark.parametrize("kind", ["answer", "reject", "hangup", "dtmf", "reinvite", "message"])
def test_messages_about_unknown_calls_get_not_found(kind):
    """A call message naming no call of this connection gets error 31404 with its callsid."""
    board = Board()
    conn = board.agent()
    payload = {"callsid": "CA404", "sdp": "v=0", "dtmf": "1", "voiceeventsid": "KX1"}
    ((_, reply, body),) = sent(board.send(conn, kind, **payload))
    assert (reply, body["error"]["code"], body["callsid"]) == ("error", 31404, "CA404")


def test_heartbeat_echo_is_ignored_and_frame_errors_close():
    """The client's heartbeat echo does nothing; a bad frame closes with INVALID_DATA."""
    board = Board()
    conn = board.agent()
    assert board.switchboard.receive(conn, HEARTBEAT) == []
    assert board.switchboard.receive(conn, "{oops") == [
        Close(conn, CloseCode.INVALID_DATA, "frame is not JSON")]


def test_drop_connections_cuts_every_connection_once():
    """drop_connections asks to cut every connection and stays out of the fault list."""
    board = Board()
    first, second = board.agent("alice"), board.agent("bob")
    assert board.switchboard.inject(Fault.DROP_CONNECTIONS) == [Drop(first), Drop(second)]
    assert board.switchboard.faults == set()


def test_disconnect_forgets_the_connection_and_its_registration():
    """After a connection closes, nothing of it is left in the snapshot."""
    board = Board()
    conn = board.agent("alice")
    board.switchboard.disconnect(conn)
    board.switchboard.disconnect(conn)  # idempotent
    snapshot = board.switchboard.snapshot()
    assert snapshot["connections"] == [] and snapshot["identities"] == {}


def test_message_log_keeps_the_last_messages_each_way_abbreviated():
    """The log keeps a bounded number of messages each way, with tokens abbreviated."""
    board = Board(log_size=3)
    conn = board.agent()
    for _ in range(3):
        board.send(conn, "register", media={"audio": True})
    log = board.switchboard.snapshot()["messages"]
    assert [entry["type"] for entry in log["received"]] == ["register"] * 3
    assert len(log["sent"]) == 3
    first = Board()
    first.agent()
    listen = first.switchboard.snapshot()["messages"]["received"][0]
    assert re.fullmatch(r"<\d+ characters>", listen["payload"]["token"])
