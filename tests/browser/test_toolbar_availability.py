"""Going available and unavailable, from the toolbar and from Fusion, on both interpreters."""

from __future__ import annotations

import pytest

from tests.live import wait_until

pytestmark = pytest.mark.browser


def test_toolbar_starts_unavailable(toolbar, interpreter):
    """Ready means: logged in but unavailable in Fusion, the agent shown, nothing registered."""
    state = toolbar.state()
    assert state["python"] == {"pyodide": "cpython", "micropython": "micropython"}[interpreter]
    assert state["label"] == "Unavailable" and state["pressed"] == "false"
    assert state["disabled"] == "false" and state["agent"] == "alice_agent"
    assert toolbar.phone() == "unavailable"
    assert toolbar.availability_published() == [False]
    assert not toolbar.registration()["registered"]


def test_toolbar_toggle_available_and_back(toolbar):
    """Click: registered, then AVAILABLE in Fusion. Click again: unregistered, UNAVAILABLE."""
    toolbar.go_available()
    assert toolbar.availability_published() == [False, True]
    toolbar.click_toggle()
    toolbar.wait_unavailable()
    assert toolbar.availability_published() == [False, True, False]
    # Destroyed, not merely unregistered: no socket is left that could re-register.
    wait_until(lambda: not toolbar.registration()["connections"], what="the Device's socket closed",
               changes=toolbar.sandbox.changes)
    toolbar.assert_available_only_while_registered()


def test_toolbar_keyboard(toolbar):
    """The toggle is a button: Space and Enter work, and it keeps focus while busy."""
    toolbar.watch_toggle_focus()
    toolbar.press_toggle_key(" ")
    toolbar.wait_available()
    toolbar.press_toggle_key("\n")
    toolbar.wait_unavailable()
    log = toolbar.toggle_focus_log()
    assert [entry["disabled"] for entry in log] == ["true", "false", "true", "false"]
    assert all(entry["focused"] for entry in log), log


def test_toolbar_rapid_clicks_make_one_device(toolbar):
    """Clicks during the transition are ignored: one Device, one registration, no lie."""
    toolbar.burst_clicks(5)
    toolbar.wait_available()
    assert len(toolbar.registration()["connections"]) == 1
    assert toolbar.availability_published() == [False, True]
    toolbar.burst_clicks(4)
    toolbar.wait_unavailable()
    assert toolbar.availability_published() == [False, True, False]


def test_toolbar_fusion_commands(toolbar):
    """Fusion's makeAvailable/makeUnavailable do what the toggle does; queries are answered."""
    toolbar.host_button("make-available")
    toolbar.wait_available()
    toolbar.host_button("get-agent-state")
    toolbar.host_button("get-engagements")
    wait_until(lambda: all(c["status"] == "answered" for c in toolbar.commands())
               and len(toolbar.commands()) == 3, what="the toolbar to answer three commands",
               changes=toolbar.host_changes)
    toolbar.host_button("make-unavailable")
    toolbar.wait_unavailable()
    commands = {command["command"]: command for command in toolbar.commands()}
    assert {name: c["result"] for name, c in commands.items()} == {
        "makeAvailable": "success", "getCurrentAgentState": "success",
        "getActiveEngagements": "success", "makeUnavailable": "success"}
    state = commands["getCurrentAgentState"]["outData"]
    assert state["isAvailable"] is True and state["state"] == "AVAILABLE"
    assert commands["getActiveEngagements"]["outData"] == {"activeCount": 0, "engagements": []}
    assert toolbar.availability_published() == [False, True, False]
    toolbar.assert_available_only_while_registered()
