"""Call routing in the pure core: TwiML, legs, answers, timeouts, hangups, simulated phones."""

from __future__ import annotations

import pytest
from signaling_kit import CALLER
from signaling_kit import Board
from signaling_kit import access_token
from signaling_kit import kinds
from signaling_kit import sent
from signaling_kit import timers

from sandbox.signaling.calls import BUSY_NUMBER
from sandbox.signaling.calls import NO_ANSWER_NUMBER
from sandbox.signaling.calls import CallNotFound
from sandbox.signaling.effects import FetchTwiml
from sandbox.signaling.effects import TimerKind
from sandbox.signaling.routing import CallEnded
from sandbox.signaling.webhook import WebhookResult

RING_AGENTS = ('<Response><Dial timeout="20"><Client>alice</Client><Client>bob</Client></Dial>'
               "<Say>Nobody is available.</Say><Hangup/></Response>")


def dial_number(number: str) -> str:
    return f'<Response><Dial callerId="+15005550006"><Number>{number}</Number></Dial></Response>'


def fire(board: Board, effects, kind: TimerKind):
    """Fire the one timer of ``kind`` among ``effects``."""
    (timer,) = [t for t in timers(effects) if t.key.kind is kind]
    return board.switchboard.timer_fired(timer.key)


# ---- Inbound: a phone calls the sandbox's number.


def test_inbound_call_posts_the_webhook_with_twilio_parameters():
    """Placing an inbound call asks the webhook, with From, To and the call's sid."""
    board = Board()
    call, effects = board.switchboard.place_call(CALLER, board.credentials.caller_id)
    (fetch,) = effects
    assert isinstance(fetch, FetchTwiml)
    assert fetch.params["From"] == CALLER
    assert fetch.params["To"] == board.credentials.caller_id
    assert fetch.params["CallSid"] == call["sid"]
    assert (call["status"], call["direction"]) == ("queued", "inbound")


def test_inbound_call_invites_every_registered_device_of_each_client():
    """Each <Client> rings every registered connection of that identity with the caller's From."""
    board = Board()
    alice, alice2, bob = board.agent("alice"), board.agent("alice"), board.agent("bob")
    board.agent("carol")
    board.agent("bob", register=False)
    sid, effects = board.inbound(RING_AGENTS)
    invites = sent(effects)
    assert [(conn, kind) for conn, kind, _ in invites] == [
        (alice, "invite"), (alice2, "invite"), (bob, "invite")]
    payload = invites[0][2]
    assert payload["parameters"]["From"] == CALLER
    assert payload["parameters"]["To"] == "client:alice"
    assert payload["sdp"].startswith("v=0\r\n")
    assert invites[0][2]["callsid"] == invites[1][2]["callsid"] != invites[2][2]["callsid"]
    assert board.call(sid)["status"] == "ringing"


def test_first_answer_wins_and_the_others_get_cancel():
    """The first device to answer gets the call; every other ringing device gets cancel."""
    board = Board()
    alice, alice2, bob = board.agent("alice"), board.agent("alice"), board.agent("bob")
    sid, effects = board.inbound(RING_AGENTS)
    alice_leg = sent(effects)[0][2]["callsid"]
    bob_leg = sent(effects)[2][2]["callsid"]
    answered = board.send(alice2, "answer", callsid=alice_leg, sdp="v=0")
    assert kinds(answered) == [(alice, "cancel"), (bob, "cancel")]
    call = board.call(sid)
    assert call["status"] == "in-progress"
    assert [(leg["status"], leg["answered_by"]) for leg in call["legs"]] == [
        ("in-progress", alice2), ("canceled", None)]
    # A late answer from a device that was cancelled is cancelled again, harmlessly.
    assert sent(board.send(bob, "answer", callsid=bob_leg, sdp="v=0")) == [
        (bob, "cancel", {"callsid": bob_leg})]


def test_dial_timeout_cancels_agents_and_plays_the_fallback():
    """Nobody answers in time: agents get cancel, the caller hears the Say, status no-answer."""
    board = Board()
    alice = board.agent("alice")
    sid, effects = board.inbound(RING_AGENTS)
    (timer,) = timers(effects)
    assert (timer.key.kind, timer.delay) == (TimerKind.DIAL_TIMEOUT, 20)
    assert kinds(board.switchboard.timer_fired(timer.key)) == [(alice, "cancel")]
    call = board.call(sid)
    assert (call["status"], call["said"]) == ("no-answer", ["Nobody is available."])
    assert [leg["status"] for leg in call["legs"]] == ["no-answer", "no-answer"]
    assert call["ended_at"] is not None


