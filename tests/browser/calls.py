"""Helpers of the call tests: the toolbar's call panel, the host's UEF record, the emulator.

Used with the ``toolbar`` fixture's Toolbar (tests/browser/conftest.py).
"""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By

from server.voice import NOBODY_AVAILABLE
from tests.browser.conftest import AGENT
from tests.browser.conftest import TWILIO_API
from tests.live import TIMEOUT
from tests.live import wait_until

CALLER = "+15557770001"
CALL_METHODS = ("newCommEvent", "startCommEvent", "closeCommEvent", "outboundCommError")

_PANEL = """
const panel = document.getElementById('call-panel');
const shown = (id) => !document.getElementById(id).hidden;
const status = document.getElementById('status');
return {
  state: panel.dataset.callState, direction: panel.dataset.direction ?? '',
  caller: document.getElementById('caller').textContent,
  name: document.getElementById('caller-name').textContent,
  timer: document.getElementById('call-timer').textContent,
  answer: shown('answer'), decline: shown('decline'), hangup: shown('hangup'),
  mute: shown('mute') ? document.getElementById('mute').getAttribute('aria-pressed') : null,
  keypad: shown('keypad'), canDial: !document.getElementById('dial-button').disabled,
  status: status.textContent, tone: status.dataset.tone,
  pyErrors: [...document.querySelectorAll('.py-error')].map((element) => element.textContent),
};
"""


def panel(toolbar) -> dict[str, Any]:
    return toolbar._in_frame(lambda: toolbar.driver.execute_script(_PANEL))


def wait_panel(toolbar, condition, what: str, timeout: float = TIMEOUT) -> dict[str, Any]:
    def check():
        state = panel(toolbar)
        assert not state["pyErrors"], state["pyErrors"]
        return state if condition(state) else None
    return wait_until(check, timeout, what, changes=toolbar.frame_changes)


def wait_call_state(toolbar, state: str) -> dict[str, Any]:
    return wait_panel(toolbar, lambda s: s["state"] == state, f"the call panel to be {state}")


def click(toolbar, selector: str) -> None:
    """Click ``selector`` in the toolbar frame."""
    toolbar._in_frame(lambda: toolbar.driver.find_element(By.CSS_SELECTOR, selector).click())


def dial_by_hand(toolbar, number: str) -> None:
    def type_and_call():
        field = toolbar.driver.find_element(By.ID, "dial-number")
        field.clear()
        field.send_keys(number)
        toolbar.driver.find_element(By.ID, "dial-button").click()
    toolbar._in_frame(type_and_call)


# ---- The host ----

def operations(toolbar) -> list[dict[str, Any]]:
    """The call operations the host received, oldest first."""
    return [op for op in toolbar.driver.execute_script("return window.fusionHost.operations()")
            if op["method"] in CALL_METHODS]


def wait_operations(toolbar, methods: list[str]) -> list[dict[str, Any]]:
    """Wait until the host has received exactly ``methods`` (in order), all answered."""
    def check():
        ops = operations(toolbar)
        got = [op["method"] for op in ops]
        assert got == methods[:len(got)], f"expected {methods}, got {got}"
        return ops if got == methods and all(op["answered"] for op in ops) else None
    return wait_until(check, TIMEOUT, f"the host to receive {methods}",
                      changes=toolbar.host_changes)


def wait_call_operations(toolbar, event_id: str, methods: list[str]) -> list[dict[str, Any]]:
    """As wait_operations, for the operations of one call (eventId or commUuid)."""
    def check():
        ops = [op for op in operations(toolbar)
               if event_id in (op["data"].get("eventId"), op["data"].get("commUuid"))]
        got = [op["method"] for op in ops]
        assert got == methods[:len(got)], f"expected {methods}, got {got}"
        return ops if got == methods and all(op["answered"] for op in ops) else None
    return wait_until(check, TIMEOUT, f"the host to receive {methods} for {event_id}",
                      changes=toolbar.host_changes)


def host_calls(toolbar) -> dict[str, Any]:
    """The host's calls by eventId."""
    calls = toolbar.driver.execute_script("return window.fusionHost.state().calls")
    return {call["eventId"]: call for call in calls}


