"""Inbound calls, driven from the toolbar and from Fusion, on both interpreters.

Each test checks three views: the UEF operations the host received (one eventId, the
agent's CallSid; inData = newCommEvent's outData; the close reason), the emulator's calls and
the caller's conference (the caller waits in a conference of its own; the agent's call is an
invitation into it), and the toolbar's call panel.
"""

from __future__ import annotations

import pytest

from tests.browser.calls import CALLER
from tests.browser.calls import check_correlated
from tests.browser.calls import click
from tests.browser.calls import click_host
from tests.browser.calls import close_reason
from tests.browser.calls import emulator_call
from tests.browser.calls import far_end_hangs_up
from tests.browser.calls import operations
from tests.browser.calls import panel
from tests.browser.calls import ring
from tests.browser.calls import wait_call_operations
from tests.browser.calls import wait_call_state
from tests.browser.calls import wait_declined
from tests.browser.calls import wait_emulator
from tests.browser.calls import wait_host_visible
from tests.browser.calls import wait_offered
from tests.browser.calls import wait_operations
from tests.browser.calls import wait_panel
from tests.browser.calls import wait_talking
from tests.live import wait_until

pytestmark = pytest.mark.browser
INBOUND = "ORA_SVC_INBOUND"
CONTACT = "+14155550101"  # Virginia Kohl in the host's directory


def _ringing(toolbar, caller: str = CALLER) -> tuple[str, str]:
    """Ring the agent; return (the call's sid, the eventId the toolbar gave Fusion)."""
    before = len(operations(toolbar))
    sid = ring(toolbar, caller)
    new = wait_until(lambda: [op for op in operations(toolbar)[before:]
                              if op["method"] == "newCommEvent" and op["answered"]],
                     what="newCommEvent for the call", changes=toolbar.host_changes)
    event_id = new[0]["data"]["eventId"]
    state = wait_call_state(toolbar, "ringing")
    assert state["caller"] == caller and state["answer"] and state["decline"], state
    assert state["direction"] == "inbound" and not state["canDial"]
    wait_host_visible(toolbar, "incoming-dialog")
    # The eventId is the CallSid of the agent's invitation into the caller's conference.
    assert wait_offered(toolbar, sid) == event_id
    return sid, event_id


def _unavailable_refused(toolbar, event_id: str) -> None:
    """During a call the agent cannot go unavailable, from the toolbar or from Fusion."""
    toolbar.click_toggle()
    state = toolbar.wait(lambda s: s["status"].startswith("Finish your call"), "the refusal")
    assert state["label"] == "Available" and state["pressed"] == "true", state
    toolbar.allowed_host_errors.append("answered makeUnavailable with failure")
    toolbar.host_button("make-unavailable")
    command = wait_until(lambda: next((c for c in toolbar.commands()
                                       if c["command"] == "makeUnavailable"
                                       and c["status"] == "answered"), None),
                         what="makeUnavailable answered", changes=toolbar.host_changes)
    assert command["result"] == "failure", command
    assert command["resultDisplayString"].startswith("Finish your call"), command
    assert toolbar.phone() == "available" and toolbar.registration()["registered"]
    toolbar.host_button("get-engagements")
    command = wait_until(lambda: next((c for c in toolbar.commands()
                                       if c["command"] == "getActiveEngagements"
                                       and c["status"] == "answered"), None),
                         what="getActiveEngagements answered", changes=toolbar.host_changes)
    assert command["outData"] == {"activeCount": 1, "engagements": [{"eventId": event_id}]}


def test_inbound_accept_in_toolbar_then_agent_hangs_up(toolbar):
    """Answer in the toolbar → startCommEvent; Hang up → WRAPUP; the emulator agrees."""
    toolbar.go_available()
    sid, event_id = _ringing(toolbar)
    click(toolbar, "#answer")
    state = wait_call_state(toolbar, "active")
    assert state["hangup"] and state["mute"] == "false" and state["keypad"], state
    wait_operations(toolbar, ["newCommEvent", "startCommEvent"])
    wait_talking(toolbar, sid, event_id)
    wait_host_visible(toolbar, "screen-pop")
    _unavailable_refused(toolbar, event_id)
    click(toolbar, "#hangup")
    ops = wait_operations(toolbar, ["newCommEvent", "startCommEvent", "closeCommEvent"])
    check_correlated(toolbar, ops, event_id, INBOUND, CALLER)
    assert close_reason(ops) == "WRAPUP"
    call = wait_emulator(toolbar, sid, "completed")
    # The agent hung up first: the caller, left alone, is hung up on and hears nothing.
    assert call["said"] == [] and wait_emulator(toolbar, event_id, "completed")
    wait_call_state(toolbar, "idle")
    wait_host_visible(toolbar, "wrapup")
    # The call is over (the agent closes Fusion's wrap-up): the refusal's warning gives way
    # to the agent's state.
    click_host(toolbar, "#wrapup-close")
    toolbar.wait(lambda s: s["status"] == "You are available for calls.", "the warning to go")