def test_inbound_call_with_nobody_registered_ends_at_once():
    """With no registered agent the Dial fails at once and the fallback plays."""
    board = Board()
    sid, effects = board.inbound(RING_AGENTS)
    assert effects == []
    assert board.call(sid)["status"] == "no-answer"
    assert board.call(sid)["said"] == ["Nobody is available."]


def test_caller_abandons_before_answer():
    """Hanging up from the far side before an answer cancels every ringing device."""
    board = Board()
    alice, bob = board.agent("alice"), board.agent("bob")
    sid, _ = board.inbound(RING_AGENTS)
    call, effects = board.switchboard.hang_up(sid)
    assert kinds(effects) == [(alice, "cancel"), (bob, "cancel")]
    assert call["status"] == "canceled"
    with pytest.raises(CallEnded):
        board.switchboard.hang_up(sid)


def test_far_end_hangs_up_an_answered_call():
    """After an answer the far-side hangup sends hangup to the agent; status completed."""
    board = Board()
    alice = board.agent("alice")
    sid, effects = board.inbound('<Response><Dial><Client>alice</Client></Dial></Response>')
    leg = sent(effects)[0][2]["callsid"]
    board.send(alice, "answer", callsid=leg, sdp="v=0")
    call, effects = board.switchboard.hang_up(sid)
    assert sent(effects) == [(alice, "hangup", {"callsid": leg})]
    assert call["status"] == "completed"
    assert call["legs"][0]["status"] == "completed"


def test_agent_hangs_up_an_answered_call():
    """The agent's hangup completes the call and nothing is sent back."""
    board = Board()
    alice = board.agent("alice")
    sid, effects = board.inbound('<Response><Dial><Client>alice</Client></Dial></Response>')
    leg = sent(effects)[0][2]["callsid"]
    board.send(alice, "answer", callsid=leg, sdp="v=0")
    assert board.send(alice, "hangup", callsid=leg) == []
    assert board.call(sid)["status"] == "completed"
    assert board.send(alice, "hangup", callsid=leg) == []  # a second hangup is a no-op


ACTION = "http://127.0.0.1:8000/api/voice/dial-complete"
RING_WITH_ACTION = (f'<Response><Dial timeout="20" action="{ACTION}"><Client>alice</Client>'
                    "</Dial><Say>Unreachable.</Say></Response>")


def test_agent_hangs_up_first_and_the_caller_goes_on_like_twilio():
    """Without an action, the caller's call goes on after the Dial: the Say plays."""
    board = Board()
    alice = board.agent("alice")
    sid, effects = board.inbound(RING_AGENTS)
    leg = sent(effects)[0][2]["callsid"]
    board.send(alice, "answer", callsid=leg, sdp="v=0")
    assert board.send(alice, "hangup", callsid=leg) == []
    call = board.call(sid)
    assert (call["status"], call["said"]) == ("completed", ["Nobody is available."])


def test_dial_action_gets_dial_call_status_and_replaces_the_rest():
    """With an action, the ended Dial POSTs DialCallStatus; its TwiML runs instead."""
    board = Board()
    alice = board.agent("alice")
    sid, effects = board.inbound(RING_WITH_ACTION)
    leg = sent(effects)[0][2]["callsid"]
    board.send(alice, "answer", callsid=leg, sdp="v=0")
    effects = board.send(alice, "hangup", callsid=leg)
    (fetch,) = [e for e in effects if isinstance(e, FetchTwiml)]
    assert fetch.url == ACTION and fetch.params["DialCallStatus"] == "completed"
    assert fetch.params["CallSid"] == sid
    assert board.call(sid)["status"] == "in-progress"
    board.twiml(effects, "<Response><Hangup/></Response>")
    call = board.call(sid)
    assert (call["status"], call["said"]) == ("completed", [])
    assert call["actions"][0]["params"]["DialCallStatus"] == "completed"
    assert call["actions"][0]["status"] == 200


