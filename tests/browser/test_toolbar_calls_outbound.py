"""Outbound calls: Fusion's click-to-dial and the toolbar's own number field, on both
interpreters; answered, busy, refused by /voice, refused by the outbound policy before
dialling, cancelled by the agent, not available.

The eventId of a click-to-dial call is the onOutgoingEvent's uuid; a failure is an
outboundCommError with that uuid as commUuid, then closeCommEvent REJECT.
"""

from __future__ import annotations

import pytest

from sandbox.credentials import SANDBOX_CALLER_ID
from sandbox.fusion.directory import INTERNATIONAL_NETWORK_NUMBER
from sandbox.fusion.directory import PREMIUM_RATE_NUMBER
from tests.browser.calls import check_correlated
from tests.browser.calls import click
from tests.browser.calls import click_host
from tests.browser.calls import close_reason
from tests.browser.calls import dial_by_hand
from tests.browser.calls import emulator_call
from tests.browser.calls import far_end_hangs_up
from tests.browser.calls import operations
from tests.browser.calls import panel
from tests.browser.calls import wait_call_operations
from tests.browser.calls import wait_call_state
from tests.browser.calls import wait_emulator
from tests.browser.calls import wait_panel
from tests.live import scaled
from tests.live import wait_until

pytestmark = pytest.mark.browser
OUTBOUND = "ORA_SVC_OUTBOUND"
ANSWERS = "+14155550101"  # Virginia Kohl in the host's directory
BUSY = "+15550000486"
NO_ANSWER = "+15550000480"


def _click_to_dial(toolbar, number: str) -> str:
    """Click a number in the host; return the onOutgoingEvent's uuid."""
    before = {entry["uuid"] for entry in toolbar.driver.execute_script(
        "return window.fusionHost.state().outgoing")}
    click_host(toolbar, f'[data-dial="{number}"]')
    outgoing = toolbar.driver.execute_script("return window.fusionHost.state().outgoing")
    return next(entry["uuid"] for entry in outgoing if entry["uuid"] not in before)


def _emulator_outbound(toolbar, number: str, direction: str = "outbound") -> dict:
    """The latest emulator call the agent placed to ``number`` (its own call, which joins a
    conference of its own), or with ``direction="outbound-api"`` the customer's: the number,
    dialled over REST into that conference."""
    calls = [call for call in toolbar.sandbox.twilio_state()["calls"]
             if call["direction"] == direction and call["to"] == number]
    assert calls, f"no {direction} call to {number} in the emulator"
    return calls[-1]


def _customer(toolbar, number: str) -> dict:
    return _emulator_outbound(toolbar, number, "outbound-api")


def _conference_of(toolbar, agent_call: str) -> dict[str, dict]:
    """The agent's conference (named after its call), participants by label."""
    (room,) = [room for room in toolbar.sandbox.twilio_state()["conferences"]
               if room["friendly_name"] == agent_call]
    return {p["label"]: p for p in room["participants"]}


def _failed(toolbar, uuid: str, number: str, code: str) -> list[dict]:
    ops = wait_call_operations(toolbar, uuid,
                               ["newCommEvent", "outboundCommError", "closeCommEvent"])
    check_correlated(toolbar, ops, uuid, OUTBOUND, number)
    assert ops[1]["data"]["errorCode"] == code and ops[1]["data"]["errorMsg"], ops[1]
    assert close_reason(ops) == "REJECT"
    state = wait_call_state(toolbar, "idle")
    assert f"Call to {number} failed" in state["status"] and state["tone"] == "error", state
    outgoing = {e["uuid"]: e for e in toolbar.driver.execute_script(
        "return window.fusionHost.state().outgoing")}
    assert outgoing[uuid]["status"] == "failed" and outgoing[uuid]["error"]["code"] == code
    return ops


def test_outbound_click_to_dial_answered_mute_dtmf(toolbar):
    """Click-to-dial: newCommEvent (uuid) → answered → startCommEvent; mute, DTMF reach the
    emulator; Fusion's End (disconnect) → WRAPUP."""
    toolbar.go_available()
    uuid = _click_to_dial(toolbar, ANSWERS)
    state = wait_call_state(toolbar, "active")
    assert state["caller"] == ANSWERS and state["name"] == "Virginia Kohl", state
    assert state["direction"] == "outbound" and state["mute"] == "false" and state["keypad"]
    wait_call_operations(toolbar, uuid, ["newCommEvent", "startCommEvent"])
    call = wait_emulator(toolbar, _emulator_outbound(toolbar, ANSWERS)["sid"], "in-progress")
    customer = wait_emulator(toolbar, _customer(toolbar, ANSWERS)["sid"], "in-progress")
    assert customer["from"] == SANDBOX_CALLER_ID, customer
    room = _conference_of(toolbar, call["sid"])
    assert set(room) == {"customer", "agent:alice_agent"}, room
    assert room["customer"]["call_sid"] == customer["sid"]
    click(toolbar, "#mute")
    wait_panel(toolbar, lambda s: s["mute"] == "true", "Mute pressed")
    for digit in ("1", "9", "#", "*"):
        click(toolbar, f'#keypad [data-digit="{digit}"]')
    wait_until(lambda: "".join(emulator_call(toolbar, call["sid"])["dtmf"]) == "19#*",
               what="the digits to reach the emulator", changes=toolbar.sandbox.changes)
    click(toolbar, "#mute")
    wait_panel(toolbar, lambda s: s["mute"] == "false", "Mute released")
    wait_panel(toolbar, lambda s: s["timer"] not in ("", "00:00"), "the call timer to run",
               timeout=scaled(5))
    click_host(toolbar, "#hang-up")  # Fusion's End: onToolbarInteractionCommand disconnect
    ops = wait_call_operations(toolbar, uuid, ["newCommEvent", "startCommEvent", "closeCommEvent"])
    command = next(c for c in toolbar.commands() if c["command"] == "disconnect")
    assert command["result"] == "success" and command["eventId"] == uuid
    check_correlated(toolbar, ops, uuid, OUTBOUND, ANSWERS)
    assert ops[0]["data"]["inData"]["SVCMCA_DISPLAY_NAME"] == "Virginia Kohl"
    assert close_reason(ops) == "WRAPUP"
    wait_emulator(toolbar, call["sid"], "completed")
    wait_call_state(toolbar, "idle")


