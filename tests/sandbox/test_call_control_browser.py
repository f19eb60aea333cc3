"""Call control end to end: the real token service, twilio-python, the emulator and the real SDK.

The sandbox runs in process (rest_kit.py), so a second instance of the service can be built
from the same settings: it must give the same answers, since what a call is lives in Twilio.
alice_agent answers on tests/pages/sdk.html; bob_agent and carol_agent have no Device, so their
offers fail at once, as an unregistered agent's do on Twilio.
"""

from __future__ import annotations

import uuid
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
from server.voice import NOBODY_AVAILABLE
from tests.error_shape import assert_error
from tests.live import LiveSandbox
from tests.live import wait_until

pytestmark = pytest.mark.browser

CALLER = "+15551230001"
TARGET = "+15551230009"  # a simulated phone: answers after a second
ALICE = "alice_agent"


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    with sandbox_in_thread() as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def no_faults(live) -> Iterator[None]:
    yield
    live.run_on_loop(live.emulator.clear())


@pytest.fixture
def page(browser, live) -> SdkPage:
    driven = LiveSandbox(port=live.config.port, signaling_port=live.config.signaling_port,
                         process=None)
    return SdkPage(browser, driven).open(ALICE)


def _api(live: Sandbox, method: str, path: str, agent: str = ALICE, **kwargs: Any):
    headers = {"Authorization": f"Bearer {live.agents.token_for(agent)}"}
    return requests.request(method, live.config.service_url + path, headers=headers,
                            timeout=30, **kwargs)


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
    """A customer in a caller's conference, labelled and called back as the product's are;
    return {"sid": the customer's call, "name": the conference's friendly name}."""
    name = "CA" + uuid.uuid4().hex
    events = ["start", "end", "join", "leave"]
    participant = product_rest(live).call(lambda c: c.conferences(name).participants.create(
        from_=live.credentials.caller_id, to=CALLER, label="customer",
        start_conference_on_enter=False, end_conference_on_exit=True,
        conference_status_callback=live.config.service_url + "/voice/conference",
        conference_status_callback_event=events))
    return {"sid": participant.call_sid, "name": name}


def _answered_call(live: Sandbox, page: SdkPage) -> tuple[str, str]:
    """A caller rings in; alice answers; return (caller's sid, alice's call sid)."""
    caller = _caller_in_conference(live)
    incoming = page.wait_for("device:incoming", count=len(
        [e for e in page.events() if e["name"] == "device:incoming"]) + 1)
    # The customer's number as Twilio has it (here a REST call's From, the account's number).
    assert incoming["from"] == live.credentials.caller_id
    page.js("harness.call.accept()")
    wait_until(lambda: _labels(live, caller["name"]).get(f"offer:{ALICE}", {}).get("status")
               == "connected" and _room(live, caller["name"])["status"] == "in-progress",
               what="alice in the caller's conference")
    return caller, incoming["callSid"]


def test_nobody_registered_the_caller_hears_nobody_is_available(live):
    """No agent can answer: every offer fails, and the caller is told, then hung up on."""
    caller = _caller_in_conference(live)
    call = wait_until(lambda: (c := _call(live, caller["sid"]))["status"] == "completed" and c,
                      what="the caller to be told and hung up on")
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
    other = create_app(product_settings(live)).test_client()  # a second instance
    headers = {"Authorization": f"Bearer {live.agents.token_for(ALICE)}"}
    assert other.post(f"/calls/{alice_sid}/hold", json={"hold": False},
                      headers=headers).get_json()["hold"] is False
    assert _labels(live, room)["customer"]["hold"] is False

    # Another agent's view of alice's call, an unknown call, junk bodies, targets refused.
    for post in (lambda path, agent=ALICE, **kw: _api(live, "POST", path, agent, **kw),
                 lambda path, agent=ALICE, **kw: other.post(path, headers={
                     "Authorization": f"Bearer {live.agents.token_for(agent)}"}, **kw)):
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
               what="the target to answer and the caller to come off hold")
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