def test_dial_action_after_no_answer():
    """The Dial times out: the action hears no-answer and its Say plays."""
    board = Board()
    alice = board.agent("alice")
    sid, effects = board.inbound(RING_WITH_ACTION)
    effects = fire(board, effects, TimerKind.DIAL_TIMEOUT)
    assert kinds(effects) == [(alice, "cancel")]
    (fetch,) = [e for e in effects if isinstance(e, FetchTwiml)]
    assert fetch.params["DialCallStatus"] == "no-answer"
    board.twiml(effects, "<Response><Say>Nobody.</Say><Hangup/></Response>")
    call = board.call(sid)
    assert (call["status"], call["said"]) == ("no-answer", ["Nobody."])


def test_every_agent_rejects():
    """When every ringing device rejects, the Dial ends as rejected and the fallback plays."""
    board = Board()
    alice, bob = board.agent("alice"), board.agent("bob")
    sid, effects = board.inbound(RING_AGENTS)
    legs = [payload["callsid"] for _, _, payload in sent(effects)]
    assert board.send(alice, "reject", callsid=legs[0]) == []
    assert board.call(sid)["status"] == "ringing"
    board.send(bob, "reject", callsid=legs[1])
    call = board.call(sid)
    assert (call["status"], call["said"]) == ("rejected", ["Nobody is available."])
    assert board.send(bob, "reject", callsid=legs[1]) == []  # late reject: nothing happens


def test_ringing_device_disconnecting_stops_ringing_it():
    """A ringing device whose connection closes leaves the Dial; the last one ends it."""
    board = Board()
    alice = board.agent("alice")
    sid, _ = board.inbound('<Response><Dial><Client>alice</Client></Dial></Response>')
    board.switchboard.disconnect(alice)
    assert board.call(sid)["status"] == "no-answer"


def test_answered_agent_disconnecting_completes_the_call():
    """The answering agent's connection closing completes the call."""
    board = Board()
    alice = board.agent("alice")
    sid, effects = board.inbound('<Response><Dial><Client>alice</Client></Dial></Response>')
    board.send(alice, "answer", callsid=sent(effects)[0][2]["callsid"], sdp="v=0")
    board.switchboard.disconnect(alice)
    assert board.call(sid)["status"] == "completed"


# ---- Outbound: an agent's device places a call.


def test_outbound_invite_posts_custom_parameters():
    """The SDK's params reach the webhook; From is client:<identity>."""
    board = Board()
    alice = board.agent("alice")
    effects = board.send(alice, "invite", callsid="TJS1", sdp="v=0",
                         twilio={"params": "To=%2B15551234567&ticket=7"})
    (fetch,) = effects
    assert fetch.params["To"] == "+15551234567"
    assert fetch.params["ticket"] == "7"
    assert fetch.params["From"] == "client:alice"
    assert board.call("TJS1")["params"] == {"To": "+15551234567", "ticket": "7"}


def test_outbound_number_rings_then_answers():
    """A plain number rings (ringing with the CA sid), then answers with an SDP."""
    board = Board(ring_seconds=2.5)
    alice = board.agent("alice")
    client_sid, effects = board.outbound(alice, dial_number("+15551234567"), To="+15551234567")
    ((_, kind, payload),) = sent(effects)
    sid = board.call(client_sid)["sid"]
    assert (kind, payload) == ("ringing", {"callsid": sid})
    assert [t.delay for t in timers(effects)] == [2.5, 30]
    ((_, kind, payload),) = sent(fire(board, effects, TimerKind.CALLEE_ANSWERS))
    assert (kind, payload["callsid"]) == ("answer", sid)
    assert "a=setup:active" in payload["sdp"]
    assert board.call(sid)["status"] == "in-progress"
    # The Dial's timeout fires later and finds nothing to do.
    assert fire(board, effects, TimerKind.DIAL_TIMEOUT) == []


def test_outbound_busy_number_hangs_up_with_486():
    """The busy number ends the call at once with error 31486 on the SDK's own id."""
    board = Board()
    alice = board.agent("alice")
    client_sid, effects = board.outbound(alice, dial_number(BUSY_NUMBER))
    assert sent(effects) == [(alice, "hangup", {"callsid": client_sid, "error": {
        "code": 31486, "message": "Busy Here"}})]
    assert board.call(client_sid)["status"] == "busy"


