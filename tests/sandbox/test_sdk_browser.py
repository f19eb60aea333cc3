"""The real Twilio Voice SDK 2.18.5 in headless Chromium against the live sandbox.

The page (tests/pages/sdk.html) is loaded from the toolbar's origin so that it gets
/toolbar/config.js, whose WebSocket rewrite sends the SDK to the emulator. Its tokens
come from the real token service. The ``browser`` fixture fails any test whose page
requested anything off loopback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from sandbox.signaling.calls import BUSY_NUMBER
from tests.live import CLOCK
from tests.live import LiveSandbox
from tests.live import PageChanges
from tests.live import run_sandbox
from tests.live import wait_until

pytestmark = pytest.mark.browser

PAGE = "/sandbox/test-pages/sdk.html"
API = "/sandbox/api/twilio"
AGENT = "alice_agent"
CALLER = "+15557770001"


class SdkPage:
    """The SDK test page and the sandbox behind it."""

    def __init__(self, browser, sandbox: LiveSandbox) -> None:
        self.browser = browser
        self.sandbox = sandbox

    def open(self, agent: str = AGENT) -> SdkPage:
        """Load the page and build a Device with a fresh token for ``agent``."""
        self.window = self.browser.driver.current_window_handle
        self.browser.driver.get(self.sandbox.toolbar_origin + PAGE)
        self.browser.wait(lambda driver: driver.execute_script(
            "return Boolean(window.harness && window.Twilio)"), what="the SDK page")
        self.token = self.js("return harness.setup(arguments[0])", agent)
        return self

    def js(self, script: str, *args: Any) -> Any:
        # Several agents' pages may share the browser, one window each.
        return self._in_window(lambda: self.browser.driver.execute_script(script, *args))

    def events(self) -> list[dict[str, Any]]:
        return self.js("return harness.events")

    def wait_for(self, name: str, count: int = 1) -> dict[str, Any]:
        """Wait until ``name`` has happened ``count`` times; return the last one."""
        def seen() -> list[dict[str, Any]]:
            matches = [event for event in self.events() if event["name"] == name]
            return matches[count - 1:]
        return wait_until(seen, what=f"{name} x{count}", changes=self.changes)[-1]

    @property
    def changes(self) -> PageChanges:
        """Changes in this page (each SDK event it records is one)."""
        return PageChanges(self.browser.driver, self._in_window)

    def _in_window(self, read: Callable[[], Any]) -> Any:
        self.browser.driver.switch_to.window(self.window)
        return read()

    def register(self) -> None:
        self.js("harness.register()")
        self.wait_for("device:registered")

    def registration(self) -> dict[str, Any] | None:
        return self.sandbox.twilio_state()["identities"].get(AGENT)

    def call(self, sid: str) -> dict[str, Any]:
        response = self.sandbox.api("GET", f"{API}/calls/{sid}")
        response.raise_for_status()
        return response.json()

    def wait_for_status(self, sid: str, status: str) -> dict[str, Any]:
        return wait_until(lambda: (call := self.call(sid))["status"] == status and call,
                          what=f"call {sid} to be {status}", changes=self.sandbox.changes)


@pytest.fixture
def page(browser, sandbox) -> SdkPage:
    return SdkPage(browser, sandbox).open()


def test_register_then_unregister(page):
    """register() gets registered and the API shows the agent; unregister() unregisters."""
    page.register()
    entry = page.registration()
    assert entry["registered"] is True and len(entry["connections"]) == 1
    page.js("harness.unregister()")
    page.wait_for("unregister:resolved")
    assert page.js("return harness.state()")["device"] == "unregistered"
    assert page.registration()["registered"] is False


def test_update_token_listens_again_and_stays_registered(page):
    """updateToken() re-sends listen on the same socket; connected comes back, still registered."""
    page.register()
    (conn,) = page.registration()["connections"]

    def connected_count() -> int:
        sent = page.sandbox.twilio_state()["messages"]["sent"]
        return sum(1 for m in sent if m["connection"] == conn and m["type"] == "connected")

    assert connected_count() == 1
    page.js("harness.device.updateToken(harness.token)")
    wait_until(lambda: connected_count() == 2, what="a second connected",
               changes=page.sandbox.changes)
    assert page.js("return harness.state()")["device"] == "registered"
    assert page.registration() == {"registered": True, "connections": [conn]}


def test_revoked_key_gives_access_token_invalid(page, browser):
    """With reject_tokens on, register() fails with 20101 and the device stays unregistered."""
    browser.allow_console(r"AccessTokenInvalid \(20101\)")
    assert page.sandbox.api("POST", f"{API}/faults", json={"fault": "reject_tokens"}).ok
    try:
        page.js("harness.register()")
        page.wait_for("register:rejected")
    finally:
        page.sandbox.api("DELETE", f"{API}/faults")
    assert [event["code"] for event in page.events() if event["name"] == "device:error"] == [20101]
    assert page.js("return harness.state()")["device"] == "unregistered"
    assert page.registration() is None


def test_expired_token_gives_access_token_expired(browser):
    """A token past its TTL fails register() with 20104 and leaves the device unregistered."""
    browser.allow_console(r"AccessTokenExpired \(20104\)")
    with run_sandbox("--token-ttl", "1") as live:
        page = SdkPage(browser, live).open()
        expiry = jwt.decode(page.token, options={"verify_signature": False})["exp"]
        wait_until(lambda: time.time() > expiry, what="the token to expire", changes=CLOCK)
        page.js("harness.register()")
        page.wait_for("register:rejected")
        assert [e["code"] for e in page.events() if e["name"] == "device:error"] == [20104]
        assert page.js("return harness.state()")["device"] == "unregistered"
        assert live.twilio_state()["identities"] == {}


def test_dropped_connection_reconnects_and_reregisters(page, browser):
    """After drop_connections the SDK reconnects by itself and registers again."""
    # A cut line: the socket closes without a close frame (1006), which the SDK reports.
    browser.allow_console(r"websocket close event code: 1006|ConnectionError \(31005\)")
    page.register()
    (before,) = page.registration()["connections"]
    assert page.sandbox.api("POST", f"{API}/faults", json={"fault": "drop_connections"}).ok
    page.wait_for("device:unregistered")
    page.wait_for("device:registered", count=2)
    after = wait_until(lambda: (entry := page.registration()) and entry["registered"] and entry,
                       what="the agent registered again", changes=page.sandbox.changes)
    assert after["connections"] != [before]


def test_incoming_call_rings_is_accepted_and_the_caller_hangs_up(page):
    """An injected call reaches the agent with From, as an invitation into the caller's own
    conference; accepted, then ended by the caller."""
    page.register()
    response = page.sandbox.api("POST", f"{API}/calls", json={"from": CALLER})
    assert response.status_code == 201
    sid = response.json()["sid"]
    incoming = page.wait_for("device:incoming")
    assert incoming["from"] == CALLER
    assert incoming["to"] == f"client:{AGENT}"
    page.js("harness.call.accept()")
    page.wait_for("call:accept")
    page.wait_for_status(sid, "in-progress")
    assert page.call(sid)["webhook"]["status"] == 200  # the service checked the signature
    page.wait_for_status(incoming["callSid"], "in-progress")
    (room,) = [room for room in page.sandbox.twilio_state()["conferences"]
               if room["friendly_name"] == sid]
    assert {p["label"]: p["call_sid"] for p in room["participants"]} == {
        "customer": sid, f"offer:{AGENT}": incoming["callSid"]}
    assert page.sandbox.api("POST", f"{API}/calls/{sid}/hangup").ok
    page.wait_for("call:disconnect")
    assert page.call(sid)["status"] == "completed"


def test_outgoing_call_is_signed_answered_takes_digits_and_the_agent_hangs_up(page):
    """connect({To}) posts a validly signed /voice, is accepted as it joins its conference, is
    told the number answered; dtmf; agent hangs up."""
    page.js("return harness.connect({To: arguments[0]})", "+15551234567")
    page.wait_for("call:accept")
    assert page.wait_for("call:messageReceived")["content"] == '{"customer": "answered"}'

    client_sid = page.js("return harness.call.outboundConnectionId")
    call = page.call(client_sid)
    # The token service answers 403 to a bad X-Twilio-Signature: 200 means it held.
    assert call["webhook"]["status"] == 200
    assert call["webhook"]["params"]["To"] == "+15551234567"
    assert call["webhook"]["params"]["From"] == f"client:{AGENT}"
    assert call["status"] == "in-progress"
    assert page.js("return harness.call.parameters.CallSid") == call["sid"]
    # No ICE, so no RTCDTMFSender that can insert: the SDK falls back to a PStream dtmf message.
    page.js("harness.call.sendDigits('123#')")
    wait_until(lambda: page.call(call["sid"])["dtmf"] == ["123#"], what="the digits",
               changes=page.sandbox.changes)
    page.js("harness.call.disconnect()")
    page.wait_for("call:disconnect")
    page.wait_for_status(call["sid"], "completed")


def test_outgoing_call_to_the_busy_number_fails(page, browser):
    """Calling the busy number: the SDK is told busy (a User Defined Message), then the
    conference ends and the agent's call with it; the number's call is busy."""
    page.js("return harness.connect({To: arguments[0]})", BUSY_NUMBER)
    assert page.wait_for("call:messageReceived")["content"] == '{"customer": "busy"}'
    page.wait_for("call:disconnect")
    calls = [c for c in page.sandbox.twilio_state()["calls"]
             if c["direction"] == "outbound-api" and c["to"] == BUSY_NUMBER]
    assert calls[-1]["status"] == "busy"
