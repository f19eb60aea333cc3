"""Drive the real toolbar (client/) embedded in the Fusion host simulator, in Chromium.

The ``toolbar`` fixture opens the host page (``/?interpreter=...``), which embeds
``<toolbar origin>/toolbar/`` cross-origin under netlify.toml's headers, for each
interpreter in turn; the tests then click in the toolbar frame, command it from the host,
break the emulator, and read the outcome from three places: the toolbar's DOM, the host
(``#phone-icon``, ``window.fusionHost``) and the emulator's control API.

On top of the ``browser`` fixture's checks (no SEVERE console entry, nothing off
loopback), every test fails on a ``.py-error`` in the toolbar frame and on any UEF rule the
toolbar broke (the stand-in reports them to the host). This folder is a package so that
this conftest does not shadow ``tests/conftest.py`` for ``from conftest import ...``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions

from tests.live import TIMEOUT
from tests.live import LiveSandbox
from tests.live import PageChanges
from tests.live import holds_for
from tests.live import wait_until

AGENT = "alice_agent"
from sandbox.config import INTERPRETERS

TWILIO_API = "/sandbox/api/twilio"

# Read the toolbar's state in one round trip (inside the frame).
_TOOLBAR_STATE = """
const toggle = document.getElementById('availability-toggle');
const status = document.getElementById('status');
const root = document.getElementById('toolbar');
return {
  ready: document.body.dataset.ready === 'true',
  label: document.getElementById('availability-label').textContent,
  pressed: toggle.getAttribute('aria-pressed'),
  disabled: toggle.getAttribute('aria-disabled'),
  status: status.textContent, tone: status.dataset.tone, failure: status.dataset.failure,
  phase: root.dataset.phase, agent: document.getElementById('agent-id').textContent,
  python: root.dataset.python,
  pyErrors: [...document.querySelectorAll('.py-error')].map((element) => element.textContent),
  statusLog: window.statusLog ?? [],
};
"""
# Record every #status line the agent is shown (some last only a moment).
_WATCH_STATUS = """
const status = document.getElementById('status');
window.statusLog = [status.textContent];
new MutationObserver(() => window.statusLog.push(status.textContent))
  .observe(status, {childList: true, characterData: true, subtree: true});