def test_outbound_no_answer_number_times_out_with_480():
    """The no-answer number rings until the Dial timeout, then hangs up with 31480."""
    board = Board()
    alice = board.agent("alice")
    client_sid, effects = board.outbound(
        alice, f'<Response><Dial timeout="4"><Number>{NO_ANSWER_NUMBER}</Number></Dial></Response>')
    sid = board.call(client_sid)["sid"]
    assert kinds(effects) == [(alice, "ringing")]
    assert sent(fire(board, effects, TimerKind.DIAL_TIMEOUT)) == [(alice, "hangup", {
        "callsid": sid, "error": {"code": 31480, "message": "Temporarily Unavailable"}})]
    assert board.call(sid)["status"] == "no-answer"


def test_caller_cancels_a_ringing_outbound_call():
    """The agent hanging up while the number rings cancels the call."""
    board = Board()
    alice = board.agent("alice")
    client_sid, effects = board.outbound(alice, dial_number(NO_ANSWER_NUMBER))
    sid = board.call(client_sid)["sid"]
    assert board.send(alice, "hangup", callsid=sid) == []
    call = board.call(sid)
    assert (call["status"], call["legs"][0]["status"]) == ("canceled", "canceled")
    assert fire(board, effects, TimerKind.DIAL_TIMEOUT) == []


def test_outbound_call_hung_up_before_twiml_arrives():
    """A call the agent abandons while the webhook runs ignores the late TwiML."""
    board = Board()
    alice = board.agent("alice")
    effects = board.send(alice, "invite", callsid="TJS9", sdp="v=0", twilio={})
    board.send(alice, "hangup", callsid="TJS9")
    assert board.twiml(effects, dial_number("+15551234567")) == []
    assert board.call("TJS9")["status"] == "canceled"


def test_outbound_to_client_rings_the_agent_and_bridges():
    """<Client> rings that agent; its answer reaches the caller as answer; hangups cross."""
    board = Board()
    alice, bob = board.agent("alice"), board.agent("bob")
    client_sid, effects = board.outbound(
        alice, '<Response><Dial callerId="+15005550006"><Client>bob</Client></Dial></Response>')
    sid = board.call(client_sid)["sid"]
    (invite, ringing) = sent(effects)
    assert invite[:2] == (bob, "invite") and ringing == (alice, "ringing", {"callsid": sid})
    assert invite[2]["parameters"]["From"] == "+15005550006"
    leg = invite[2]["callsid"]
    assert kinds(board.send(bob, "answer", callsid=leg, sdp="v=0")) == [(alice, "answer")]
    assert sent(board.send(alice, "hangup", callsid=sid)) == [(bob, "hangup", {"callsid": leg})]
    assert board.call(sid)["status"] == "completed"


def test_outbound_to_client_who_rejects_ends_with_603():
    """A declined <Client> leg hangs the caller up with 31603 and status rejected."""
    board = Board()
    alice, bob = board.agent("alice"), board.agent("bob")
    client_sid, effects = board.outbound(
        alice, "<Response><Dial><Client>bob</Client></Dial></Response>")
    sid = board.call(client_sid)["sid"]
    leg = sent(effects)[0][2]["callsid"]
    assert sent(board.send(bob, "reject", callsid=leg)) == [(alice, "hangup", {
        "callsid": sid, "error": {"code": 31603, "message": "Decline"}})]
    assert board.call(sid)["status"] == "rejected"


def test_say_only_twiml_hangs_up_after_speaking():
    """TwiML without a Dial is spoken (recorded) and the call completes."""
    board = Board()
    alice = board.agent("alice")
    client_sid, effects = board.outbound(
        alice, "<Response><Say>No number.</Say><Hangup/></Response>")
    assert sent(effects) == [(alice, "hangup", {"callsid": client_sid})]
    call = board.call(client_sid)
    assert (call["status"], call["said"]) == ("completed", ["No number."])


