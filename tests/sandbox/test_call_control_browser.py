"""Call control end to end: the real token service, twilio-python, the emulator and the real SDK.

The sandbox runs in process (rest_kit.py), so a second instance of the service can be built
from the same settings: it must give the same answers, since what a call is lives in Twilio.
Callers ring the sandbox number, so /voice puts each in a conference of its own. alice_agent
answers on tests/pages/sdk.html; bob_agent gets a page of his own (a second window) where a
test needs him; otherwise he and carol_agent have no Device, so their offers fail at once, as
an unregistered agent's do on Twilio.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from rest_kit import product_rest
from rest_kit import product_settings
from rest_kit import sandbox_in_thread
from test_sdk_browser import SdkPage

from sandbox.runner import Sandbox
from sandbox.signaling.calls import NO_ANSWER_NUMBER
from sandbox.signaling.switchboard import Fault
from server import create_app
from server import logs
from server.errors import TwilioRestError
from server.voice import NOBODY_AVAILABLE
from tests.error_shape import assert_error
from tests.live import LiveSandbox
from tests.live import open_window
from tests.live import wait_until

pytestmark = pytest.mark.browser

CALLER = "+15551230001"
TARGET = "+15551230009"  # a simulated phone: answers after a second
ALICE = "alice_agent"
BOB = "bob_agent"


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    with sandbox_in_thread() as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def no_faults(live) -> Iterator[None]:
    yield
    live.run_on_loop(live.emulator.clear())


def _driven(live: Sandbox) -> LiveSandbox:
    return LiveSandbox(port=live.config.port, signaling_port=live.config.signaling_port,
                       process=None)


@pytest.fixture
def page(browser, live) -> SdkPage:
    return SdkPage(browser, _driven(live)).open(ALICE)


@pytest.fixture
def bob(browser, live, page) -> Iterator[SdkPage]:
    """bob_agent's SDK page, registered, in a second window of the same Chromium."""
    open_window(browser.driver)
    bob = SdkPage(browser, _driven(live)).open(BOB)
    bob.register()
    yield bob
    browser.driver.switch_to.window(bob.window)
    browser.driver.close()  # its socket closes: the emulator forgets bob
    browser.driver.switch_to.window(page.window)