"""

# Runs first in every frame: in the toolbar's, config.js's TOOLBAR_CONFIG gets the test's keys
# as it is assigned (the sandbox's own overrides, which follow, still apply).
_SET_CONFIG = """
if (location.pathname.startsWith('/toolbar/')) {
  let config;
  Object.defineProperty(window, 'TOOLBAR_CONFIG', {
    configurable: true, get: () => config, set: (value) => { config = Object.assign(value, %s); },
  });
}
"""

# Whether the toggle keeps keyboard focus while it is disabled (busy) and after.
_WATCH_FOCUS = """
const toggle = document.getElementById('availability-toggle');
window.focusLog = [];
new MutationObserver(() => window.focusLog.push({
  disabled: toggle.getAttribute('aria-disabled'), focused: document.activeElement === toggle,
})).observe(toggle, {attributes: true, attributeFilter: ['aria-disabled']});
"""


class Toolbar:
    """The host page and its toolbar frame, for one interpreter."""

    def __init__(self, browser, sandbox: LiveSandbox, interpreter: str) -> None:
        self.browser = browser
        self.driver = browser.driver
        self.sandbox = sandbox
        self.interpreter = interpreter
        # Host log errors a test expects (e.g. a command the toolbar rightly refused).
        self.allowed_host_errors: list[str] = []
        self.config_script: str | None = None  # set_config's, while one is installed

    # ---- Opening ----

    def open(self, *, ready: bool = True, config: dict[str, Any] | None = None,
             **options: str) -> Toolbar:
        """Load the host page with the toolbar for this interpreter; wait for it to be ready.

        ``config`` changes TOOLBAR_CONFIG's keys (e.g. a short ``wrapupSeconds``), as an
        administrator edits config.js: set on config.js's own object as it is assigned.
        """
        self.set_config(config or {})
        query = {"interpreter": self.interpreter, "agent": AGENT, **options}
        self.driver.get(self.sandbox.url("/?" + urlencode(query)))
        host = self.browser.wait(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"),
            what="the host page to start")
        assert host == "true", "the host page could not start"
        self.browser.wait(expected_conditions.frame_to_be_available_and_switch_to_it(
            (By.ID, "toolbar-frame")), what="the toolbar frame")
        self.browser.wait(lambda d: d.execute_script(
            "return Boolean(document.getElementById('status'))"), what="the toolbar page")
        self.driver.execute_script(_WATCH_STATUS)
        self.driver.switch_to.default_content()
        if ready:
            self.wait_ready()
        return self

    def set_config(self, config: dict[str, Any]) -> None:
        """From the next page load on, the toolbar's TOOLBAR_CONFIG has ``config``'s keys."""
        if self.config_script is not None:
            self.driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument",
                                        {"identifier": self.config_script})
            self.config_script = None
        if config:
            self.config_script = self.driver.execute_cdp_cmd(
                "Page.addScriptToEvaluateOnNewDocument",
                {"source": _SET_CONFIG % json.dumps(config)})["identifier"]

    def wait_ready(self) -> dict[str, Any]:
        return self.wait(lambda state: state["ready"], "the toolbar to be ready")

    # ---- The toolbar frame ----

    def state(self) -> dict[str, Any]:
        """The toolbar's DOM contract, read inside its frame."""
        return self._in_frame(lambda: self.driver.execute_script(_TOOLBAR_STATE))

    def wait(self, condition, what: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Wait until ``condition(state)`` holds for the toolbar's state; return that state."""
        def check():
            state = self.state()
            assert not state["pyErrors"], state["pyErrors"]
            return state if condition(state) else None
        return wait_until(check, timeout, what, changes=self.frame_changes)

    def click_toggle(self) -> None:
        self._in_frame(lambda: self.driver.find_element(By.ID, "availability-toggle").click())

    def burst_clicks(self, count: int) -> None:
        """Click the toggle ``count`` times within one task, faster than any transition."""
        self._in_frame(lambda: self.driver.execute_script(
            "const toggle = document.getElementById('availability-toggle');"
            "for (let i = 0; i < arguments[0]; i++) toggle.click();", count))

    def watch_toggle_focus(self) -> None:
        """Record, at each change of the toggle's aria-disabled, whether it had focus."""
        self._in_frame(lambda: self.driver.execute_script(_WATCH_FOCUS))

    def toggle_focus_log(self) -> list[dict[str, Any]]:
        """``[{"disabled": "true"|"false", "focused": bool}, ...]`` since watch_toggle_focus."""
        return self._in_frame(lambda: self.driver.execute_script("return window.focusLog"))

    def press_toggle_key(self, key: str) -> None:
        """Focus the toggle by keyboard-like means and press ``key`` on it."""
        def press():
            toggle = self.driver.find_element(By.ID, "availability-toggle")
            self.driver.execute_script("arguments[0].focus()", toggle)
            toggle.send_keys(key)
        self._in_frame(press)

    @property
    def frame_changes(self) -> PageChanges:
        """Changes in the toolbar's document."""
        return PageChanges(self.driver, self._in_frame)

    @property
    def host_changes(self) -> PageChanges:
        """Changes in the host's document (every UEF message it gets shows in its log)."""
        return PageChanges(self.driver)

    def _in_frame(self, action):
        self.driver.switch_to.frame(self.driver.find_element(By.ID, "toolbar-frame"))
        try:
            return action()
        finally:
            self.driver.switch_to.default_content()

    # ---- The host ----

    def phone(self) -> str:
        return self.driver.find_element(By.ID, "phone-icon").get_attribute("data-state")

    def wait_phone(self, state: str, timeout: float = TIMEOUT) -> None:
        wait_until(lambda: self.phone() == state, timeout, f"the phone icon to be {state}",
                   changes=self.host_changes)

    def host_button(self, element_id: str) -> None:
        self.driver.find_element(By.ID, element_id).click()

    def agent_states(self) -> list[dict[str, Any]]:
        """The agentStateEvent messages the host received, oldest first, with their time."""
        records = self.driver.execute_script("return window.fusionHost.messages()")
        return [
            {"available": record["message"]["data"]["isAvailable"],
             "at": datetime.fromisoformat(record["time"]).timestamp()}
            for record in records
            if record["direction"] == "in" and record["method"] == "agentStateEvent"
        ]

    def availability_published(self) -> list[bool]:
        return [state["available"] for state in self.agent_states()]

    def commands(self) -> list[dict[str, Any]]:
        return self.driver.execute_script("return window.fusionHost.state().commands")

    def host_errors(self) -> list[str]:
        return [record["error"] for record in
                self.driver.execute_script("return window.fusionHost.errors()")]

    def set_host_paused(self, paused: bool) -> None:
        self.driver.execute_script("window.fusionHost.setPaused(arguments[0])", paused)

    # ---- The emulator ----

    def registration(self) -> dict[str, Any]:
        """This agent's entry in the emulator: registered, connections."""
        entry = self.sandbox.twilio_state()["identities"].get(AGENT)
        return entry or {"registered": False, "connections": []}

    def wait_registered(self, registered: bool, timeout: float = TIMEOUT) -> None:
        wait_until(lambda: self.registration()["registered"] is registered, timeout,
                   f"the emulator to show {AGENT} {'registered' if registered else 'unregistered'}",
                   changes=self.sandbox.changes)

    def fault(self, name: str) -> None:
        self.sandbox.api("POST", TWILIO_API + "/faults", json={"fault": name}).raise_for_status()

    def clear_faults(self) -> None:
        self.sandbox.api("DELETE", TWILIO_API + "/faults").raise_for_status()

    # ---- Composite steps and checks ----

    def go_available(self) -> None:
        """Click the toggle and wait until the agent is available everywhere."""
        self.click_toggle()
        self.wait_available()

    def wait_available(self) -> None:
        self.wait(lambda s: s["label"] == "Available", "the toolbar to say Available")
        self.wait_phone("available")
        self.wait_registered(True)
        state = self.state()
        assert state["pressed"] == "true" and state["tone"] == "ok", state

    def wait_unavailable(self) -> dict[str, Any]:
        state = self.wait(lambda s: s["phase"] == "unavailable", "the toolbar to be unavailable")
        assert state["label"] == "Unavailable" and state["pressed"] == "false", state
        self.wait_phone("unavailable")
        self.wait_registered(False)
        return state

    def stays_unregistered(self, seconds: float) -> None:
        """Observe for ``seconds`` that nothing registers the agent again (a negative check)."""

        def still_unregistered() -> None:
            assert not self.registration()["registered"], "the agent registered again"
            assert self.phone() != "available", "Fusion shows the agent available again"

        holds_for(still_unregistered, seconds, changes=self.sandbox.changes)

    def assert_available_only_while_registered(self) -> None:
        """Every AVAILABLE the host received came after the emulator registered the agent.

        The emulator logs each ``ready`` (registration accepted) it sends; an AVAILABLE
        published before any ``ready`` reached this agent's connection would be a lie.
        """
        log = self.sandbox.twilio_state()["messages"]["sent"]
        agent_connections = {entry["connection"] for entry in log if entry["type"] == "connected"
                             and entry["payload"].get("token", {}).get("identity") == AGENT}
        readies = sorted(entry["at"] for entry in log
                         if entry["type"] == "ready" and entry["connection"] in agent_connections)
        published = [state["at"] for state in self.agent_states() if state["available"]]
        for index, at in enumerate(published):
            earlier = [ready for ready in readies if ready <= at]
            assert len(earlier) > index, (
                f"AVAILABLE #{index + 1} at {at} before registration number {index + 1}: "
                f"{readies}")

    def check_clean(self) -> None:
        """No .py-error in the toolbar and no UEF rule broken."""
        assert not self.state()["pyErrors"]
        assert [error for error in self.host_errors()
                if not any(allowed in error for allowed in self.allowed_host_errors)] == []


class Network:
    """Network faults for the toolbar's requests, through the DevTools protocol.

    The toolbar frame shares the page's renderer (tests/conftest.py disables site
    isolation), so page-level Network commands reach its requests.
    """

    def __init__(self, driver) -> None:
        self.driver = driver
        driver.execute_cdp_cmd("Network.enable", {})

    def block(self, *patterns: str) -> None:
        """Fail requests matching ``patterns`` as if the server were unreachable."""
        self.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": list(patterns)})

    def set_header(self, name: str, value: str) -> None:
        """Send ``name: value`` on every request, replacing the page's own."""
        self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {name: value}})

    def reset(self) -> None:
        self.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})


@pytest.fixture
def network(browser) -> Iterator[Network]:
    faults = Network(browser.driver)
    yield faults
    faults.reset()
    browser.driver.execute_cdp_cmd("Network.disable", {})


@pytest.fixture(params=INTERPRETERS)
def interpreter(request) -> str:
    return request.param


@pytest.fixture
def toolbar(browser, sandbox, interpreter) -> Iterator[Toolbar]:
    """The host page with the ready toolbar, on a sandbox with no fault and no registration."""
    page = prepare(browser, sandbox, interpreter)
    yield page.open()
    finish(page)


def prepare(browser, sandbox, interpreter) -> Toolbar:
    page = Toolbar(browser, sandbox, interpreter)
    page.clear_faults()
    # The previous test's page was closed; wait for the emulator to notice its sockets.
    wait_until(lambda: not page.registration()["connections"], what="no leftover connection",
               changes=sandbox.changes)
    return page


def finish(page: Toolbar) -> None:
    try:
        if page.driver.find_elements(By.ID, "toolbar-frame"):
            page.check_clean()
    finally:
        page.set_config({})
        page.clear_faults()