def check_correlated(toolbar, ops, event_id: str, direction: str, number: str) -> None:
    """One eventId; newCommEvent as specified; later inData = newCommEvent's outData."""
    new = ops[0]
    assert new["method"] == "newCommEvent" and new["error"] is None, new
    data = new["data"]
    assert data["appClassification"] == "ORA_SERVICE" and data["eventId"] == event_id
    assert data["inData"]["SVCMCA_ANI"] == number
    assert data["inData"]["SVCMCA_COMMUNICATION_DIRECTION"] == direction
    out_data = host_calls(toolbar)[event_id]["outData"]
    for op in ops[1:]:
        assert op["error"] is None, op
        if op["method"] == "outboundCommError":
            assert op["data"]["commUuid"] == event_id
            continue
        assert op["data"]["eventId"] == event_id, op
        assert op["data"]["inData"] == out_data, op


def close_reason(ops) -> str:
    return next(op["data"]["reason"] for op in ops if op["method"] == "closeCommEvent")


def host_status(toolbar, event_id: str) -> str:
    return host_calls(toolbar)[event_id]["status"]


def click_host(toolbar, selector: str) -> None:
    toolbar.driver.find_element(By.CSS_SELECTOR, selector).click()


def wait_host_visible(toolbar, element_id: str, visible: bool = True) -> None:
    wait_until(lambda: toolbar.driver.find_element(By.ID, element_id).is_displayed() is visible,
               TIMEOUT, f"#{element_id} {'shown' if visible else 'hidden'} in the host",
               changes=toolbar.host_changes)


# ---- The emulator ----

def ring(toolbar, caller: str = CALLER) -> str:
    """A phone calls the sandbox number; return the call's sid."""
    response = toolbar.sandbox.api("POST", TWILIO_API + "/calls", json={"from": caller})
    response.raise_for_status()
    return response.json()["sid"]


def emulator_call(toolbar, sid: str) -> dict[str, Any]:
    response = toolbar.sandbox.api("GET", f"{TWILIO_API}/calls/{sid}")
    response.raise_for_status()
    return response.json()


def wait_emulator(toolbar, sid: str, status: str) -> dict[str, Any]:
    return wait_until(lambda: (c := emulator_call(toolbar, sid))["status"] == status and c,
                      TIMEOUT, f"the emulator's call {sid} to be {status}",
                      changes=toolbar.sandbox.changes)


def far_end_hangs_up(toolbar, sid: str) -> None:
    toolbar.sandbox.api("POST", f"{TWILIO_API}/calls/{sid}/hangup").raise_for_status()


def conference(toolbar, sid: str) -> dict[str, Any] | None:
    """The conference of caller ``sid`` (named after its CallSid), or None before it joins."""
    return next((room for room in toolbar.sandbox.twilio_state()["conferences"]
                 if room["friendly_name"] == sid), None)


def offer(room: dict[str, Any] | None, agent: str = AGENT) -> dict[str, Any] | None:
    """``agent``'s invitation into ``room`` (label ``offer:<agent>``), or None."""
    participants = room["participants"] if room else []
    return next((p for p in participants if p["label"] == f"offer:{agent}"), None)


def wait_offered(toolbar, sid: str) -> str:
    """Wait until caller ``sid`` waits in its own conference and the agent's invitation into
    it rings; return the invitation's CallSid (the agent's call, as the SDK knows it)."""
    def check():
        room = conference(toolbar, sid)
        invited = offer(room)
        customer = next((p for p in room["participants"] if p["label"] == "customer"), None) \
            if room else None
        return (invited and customer and customer["status"] == "connected"
                and emulator_call(toolbar, invited["call_sid"])["status"] == "ringing"
                and invited["call_sid"])
    return wait_until(check, TIMEOUT, f"the agent invited into the conference of {sid}",
                      changes=toolbar.sandbox.changes)


def wait_talking(toolbar, sid: str, event_id: str) -> dict[str, Any]:
    """Wait until the caller ``sid`` and the agent's call ``event_id`` talk in the caller's
    conference; return the conference."""
    def check():
        room = conference(toolbar, sid)
        invited = offer(room)
        return (room["status"] == "in-progress" and invited["call_sid"] == event_id
                and invited["status"] == "connected"
                and emulator_call(toolbar, sid)["status"] == "in-progress" and room)
    return wait_until(check, TIMEOUT, f"{event_id} talking with the caller {sid}",
                      changes=toolbar.sandbox.changes)


def wait_declined(toolbar, sid: str, event_id: str) -> dict[str, Any]:
    """Wait until the agent's call ``event_id`` ended unanswered and the caller ``sid`` heard
    that nobody is available (no other agent rings in the sandbox); return the caller's call."""
    wait_emulator(toolbar, event_id, "rejected")
    call = wait_emulator(toolbar, sid, "completed")
    assert call["said"] == [NOBODY_AVAILABLE], call
    assert offer(conference(toolbar, sid)) is None  # nothing left ringing
    return call
