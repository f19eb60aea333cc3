"""The REST emulator's sans-I/O core, driven through a switchboard with predictable sids.

No sockets, no threads: each step's effects are inspected, timers fired by hand.
"""

from __future__ import annotations

from typing import Any

from signaling_kit import Board
from signaling_kit import sent
from signaling_kit import timers

from sandbox.signaling.effects import Effect
from sandbox.signaling.effects import PostCallback
from sandbox.twilio_rest.api import RestRequest
from sandbox.twilio_rest.api import RestResponse


def rest(board: Board, method: str, resource: str, **form: str) -> tuple[RestResponse,
                                                                          list[Effect]]:
    creds = board.credentials
    request = RestRequest(method, f"api/2010-04-01/Accounts/{creds.account_sid}/{resource}",
                          query={}, form={name: [value] for name, value in form.items()},
                          username=creds.api_key_sid, password=creds.api_key_secret)
    return board.switchboard.rest(request)


def start_ringing(board: Board, effects: list[Effect]) -> list[Effect]:
    """Fire the one timer that takes a REST call out of the queue."""
    (timer,) = timers(effects)
    return board.switchboard.timer_fired(timer.key)


def create_call(board: Board, **form: str) -> tuple[dict[str, Any], list[Effect]]:
    response, effects = rest(board, "POST", "Calls.json", From=board.credentials.caller_id,
                             **form)
    assert response.status == 201, response.body
    return response.body, start_ringing(board, effects)


def test_a_rest_call_rings_every_device_of_the_identity_with_twilios_parameters():
    """Both registered connections of alice get an invite naming the call's own sid."""
    board = Board()
    first, second = board.agent("alice"), board.agent("alice")
    call, effects = create_call(board, To="client:alice", Twiml="<Response/>")
    invites = [(conn, payload) for conn, kind, payload in sent(effects) if kind == "invite"]
    assert [conn for conn, _ in invites] == [first, second]
    assert invites[0][1]["callsid"] == call["sid"]
    assert invites[0][1]["parameters"] == {
        "CallSid": call["sid"], "AccountSid": board.credentials.account_sid,
        "From": board.credentials.caller_id, "To": "client:alice", "ApiVersion": "2010-04-01"}


def test_a_declined_rest_call_is_busy_and_says_so_in_its_callback():
    """The only device rejecting: the call ends busy, and the completed callback reports it."""
    board = Board()
    alice = board.agent("alice")
    call, _ = create_call(board, To="client:alice", Twiml="<Response/>",
                          StatusCallback="http://127.0.0.1:9/status")
    effects = board.send(alice, "reject", callsid=call["sid"])
    (callback,) = [effect for effect in effects if isinstance(effect, PostCallback)]
    assert callback.params["CallStatus"] == "busy"
    response, _ = rest(board, "GET", f"Calls/{call['sid']}.json")
    assert response.body["status"] == "busy"


def test_an_answered_rest_call_runs_its_twiml_until_the_agent_hangs_up():
    """Answered, a Pause keeps it up; the agent hanging up completes it, no message back."""
    board = Board()
    alice = board.agent("alice")
    call, _ = create_call(board, To="client:alice",
                          Twiml='<Response><Say>Hi</Say><Pause length="60"/></Response>')
    effects = board.send(alice, "answer", callsid=call["sid"], sdp="v=0")
    assert [timer.delay for timer in timers(effects)] == [60]
    assert board.call(call["sid"])["status"] == "in-progress"
    assert board.call(call["sid"])["said"] == ["Hi"]
    effects = board.send(alice, "hangup", callsid=call["sid"])
    assert sent(effects) == []
    assert board.call(call["sid"])["status"] == "completed"


def test_a_queued_call_canceled_over_rest_never_rings():
    """Status=canceled before the call leaves the queue: no invite is ever sent."""
    board = Board()
    board.agent("alice")
    response, effects = rest(board, "POST", "Calls.json", From=board.credentials.caller_id,
                             To="client:alice", Twiml="<Response/>")
    sid = response.body["sid"]
    updated, _ = rest(board, "POST", f"Calls/{sid}.json", Status="canceled")
    assert updated.body["status"] == "canceled"
    assert sent(start_ringing(board, effects)) == []
