"""Failures the agent must hear about, and Fusion never told AVAILABLE without a Device.

Faults come from the emulator's control API (rejected tokens, dropped connections, silent
heartbeats), from the DevTools protocol (token service unreachable or refusing) and from
the host simulator (Fusion not answering).
"""

from __future__ import annotations

import pytest

from tests.live import scaled
from tests.live import wait_until

pytestmark = pytest.mark.browser

RECONNECTING = "Connection to Twilio lost. Reconnecting…"


def _no_connection(toolbar) -> None:
    wait_until(lambda: not toolbar.registration()["connections"],
               what="no connection left for the agent", changes=toolbar.sandbox.changes)


def test_toolbar_token_service_refuses(toolbar, network, browser):
    """A 401 from the token service: the agent reads why; no Device; trying again works."""
    browser.allow_console(r"/api/token .*status of 401")
    network.set_header("Authorization", "Bearer not.a.jwt")
    toolbar.click_toggle()
    state = toolbar.wait(lambda s: s["failure"] == "token-refused", "the refusal to show")
    assert "did not accept your Fusion sign-in" in state["status"] and "HTTP 401" in state["status"]
    assert state["label"] == "Unavailable" and state["pressed"] == "false"
    assert state["disabled"] == "false" and state["tone"] == "error"
    assert toolbar.phone() == "unavailable" and not toolbar.registration()["connections"]
    network.reset()
    toolbar.go_available()
    assert toolbar.availability_published() == [False, True]


def test_toolbar_token_service_down(toolbar, network):
    """The token service unreachable: the agent reads why, and nothing changed in Fusion."""
    network.block("*/api/token*")
    toolbar.click_toggle()
    state = toolbar.wait(lambda s: s["failure"] == "token-service-down", "the outage to show")
    assert "cannot be reached" in state["status"]
    assert state["label"] == "Unavailable" and toolbar.phone() == "unavailable"
    assert not toolbar.registration()["connections"]
    network.reset()
    toolbar.go_available()
    assert toolbar.availability_published() == [False, True]


def test_toolbar_twilio_refuses_the_token(toolbar, browser):
    """Twilio rejects the Access Token (reject_tokens): unavailable, told why, Device gone."""
    browser.allow_console(r"AccessTokenInvalid|20101|31204")
    toolbar.fault("reject_tokens")
    toolbar.click_toggle()
    state = toolbar.wait(lambda s: s["failure"] == "twilio-refused" and s["phase"] == "unavailable",
                         "Twilio's refusal to show")
    assert "Twilio refused" in state["status"] and "20101" in state["status"]
    assert state["label"] == "Unavailable" and state["pressed"] == "false"
    _no_connection(toolbar)
    assert toolbar.phone() == "unavailable"
    assert toolbar.availability_published() == [False]
    toolbar.clear_faults()
    toolbar.go_available()
    toolbar.assert_available_only_while_registered()


def test_toolbar_signaling_dropped_and_restored(toolbar, browser):
    """Connection lost: Fusion hears UNAVAILABLE at once, AVAILABLE again once re-registered."""
    browser.allow_console(r"WSTransport|ConnectionError|31005|31000")
    toolbar.go_available()
    toolbar.fault("drop_connections")
    wait_until(lambda: toolbar.availability_published() == [False, True, False, True],
               what="UNAVAILABLE then AVAILABLE in Fusion", changes=toolbar.host_changes)
    toolbar.wait_available()
    log = toolbar.state()["statusLog"]
    assert any(line.startswith(RECONNECTING) for line in log), log
    assert log[-1] == "Connection restored. You are available for calls."
    toolbar.assert_available_only_while_registered()


def test_toolbar_heartbeat_paused(toolbar, browser):
    """A silent server: after the SDK's 15 s heartbeat timeout, Fusion hears UNAVAILABLE."""
    browser.allow_console(r"WSTransport|ConnectionError|31005|31000|heartbeat")
    toolbar.go_available()
    toolbar.fault("pause_heartbeats")
    wait_until(lambda: toolbar.availability_published()[2:3] == [False], timeout=scaled(40),
               what="UNAVAILABLE in Fusion after the heartbeat timeout",
               changes=toolbar.host_changes)
    log = toolbar.state()["statusLog"]
    assert any(line.startswith(RECONNECTING) for line in log), log
    toolbar.clear_faults()
    toolbar.wait_available()
    assert toolbar.availability_published()[-1] is True
    toolbar.assert_available_only_while_registered()


def test_toolbar_unavailable_survives_a_dropped_connection(toolbar, browser):
    """Once unavailable, no reconnection makes the agent available again, nor re-registers."""
    browser.allow_console(r"WSTransport|ConnectionError|31005|31000")
    toolbar.go_available()
    toolbar.click_toggle()
    toolbar.wait_unavailable()
    _no_connection(toolbar)  # destroyed: nothing left that could reconnect
    toolbar.fault("drop_connections")
    toolbar.stays_unregistered(1.5)
    # Going unavailable while the SDK is reconnecting after a drop.
    toolbar.go_available()
    toolbar.fault("drop_connections")
    toolbar.click_toggle()
    toolbar.wait_unavailable()
    _no_connection(toolbar)
    toolbar.stays_unregistered(1.5)
    published = toolbar.availability_published()
    assert published[-1] is False and toolbar.state()["label"] == "Unavailable"
    toolbar.assert_available_only_while_registered()


def test_toolbar_fusion_not_answering_at_start(browser, sandbox, interpreter):
    """UEF never answers getConfiguration: after uefTimeoutMs the agent reads why."""
    from tests.browser.conftest import finish
    from tests.browser.conftest import prepare

    page = prepare(browser, sandbox, interpreter).open(ready=False, unresponsive="1")
    try:
        state = page.wait(lambda s: s["failure"] == "uef-timeout", "the UEF timeout to show")
        assert "Fusion is not answering" in state["status"]
        assert "getConfigurationOperation" in state["status"]
        assert not state["ready"] and state["disabled"] == "true" and state["phase"] == "error"
        assert page.phone() == "disabled"
    finally:
        finish(page)


def test_toolbar_fusion_stops_answering(toolbar):
    """Fusion does not confirm AVAILABLE: the agent is told, the Device goes, retry works."""
    toolbar.set_host_paused(True)
    toolbar.click_toggle()
    toolbar.wait_registered(True)  # Twilio is fine; Fusion is the one not answering
    state = toolbar.wait(lambda s: s["failure"] == "uef-timeout" and s["phase"] == "unavailable",
                         "the UEF timeout to show")
    assert "agentStateEventOperation" in state["status"]
    assert state["label"] == "Unavailable" and state["pressed"] == "false"
    toolbar.wait_registered(False)
    toolbar.set_host_paused(False)
    toolbar.go_available()
    toolbar.assert_available_only_while_registered()


def test_toolbar_unknown_interpreter_is_reported(browser, sandbox):
    """A mistyped interpreter in config.js shows in #status instead of a blank toolbar."""
    from tests.browser.conftest import finish
    from tests.browser.conftest import prepare

    browser.allow_console(r'unknown interpreter "brython"')
    page = prepare(browser, sandbox, "brython").open(ready=False)
    try:
        state = page.wait(lambda s: s["tone"] == "error", "the boot failure to show")
        assert 'unknown interpreter "brython" in config.js' in state["status"]
        assert not state["ready"] and state["python"] is None
    finally:
        finish(page)