def _bearer(live: Sandbox, agent: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {live.agents.token_for(agent)}"}


def _api(live: Sandbox, method: str, path: str, agent: str = ALICE, **kwargs: Any):
    """A request to the sandbox's own instance of the service."""
    return requests.request(method, live.config.service_url + path,
                            headers=_bearer(live, agent), timeout=30, **kwargs)


def _instance(live: Sandbox, **overrides: str) -> Callable[..., Any]:
    """Another instance of the service (the sandbox's settings with ``overrides``): its
    ``post(path, agent=ALICE, **kwargs)``."""
    client = create_app(product_settings(live, **overrides)).test_client()
    return lambda path, agent=ALICE, **kwargs: client.post(path, headers=_bearer(live, agent),
                                                           **kwargs)


def _state(live: Sandbox) -> dict[str, Any]:
    return live.run_on_loop(live.emulator.state())


def _room(live: Sandbox, name: str) -> dict[str, Any]:
    return next(room for room in _state(live)["conferences"]
                if room["friendly_name"] == name)


def _labels(live: Sandbox, name: str) -> dict[str, dict[str, Any]]:
    return {p["label"]: p for p in _room(live, name)["participants"]}


def _call(live: Sandbox, sid: str) -> dict[str, Any]:
    return live.run_on_loop(live.emulator.call(sid))


def _rest_status(live: Sandbox, sid: str) -> str:
    """The call's status as Twilio's REST API reports it."""
    return product_rest(live).call(lambda c: c.calls(sid).fetch()).status


def _caller_in_conference(live: Sandbox) -> dict[str, str]:
    """A phone calls the sandbox number; /voice puts it in a conference named after its
    CallSid. Return {"sid": the caller's call, "name": the conference's friendly name}."""
    call = live.run_on_loop(live.emulator.place_call(CALLER, live.credentials.caller_id))
    return {"sid": call["sid"], "name": call["sid"]}


def _count(page: SdkPage, name: str) -> int:
    return len([event for event in page.events() if event["name"] == name])


def _answered_call(live: Sandbox, page: SdkPage) -> tuple[str, str]:
    """A caller rings in; alice answers; return (caller's sid, alice's call sid)."""
    count = _count(page, "device:incoming") + 1  # before the call: it may ring at once
    caller = _caller_in_conference(live)
    incoming = page.wait_for("device:incoming", count=count)
    assert incoming["from"] == CALLER  # the invitation shows the caller's number
    page.js("harness.call.accept()")
    wait_until(lambda: _labels(live, caller["name"]).get(f"offer:{ALICE}", {}).get("status")
               == "connected" and _room(live, caller["name"])["status"] == "in-progress",
               what="alice in the caller's conference", changes=live.emulator.changes)
    return caller, incoming["callSid"]


def test_nobody_registered_the_caller_hears_nobody_is_available(live):
    """No agent can answer: every offer fails, and the caller is told, then hung up on."""
    caller = _caller_in_conference(live)
    call = wait_until(lambda: (c := _call(live, caller["sid"]))["status"] == "completed" and c,
                      what="the caller to be told and hung up on", changes=live.emulator.changes)
    assert call["said"] == [NOBODY_AVAILABLE]


def test_hold_blind_transfer_and_refusals_on_a_live_call(live, page):
    """alice answers the team offer, holds and resumes, is refused what is not hers, then
    blind-transfers to a number: she is released at once, the caller waits on hold music
    until the target answers, then talks to it."""
    page.register()
    caller, alice_sid = _answered_call(live, page)
    caller_sid, room = caller["sid"], caller["name"]
    assert _labels(live, room)["customer"]["hold"] is False

    response = _api(live, "POST", f"/calls/{alice_sid}/hold", json={"hold": True})
    assert response.status_code == 200 and response.json()["hold"] is True
    assert _labels(live, room)["customer"]["hold"] is True
    played = _call(live, caller_sid)["played"]
    assert played[-1]["as"] == "hold" and "holdmusic" in played[-1]["url"]
    other = _instance(live)
    assert other(f"/calls/{alice_sid}/hold", json={"hold": False}).get_json()["hold"] is False
    assert _labels(live, room)["customer"]["hold"] is False

    # Another agent's view of alice's call, an unknown call, junk bodies, targets refused.
    for post in (lambda path, agent=ALICE, **kw: _api(live, "POST", path, agent, **kw), other):
        assert_error(post(f"/calls/{alice_sid}/hold", "bob_agent", json={"hold": True}),
                           403, "not_your_call")
        assert_error(post(f"/calls/{caller_sid}/hold", json={"hold": True}),
                           403, "not_your_call")
        assert_error(post("/calls/CA" + "0" * 32 + "/hold", json={"hold": True}),
                           404, "not_found")
        assert_error(post(f"/calls/{alice_sid}/hold", json={"hold": "yes"}),
                           400, "bad_request")
        assert_error(post(f"/calls/{alice_sid}/transfer", json={"to": "+19005550100",
                                                                      "mode": "blind"}),
                           403, "premium_rate")
        assert_error(post(f"/calls/{alice_sid}/transfer", json={"to": "mallory",
                                                                      "mode": "blind"}),
                           403, "not_an_agent")
        assert_error(post(f"/calls/{alice_sid}/consult", json={"action": "complete"}),
                           409, "conflict")
    assert _labels(live, room)["customer"]["hold"] is False  # nothing changed

    agents = _api(live, "GET", "/agents", "bob_agent").json()["agents"]
    assert {a["identity"]: a["on_call"] for a in agents} == {ALICE: True, "carol_agent": False}

    # Twilio unavailable: refused in words, the caller still talking to alice.
    live.run_on_loop(live.emulator.inject(Fault.REST_UNAVAILABLE))
    assert_error(_api(live, "POST", f"/calls/{alice_sid}/transfer",
                            json={"to": TARGET, "mode": "blind"}), 503, "twilio_unavailable")
    live.run_on_loop(live.emulator.clear())
    labels = _labels(live, room)
    assert set(labels) == {"customer", f"offer:{ALICE}"} and not labels["customer"]["hold"]

    response = _api(live, "POST", f"/calls/{alice_sid}/transfer",
                    json={"to": TARGET, "mode": "blind"})
    assert response.status_code == 200, response.text
    page.wait_for("call:disconnect")  # released at once
    assert _labels(live, room)["customer"]["hold"] is True or \
        _labels(live, room)[f"blind:{TARGET}"]["status"] == "connected"
    wait_until(lambda: (labels := _labels(live, room)).get(f"blind:{TARGET}", {})
               .get("status") == "connected" and not labels["customer"]["hold"],
               what="the target to answer and the caller to come off hold",
               changes=live.emulator.changes)
    assert _rest_status(live, caller_sid) == "in-progress"
    live.run_on_loop(live.emulator.hang_up(caller_sid))


def test_consult_then_cancel_brings_the_caller_back(live, page):
    """Consult a target that is still ringing, then cancel: the target stops ringing and the
    caller comes off hold, with alice, never dropped."""
    page.register()
    caller, alice_sid = _answered_call(live, page)
    caller_sid, room = caller["sid"], caller["name"]
    response = _api(live, "POST", f"/calls/{alice_sid}/transfer",
                    json={"to": NO_ANSWER_NUMBER, "mode": "consult"})
    assert response.status_code == 200, response.text
    assert _labels(live, room)["customer"]["hold"] is True
    response = _api(live, "POST", f"/calls/{alice_sid}/consult", json={"action": "cancel"})
    assert response.status_code == 200, response.text
    labels = _labels(live, room)
    assert set(labels) == {"customer", f"offer:{ALICE}"} and not labels["customer"]["hold"]
    assert _rest_status(live, caller_sid) == "in-progress"
    live.run_on_loop(live.emulator.hang_up(caller_sid))
    page.wait_for("call:disconnect")


def test_blind_transfer_to_an_agent_rings_them_with_the_callers_number(live, page, bob):
    """The team offer rings alice and bob; alice answers (bob stops ringing), then transfers
    blind to bob: she is released at once, the caller waits on hold music while bob's SDK
    rings with the caller's number and TransferredBy; bob answers and talks to the caller.
    The audit line says who did what, as production writes it, without a token."""
    stream = io.StringIO()
    handler, root = logs.json_handler(stream), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        _blind_transfer_to_bob(live, page, bob)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    (audit,) = [line for line in lines if line.get("event") == "call_control"]
    assert {k: audit[k] for k in ("agent", "action", "target", "outcome")} == {
        "agent": ALICE, "action": "transfer", "target": BOB, "outcome": "ok"}
    assert audit["call"].startswith("CA")
    for agent in (ALICE, BOB):
        assert live.agents.token_for(agent).split(".")[-1] not in stream.getvalue()
    assert live.credentials.api_key_secret not in stream.getvalue()


def _blind_transfer_to_bob(live: Sandbox, page: SdkPage, bob: SdkPage) -> None:
    page.register()
    caller, alice_sid = _answered_call(live, page)
    caller_sid, room = caller["sid"], caller["name"]
    bob.wait_for("call:cancel")  # the team offer: the first to answer wins

    response = _api(live, "POST", f"/calls/{alice_sid}/transfer", json={"to": BOB, "mode": "blind"})
    assert response.status_code == 200, response.text
    page.wait_for("call:disconnect")
    incoming = bob.wait_for("device:incoming", count=2)
    assert incoming["from"] == CALLER and incoming["custom"] == {"TransferredBy": ALICE}
    labels = _labels(live, room)
    assert set(labels) == {"customer", f"blind:{BOB}"} and labels["customer"]["hold"] is True
    assert _call(live, caller_sid)["played"][-1]["as"] == "hold"

    bob.js("harness.call.accept()")
    wait_until(lambda: (labels := _labels(live, room)).get(f"blind:{BOB}", {})
               .get("status") == "connected" and not labels["customer"]["hold"],
               what="bob talking to the caller, off hold", changes=live.emulator.changes)
    assert _labels(live, room)[f"blind:{BOB}"]["call_sid"] == incoming["callSid"]
    live.run_on_loop(live.emulator.hang_up(caller_sid))
    bob.wait_for("call:disconnect")


def test_unanswered_blind_transfer_offers_the_caller_to_the_team_again(live, page):
    """carol cannot answer (no Device): her invitation fails, and the caller, never dropped,
    is offered to the team again: alice's SDK rings with the caller's number once more."""
    page.register()
    caller, alice_sid = _answered_call(live, page)
    caller_sid, room = caller["sid"], caller["name"]
    response = _api(live, "POST", f"/calls/{alice_sid}/transfer",
                    json={"to": "carol_agent", "mode": "blind"})
    assert response.status_code == 200, response.text
    page.wait_for("call:disconnect")
    incoming = page.wait_for("device:incoming", count=2)
    assert incoming["from"] == CALLER and incoming["callSid"] != alice_sid
    assert _rest_status(live, caller_sid) == "in-progress"
    page.js("harness.call.accept()")
    wait_until(lambda: _labels(live, room).get(f"offer:{ALICE}", {}).get("call_sid")
               == incoming["callSid"] and _labels(live, room)[f"offer:{ALICE}"]["status"]
               == "connected", what="alice talking to the caller again",
               changes=live.emulator.changes)
    live.run_on_loop(live.emulator.hang_up(caller_sid))
    page.wait_for("call:disconnect", count=2)


def test_twilio_too_slow_never_loses_the_caller(live, page):
    """Under rest_slow an instance whose REST timeout is shorter than Twilio's delay refuses
    the transfer in words (503) before changing anything: the caller stays with alice."""
    page.register()
    caller, alice_sid = _answered_call(live, page)
    caller_sid, room = caller["sid"], caller["name"]
    impatient = _instance(live, TWILIO_REST_TIMEOUT="1")
    live.run_on_loop(live.emulator.inject(Fault.REST_SLOW))
    assert_error(impatient(f"/calls/{alice_sid}/transfer", json={"to": TARGET, "mode": "blind"}),
                 503, "twilio_unavailable")
    live.run_on_loop(live.emulator.clear())
    labels = _labels(live, room)
    assert set(labels) == {"customer", f"offer:{ALICE}"} and not labels["customer"]["hold"]
    assert _rest_status(live, caller_sid) == "in-progress"
    assert page.js("return harness.call.status()") == "open"
    live.run_on_loop(live.emulator.hang_up(caller_sid))
    page.wait_for("call:disconnect")


@pytest.mark.parametrize("bob_declines", [True, False], ids=["declined", "rang-out"])
def test_blind_transfer_bob_does_not_take_offers_the_caller_to_the_team_again(
        live, page, bob, bob_declines):
    """An instance with TOOLBAR_TRANSFER_TIMEOUT=5 transfers alice's caller to bob, who
    declines or lets it ring for 5 s: the invitation ends unanswered (the callback reaches the
    sandbox's own instance: nothing was kept in memory) and the whole team rings again;
    alice takes the caller."""
    page.register()
    caller, alice_sid = _answered_call(live, page)
    caller_sid, room = caller["sid"], caller["name"]
    bob.wait_for("call:cancel")
    short = _instance(live, TOOLBAR_TRANSFER_TIMEOUT="5")
    response = short(f"/calls/{alice_sid}/transfer", json={"to": BOB, "mode": "blind"})
    assert response.status_code == 200, response.text
    page.wait_for("call:disconnect")
    transferred = bob.wait_for("device:incoming", count=2)
    if bob_declines:
        bob.js("harness.call.reject()")
        bob.wait_for("call:reject")
    else:
        bob.wait_for("call:cancel", count=2)  # rang out
    assert _call(live, transferred["callSid"])["status"] == (
        "rejected" if bob_declines else "no-answer")
    again = page.wait_for("device:incoming", count=2)
    assert again["from"] == CALLER
    bob.wait_for("device:incoming", count=3)  # the whole team, bob too
    assert _rest_status(live, caller_sid) == "in-progress"
    page.js("harness.call.accept()")
    wait_until(lambda: _labels(live, room).get(f"offer:{ALICE}", {}).get("status")
               == "connected", what="alice talking to the caller again",
               changes=live.emulator.changes)
    bob.wait_for("call:cancel", count=2 if bob_declines else 3)
    live.run_on_loop(live.emulator.hang_up(caller_sid))
    page.wait_for("call:disconnect", count=2)


def _consulting_bob(live: Sandbox, page: SdkPage, bob: SdkPage) -> tuple[str, str, str]:
    """alice answers, consults bob, bob answers: the caller on hold while they talk. Return
    (the caller's sid, the conference's name, alice's call sid)."""
    page.register()
    caller, alice_sid = _answered_call(live, page)
    caller_sid, room = caller["sid"], caller["name"]
    bob.wait_for("call:cancel")
    response = _api(live, "POST", f"/calls/{alice_sid}/transfer",
                    json={"to": BOB, "mode": "consult"})
    assert response.status_code == 200, response.text
    incoming = bob.wait_for("device:incoming", count=2)
    assert incoming["from"] == CALLER and incoming["custom"] == {"TransferredBy": ALICE}
    bob.js("harness.call.accept()")
    wait_until(lambda: _labels(live, room).get(f"consult:{BOB}", {}).get("status")
               == "connected", what="bob in the consultation", changes=live.emulator.changes)
    labels = _labels(live, room)
    assert labels["customer"]["hold"] is True and labels[f"offer:{ALICE}"]["status"] == "connected"
    return caller_sid, room, alice_sid


def test_consult_then_complete_leaves_caller_and_target(live, page, bob):
    """Consult bob, then complete: alice leaves, the caller comes off hold and talks to bob."""
    caller_sid, room, alice_sid = _consulting_bob(live, page, bob)
    response = _api(live, "POST", f"/calls/{alice_sid}/consult", json={"action": "complete"})
    assert response.status_code == 200, response.text
    page.wait_for("call:disconnect")
    labels = _labels(live, room)
    assert set(labels) == {"customer", f"consult:{BOB}"} and not labels["customer"]["hold"]
    live.run_on_loop(live.emulator.hang_up(caller_sid))
    bob.wait_for("call:disconnect")


def test_consult_then_conference_then_leave(live, page, bob):
    """Consult bob, then conference: all three talk; alice leaves: caller and bob go on; the
    caller hanging up ends the call for bob."""
    caller_sid, room, alice_sid = _consulting_bob(live, page, bob)
    response = _api(live, "POST", f"/calls/{alice_sid}/consult", json={"action": "conference"})
    assert response.status_code == 200, response.text
    labels = _labels(live, room)
    assert set(labels) == {"customer", f"offer:{ALICE}", f"consult:{BOB}"}
    assert not labels["customer"]["hold"]
    assert all(p["status"] == "connected" for p in labels.values())
    response = _api(live, "POST", f"/calls/{alice_sid}/leave")
    assert response.status_code == 200, response.text
    page.wait_for("call:disconnect")
    assert set(_labels(live, room)) == {"customer", f"consult:{BOB}"}
    assert _rest_status(live, caller_sid) == "in-progress"
    live.run_on_loop(live.emulator.hang_up(caller_sid))
    bob.wait_for("call:disconnect")
    assert _room(live, room)["status"] == "completed"


def test_consult_the_target_declines_brings_the_caller_back(live, page, bob):
    """alice consults bob, who declines: his invitation ends unanswered (the callback reaches
    the service), the caller comes off hold with alice, never dropped, and the route tells
    alice there is no consultation left to complete."""
    page.register()
    caller, alice_sid = _answered_call(live, page)
    caller_sid, room = caller["sid"], caller["name"]
    bob.wait_for("call:cancel")
    response = _api(live, "POST", f"/calls/{alice_sid}/transfer",
                    json={"to": BOB, "mode": "consult"})
    assert response.status_code == 200, response.text
    bob.wait_for("device:incoming", count=2)
    assert _labels(live, room)["customer"]["hold"] is True
    bob.js("harness.call.reject()")
    bob.wait_for("call:reject")
    wait_until(lambda: set(labels := _labels(live, room)) == {"customer", f"offer:{ALICE}"}
               and not labels["customer"]["hold"], what="the caller back off hold with alice",
               changes=live.emulator.changes)
    assert_error(_api(live, "POST", f"/calls/{alice_sid}/consult", json={"action": "complete"}),
                 409, "conflict")
    assert _rest_status(live, caller_sid) == "in-progress"
    assert page.js("return harness.call.status()") == "open"
    live.run_on_loop(live.emulator.hang_up(caller_sid))
    page.wait_for("call:disconnect")


def test_the_caller_hanging_up_during_a_consultation_ends_it_for_both_agents(live, page, bob):
    """The caller, on hold while alice consults bob, hangs up: the conference ends, and both
    agents' calls with it."""
    caller_sid, room, _ = _consulting_bob(live, page, bob)
    live.run_on_loop(live.emulator.hang_up(caller_sid))
    page.wait_for("call:disconnect")
    bob.wait_for("call:disconnect")
    wait_until(lambda: _room(live, room)["status"] == "completed",
               what="the conference to end", changes=live.emulator.changes)


def test_two_instances_answer_agents_alike(live, page):
    """GET /agents from the sandbox's instance and from a second one built from the same
    settings: the same targets, and alice on a call in both once she answers one."""
    other = create_app(product_settings(live)).test_client()

    def both() -> tuple[Any, Any]:
        here = _api(live, "GET", "/agents", BOB)
        there = other.get("/agents", headers=_bearer(live, BOB))
        assert here.status_code == there.status_code == 200
        return here.json(), there.get_json()

    idle = both()
    assert idle[0] == idle[1]
    assert {a["identity"]: a["on_call"] for a in idle[0]["agents"]} == {
        ALICE: False, "carol_agent": False}
    page.register()
    caller, _ = _answered_call(live, page)
    busy = both()
    assert busy[0] == busy[1]
    assert {a["identity"]: a["on_call"] for a in busy[0]["agents"]} == {
        ALICE: True, "carol_agent": False}
    live.run_on_loop(live.emulator.hang_up(caller["sid"]))
    page.wait_for("call:disconnect")


def test_user_defined_messages_reach_the_sdk_in_the_call(live, page):
    """twilio-python's user_defined_messages.create on alice's call: her SDK's Call emits
    messageReceived with the Content as sent; a call not in progress, an unknown call and
    Content that is not JSON are refused as Twilio refuses them."""
    page.register()
    caller, alice_sid = _answered_call(live, page)
    rest = product_rest(live)
    content = json.dumps({"customer": "answered"})
    message = rest.call(lambda c: c.calls(alice_sid).user_defined_messages.create(
        content=content))
    assert message.sid.startswith("KX") and message.call_sid == alice_sid
    received = page.wait_for("call:messageReceived")
    assert received == {"name": "call:messageReceived", "callSid": alice_sid,
                        "content": content, "contentType": "application/json",
                        "messageType": "user-defined-message", "voiceEventSid": message.sid}
    with pytest.raises(TwilioRestError) as refused:
        rest.call(lambda c: c.calls(alice_sid).user_defined_messages.create(content="{nope"))
    assert refused.value.twilio_code == 20001
    with pytest.raises(TwilioRestError) as refused:
        rest.call(lambda c: c.calls("CA" + "0" * 32).user_defined_messages.create(
            content=content))
    assert refused.value.twilio_code == 20404
    live.run_on_loop(live.emulator.hang_up(caller["sid"]))
    page.wait_for("call:disconnect")
    with pytest.raises(TwilioRestError) as refused:
        rest.call(lambda c: c.calls(alice_sid).user_defined_messages.create(content=content))
    assert refused.value.twilio_code == 21220


def _outbound_call(live: Sandbox, page: SdkPage) -> tuple[str, str]:
    """alice calls TARGET; it answers: return (alice's call sid, the customer's call sid).
    Her call's conference is named after it; the number is in it as the customer."""
    page.register()
    page.js("return harness.connect({To: arguments[0]})", TARGET)
    page.wait_for("call:accept")  # alice in her conference; TARGET still rings
    alice_sid = page.js("return harness.call.parameters.CallSid")
    answered = page.wait_for("call:messageReceived")
    assert json.loads(answered["content"]) == {"customer": "answered"}
    labels = _labels(live, alice_sid)
    assert set(labels) == {"customer", f"agent:{ALICE}"}
    assert labels["customer"]["status"] == "connected" and not labels["customer"]["hold"]
    return alice_sid, labels["customer"]["call_sid"]


def test_hold_and_resume_an_outbound_call(live, page):
    """alice's outbound call is a conference too: hold plays the customer hold music, resume
    takes it off; /agents shows her on a call; another agent may not touch it."""
    alice_sid, customer_sid = _outbound_call(live, page)
    response = _api(live, "POST", f"/calls/{alice_sid}/hold", json={"hold": True})
    assert response.status_code == 200 and response.json()["hold"] is True
    assert _labels(live, alice_sid)["customer"]["hold"] is True
    assert _call(live, customer_sid)["played"][-1]["as"] == "hold"
    assert_error(_api(live, "POST", f"/calls/{alice_sid}/hold", BOB, json={"hold": False}),
                 403, "not_your_call")
    agents = _api(live, "GET", "/agents", BOB).json()["agents"]
    assert {a["identity"]: a["on_call"] for a in agents}[ALICE] is True
    response = _instance(live)(f"/calls/{alice_sid}/hold", json={"hold": False})
    assert response.status_code == 200 and response.get_json()["hold"] is False
    assert _labels(live, alice_sid)["customer"]["hold"] is False
    live.run_on_loop(live.emulator.hang_up(customer_sid))  # the customer hangs up: it ends
    page.wait_for("call:disconnect")
    assert _room(live, alice_sid)["status"] == "completed"


def test_blind_transfer_of_an_outbound_call_to_an_agent(live, page, bob):
    """alice transfers the number she called to bob: she is released at once, bob's SDK rings
    with the customer's number (not ours), he answers and talks to the customer."""
    alice_sid, customer_sid = _outbound_call(live, page)
    response = _api(live, "POST", f"/calls/{alice_sid}/transfer",
                    json={"to": BOB, "mode": "blind"})
    assert response.status_code == 200, response.text
    page.wait_for("call:disconnect")
    incoming = bob.wait_for("device:incoming")
    assert incoming["from"] == TARGET and incoming["custom"] == {"TransferredBy": ALICE}
    assert _labels(live, alice_sid)["customer"]["hold"] is True
    bob.js("harness.call.accept()")
    wait_until(lambda: (labels := _labels(live, alice_sid)).get(f"blind:{BOB}", {})
               .get("status") == "connected" and not labels["customer"]["hold"],
               what="bob talking to the customer, off hold", changes=live.emulator.changes)
    assert set(_labels(live, alice_sid)) == {"customer", f"blind:{BOB}"}
    assert _rest_status(live, customer_sid) == "in-progress"
    live.run_on_loop(live.emulator.hang_up(customer_sid))
    bob.wait_for("call:disconnect")