def test_outbound_failures(toolbar, browser):
    """Not available, invalid number, busy, refused by /voice: outboundCommError + REJECT;
    cancelled by the agent while it rings: CANCELED."""
    browser.allow_console(r"gateway|31005|31000|ConnectionError|UnknownError")
    uuid = _click_to_dial(toolbar, ANSWERS)  # unavailable: no Device
    _failed(toolbar, uuid, ANSWERS, "NOT_AVAILABLE")
    toolbar.go_available()
    uuid = _click_to_dial(toolbar, "555-CALL-NOW")
    _failed(toolbar, uuid, "555-CALL-NOW", "INVALID_NUMBER")

    uuid = _click_to_dial(toolbar, BUSY)
    _failed(toolbar, uuid, BUSY, "BUSY")
    assert _customer(toolbar, BUSY)["status"] == "busy"

    toolbar.fault("forge_webhook_signatures")
    uuid = _click_to_dial(toolbar, ANSWERS)
    _failed(toolbar, uuid, ANSWERS, "FAILED")
    refused = _emulator_outbound(toolbar, ANSWERS)
    assert refused["status"] == "failed" and refused["webhook"]["status"] == 403
    toolbar.clear_faults()

    uuid = _click_to_dial(toolbar, NO_ANSWER)
    wait_call_state(toolbar, "ringing")
    wait_call_operations(toolbar, uuid, ["newCommEvent"])
    click(toolbar, "#hangup")
    ops = wait_call_operations(toolbar, uuid, ["newCommEvent", "closeCommEvent"])
    check_correlated(toolbar, ops, uuid, OUTBOUND, NO_ANSWER)
    assert close_reason(ops) == "CANCELED"
    wait_emulator(toolbar, _customer(toolbar, NO_ANSWER)["sid"], "canceled")
    wait_call_state(toolbar, "idle")


def test_outbound_manual_dial(toolbar):
    """The number field: a typo is refused in the toolbar; a number is dialled with a
    generated eventId; the far end hangs up → WRAPUP."""
    state = panel(toolbar)
    assert state["state"] == "idle" and not state["canDial"]  # Call waits for available
    toolbar.go_available()
    assert panel(toolbar)["canDial"]
    dial_by_hand(toolbar, "555 1234")
    wait_panel(toolbar, lambda s: "not valid" in s["status"], "the invalid number refusal")
    assert operations(toolbar) == []
    dial_by_hand(toolbar, "+14155550199")
    state = wait_call_state(toolbar, "active")
    assert state["caller"] == "+14155550199"
    ops = wait_until(lambda: len(operations(toolbar)) == 2 and operations(toolbar),
                     what="newCommEvent and startCommEvent", changes=toolbar.host_changes)
    event_id = ops[0]["data"]["eventId"]
    assert event_id.startswith("manual-") and [op["method"] for op in ops] == [
        "newCommEvent", "startCommEvent"]
    far_end_hangs_up(toolbar, _customer(toolbar, "+14155550199")["sid"])
    ops = wait_call_operations(toolbar, event_id,
                               ["newCommEvent", "startCommEvent", "closeCommEvent"])
    check_correlated(toolbar, ops, event_id, OUTBOUND, "+14155550199")
    assert close_reason(ops) == "WRAPUP"
    wait_call_state(toolbar, "idle")


def test_outbound_refused_by_the_outbound_policy(toolbar, browser):
    """Premium-rate (click-to-dial) and +882 (typed in): the toolbar asks /api/dial-check, dials
    nothing, says why in words; Fusion gets outboundCommError with the code, then REJECT."""
    browser.allow_console(r"/api/dial-check .*403")  # Chromium logs every 4xx it fetches
    toolbar.go_available()
    uuid = _click_to_dial(toolbar, PREMIUM_RATE_NUMBER)
    ops = _failed(toolbar, uuid, PREMIUM_RATE_NUMBER, "NUMBER_NOT_ALLOWED")
    assert "premium-rate numbers are not allowed" in ops[1]["data"]["errorMsg"]
    state = panel(toolbar)
    assert "premium-rate numbers are not allowed" in state["status"], state

    dial_by_hand(toolbar, INTERNATIONAL_NETWORK_NUMBER)
    state = wait_panel(toolbar, lambda s: "international network" in s["status"],
                       "the +882 refusal")
    assert f"Call to {INTERNATIONAL_NETWORK_NUMBER} failed" in state["status"]
    ops = wait_until(lambda: len(operations(toolbar)) >= 5 and operations(toolbar),
                     what="the manual call's newCommEvent and closeCommEvent",
                     changes=toolbar.host_changes)
    assert [op["method"] for op in ops[-2:]] == ["newCommEvent", "closeCommEvent"]
    assert close_reason(ops[-2:]) == "REJECT"
    dialled = {call["to"] for call in toolbar.sandbox.twilio_state()["calls"]}
    assert not dialled & {PREMIUM_RATE_NUMBER, INTERNATIONAL_NETWORK_NUMBER}, dialled
    wait_call_state(toolbar, "idle")
    assert toolbar.state()["phase"] == "available"  # still available for the next call