@pytest.mark.parametrize(("result", "message"), [
    (WebhookResult(403, error="webhook answered HTTP 403"), "webhook answered HTTP 403"),
    (WebhookResult(None, error="webhook unreachable: refused"), "webhook unreachable: refused"),
])
def test_webhook_failure_fails_the_call_with_an_application_error(result, message):
    """A webhook that fails ends the call as failed, telling the SDK with error 31000."""
    board = Board()
    alice = board.agent("alice")
    effects = board.send(alice, "invite", callsid="TJS5", sdp="v=0", twilio={})
    (fetch,) = effects
    ((_, kind, payload),) = sent(board.switchboard.twiml_received(fetch.call_sid, result))
    assert (kind, payload["error"]) == ("hangup", {
        "code": 31000, "message": f"Application error: {message}"})
    call = board.call("TJS5")
    assert (call["status"], call["webhook"]["error"]) == ("failed", message)


def test_token_without_outgoing_grant_gets_hangup():
    """An invite on a token for another TwiML app is refused with a hangup carrying 31201."""
    board = Board()
    conn = board.connect()
    board.send(conn, "listen", token=access_token(board.credentials, application_sid=None))
    ((_, kind, payload),) = sent(board.send(conn, "invite", callsid="TJS2", sdp="v=0"))
    assert (kind, payload["callsid"], payload["error"]["code"]) == ("hangup", "TJS2", 31201)


def test_duplicate_client_sid_is_refused():
    """A second invite reusing a TJS id gets error 31400."""
    board = Board()
    alice = board.agent("alice")
    board.send(alice, "invite", callsid="TJS3", sdp="v=0")
    ((_, kind, payload),) = sent(board.send(alice, "invite", callsid="TJS3", sdp="v=0"))
    assert (kind, payload["error"]["message"]) == ("error", "callsid is already in use")


def test_origin_disconnecting_ends_its_call():
    """The calling agent's connection closing ends its ringing call as canceled."""
    board = Board()
    alice = board.agent("alice")
    client_sid, _ = board.outbound(alice, dial_number(NO_ANSWER_NUMBER))
    board.switchboard.disconnect(alice)
    assert board.call(client_sid)["status"] == "canceled"


# ---- In-call messages.


def test_dtmf_is_recorded_on_the_call():
    """dtmf messages (the SDK's fallback without RTP DTMF) are kept per call in order."""
    board = Board()
    alice = board.agent("alice")
    client_sid, effects = board.outbound(alice, dial_number("+15551234567"))
    fire(board, effects, TimerKind.CALLEE_ANSWERS)
    sid = board.call(client_sid)["sid"]
    assert board.send(alice, "dtmf", callsid=sid, dtmf="12") == []
    board.send(alice, "dtmf", callsid=sid, dtmf="#w*")
    assert board.call(sid)["dtmf"] == ["12", "#w*"]


def test_reinvite_and_message_are_answered():
    """A reinvite gets an answer SDP; a call message gets an ack with its event sid."""
    board = Board()
    alice = board.agent("alice")
    client_sid, effects = board.outbound(alice, dial_number("+15551234567"))
    fire(board, effects, TimerKind.CALLEE_ANSWERS)
    sid = board.call(client_sid)["sid"]
    ((_, kind, payload),) = sent(board.send(alice, "reinvite", callsid=sid, sdp="v=0\r\na=mid:1"))
    assert (kind, payload["callsid"]) == ("answer", sid) and "a=mid:1" in payload["sdp"]
    assert sent(board.send(alice, "message", callsid=sid, voiceeventsid="KX1", content="{}")) == [
        (alice, "ack", {"acktype": "message", "callsid": sid, "voiceeventsid": "KX1"})]


def test_other_connections_cannot_touch_a_call():
    """A connection that is not part of a call gets 31404 for it."""
    board = Board()
    alice, bob = board.agent("alice"), board.agent("bob")
    client_sid, _ = board.outbound(alice, dial_number(NO_ANSWER_NUMBER))
    sid = board.call(client_sid)["sid"]
    ((_, kind, payload),) = sent(board.send(bob, "hangup", callsid=sid))
    assert (kind, payload["error"]["code"]) == ("error", 31404)
    assert board.call(sid)["status"] == "ringing"


# ---- The registry.


def test_ended_calls_are_kept_up_to_the_history_limit():
    """Ended calls stay visible until history evicts the oldest, sids and all."""
    board = Board(history=2)
    sids = [board.inbound("<Response/>")[0] for _ in range(3)]
    assert [call["sid"] for call in board.switchboard.snapshot()["calls"]] == sids[1:]
    with pytest.raises(CallNotFound):
        board.call(sids[0])