def test_inbound_accept_in_fusion_then_far_end_hangs_up(toolbar):
    """Fusion's Answer → accept resolves success once connected; caller hangs up → WRAPUP."""
    toolbar.go_available()
    sid, event_id = _ringing(toolbar, CONTACT)
    # Fusion's reverse lookup (newCommEvent's outData) names the caller in the toolbar.
    wait_panel(toolbar, lambda s: s["name"] == "Virginia Kohl", "the contact's name")
    click_host(toolbar, "#incoming-answer")
    wait_call_state(toolbar, "active")
    wait_operations(toolbar, ["newCommEvent", "startCommEvent"])
    command = next(c for c in toolbar.commands() if c["command"] == "accept")
    assert command["result"] == "success" and command["eventId"] == event_id
    # The SDK reports the call accepted before its answer reaches Twilio; the caller hangs
    # up on a call Twilio has connected (earlier it is an abandoned call, rightly).
    wait_talking(toolbar, sid, event_id)
    far_end_hangs_up(toolbar, sid)
    ops = wait_operations(toolbar, ["newCommEvent", "startCommEvent", "closeCommEvent"])
    check_correlated(toolbar, ops, event_id, INBOUND, CONTACT)
    assert close_reason(ops) == "WRAPUP"
    assert wait_emulator(toolbar, sid, "completed")
    wait_emulator(toolbar, event_id, "completed")
    wait_call_state(toolbar, "idle")


def _ended(toolbar, event_id: str, reason: str) -> None:
    ops = wait_call_operations(toolbar, event_id, ["newCommEvent", "closeCommEvent"])
    check_correlated(toolbar, ops, event_id, INBOUND, CALLER)
    assert close_reason(ops) == reason
    wait_call_state(toolbar, "idle")
    wait_host_visible(toolbar, "incoming-dialog", False)


def test_inbound_declined_abandoned_timed_out(toolbar):
    """Four calls not taken: Decline in the toolbar and in Fusion (REJECT), the caller gives
    up (ABANDONED), Fusion's offer times out (MISSED, and the call stops ringing)."""
    toolbar.go_available()
    sid, event_id = _ringing(toolbar)
    click(toolbar, "#decline")
    _ended(toolbar, event_id, "REJECT")
    wait_declined(toolbar, sid, event_id)

    sid, event_id = _ringing(toolbar)
    click_host(toolbar, "#incoming-decline")
    _ended(toolbar, event_id, "REJECT")
    wait_declined(toolbar, sid, event_id)
    command = [c for c in toolbar.commands() if c["command"] == "reject"][-1]
    assert command["result"] == "success" and command["eventId"] == event_id

    sid, event_id = _ringing(toolbar)
    far_end_hangs_up(toolbar, sid)
    _ended(toolbar, event_id, "ABANDONED")
    # Twilio answered the caller into its conference: its call completes; the invitation
    # stops ringing.
    wait_emulator(toolbar, sid, "completed")
    wait_emulator(toolbar, event_id, "canceled")

    sid, event_id = _ringing(toolbar)
    click_host(toolbar, "#offer-timeout")
    _ended(toolbar, event_id, "MISSED")
    wait_declined(toolbar, sid, event_id)  # it stopped ringing
    toolbar.check_clean()


def test_inbound_second_call_while_busy(toolbar):
    """On a call, a second caller is declined at once; Fusion gets newCommEvent + MISSED for
    it; nothing is left ringing; the first call goes on."""
    toolbar.go_available()
    sid, event_id = _ringing(toolbar)
    click(toolbar, "#answer")
    wait_call_state(toolbar, "active")
    wait_call_operations(toolbar, event_id, ["newCommEvent", "startCommEvent"])
    second = ring(toolbar, "+15557770002")
    second_ops = wait_until(lambda: [op for op in operations(toolbar)
                                     if op["data"].get("eventId") not in (event_id, None)],
                            what="the second call's newCommEvent", changes=toolbar.host_changes)
    second_id = second_ops[0]["data"]["eventId"]
    ops = wait_call_operations(toolbar, second_id, ["newCommEvent", "closeCommEvent"])
    check_correlated(toolbar, ops, second_id, INBOUND, "+15557770002")
    assert close_reason(ops) == "MISSED"
    wait_declined(toolbar, second, second_id)
    state = panel(toolbar)
    assert state["state"] == "active" and state["caller"] == CALLER, state
    assert "Declined a call from +15557770002" in state["status"]
    assert emulator_call(toolbar, sid)["status"] == "in-progress"
    click(toolbar, "#hangup")
    wait_call_operations(toolbar, event_id, ["newCommEvent", "startCommEvent", "closeCommEvent"])
    wait_emulator(toolbar, sid, "completed")
