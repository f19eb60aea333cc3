"""Microphone denied: the agent is told what to do, and Fusion that the call failed.

The session's Chromium grants a fake microphone without asking (its fake permission UI
even overrides a permission denied through the DevTools protocol), so this module starts
a second Chromium that denies every permission prompt, as an agent who clicked Block.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser.calls import check_correlated
from tests.browser.calls import click
from tests.browser.calls import click_host
from tests.browser.calls import close_reason
from tests.browser.calls import ring
from tests.browser.calls import wait_call_operations
from tests.browser.calls import wait_call_state
from tests.browser.calls import wait_declined
from tests.browser.calls import wait_offered
from tests.browser.calls import wait_panel
from tests.browser.conftest import Toolbar
from tests.browser.conftest import finish
from tests.browser.conftest import prepare
from tests.live import Browser
from tests.live import chrome_options
from tests.live import count_page_changes

pytestmark = pytest.mark.browser
CALLER = "+15557770001"
NUMBER = "+14155550199"


@pytest.fixture(scope="module")
def denied_chromium() -> Iterator[WebDriver]:
    """A second Chromium whose microphone prompts are denied (no fake permission UI)."""
    options = chrome_options()
    options.arguments.remove("--use-fake-ui-for-media-stream")
    options.add_argument("--deny-permission-prompts")
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    count_page_changes(driver)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def no_microphone(denied_chromium, sandbox, interpreter) -> Iterator[Toolbar]:
    """The toolbar in the Chromium that denies the microphone; checked like ``toolbar``."""
    session = Browser(denied_chromium)
    session.check_logs()
    page = prepare(session, sandbox, interpreter)
    yield page.open()
    finish(page)
    denied_chromium.get("about:blank")
    problems = session.check_logs()
    assert not problems, "\n".join(problems)


def test_microphone_denied_inbound_and_outbound(no_microphone):
    """Answering, then click-to-dial, without a microphone: the agent reads what to do;
    Fusion gets closeCommEvent REJECT, then outboundCommError MICROPHONE."""
    toolbar = no_microphone
    toolbar.browser.allow_console(r"31401|31402|PermissionDenied|NotAllowed|AcquisitionFailed|"
                          r"getUserMedia|Permission denied|"
                          # The SDK hangs up a call it never placed (its TJS id): the
                          # emulator answers 31404, which the SDK logs as 53000.
                          r"ConnectionError \(53000\)")
    toolbar.go_available()
    sid = ring(toolbar, CALLER)
    event_id = wait_offered(toolbar, sid)
    state = wait_call_state(toolbar, "ringing")
    click(toolbar, "#answer")
    state = wait_panel(toolbar, lambda s: "Allow the microphone" in s["status"],
                       "the agent to be told about the microphone")
    assert state["tone"] == "error"
    wait_call_state(toolbar, "idle")
    wait_declined(toolbar, sid, event_id)
    ops = wait_call_operations(toolbar, event_id, ["newCommEvent", "closeCommEvent"])
    check_correlated(toolbar, ops, event_id, "ORA_SVC_INBOUND", CALLER)
    assert close_reason(ops) == "REJECT"

    outgoing_before = toolbar.driver.execute_script("return window.fusionHost.state().outgoing")
    click_host(toolbar, f'[data-dial="{NUMBER}"]')
    outgoing = toolbar.driver.execute_script("return window.fusionHost.state().outgoing")
    uuid = outgoing[len(outgoing_before)]["uuid"]
    ops = wait_call_operations(toolbar, uuid,
                               ["newCommEvent", "outboundCommError", "closeCommEvent"])
    check_correlated(toolbar, ops, uuid, "ORA_SVC_OUTBOUND", NUMBER)
    assert ops[1]["data"]["errorCode"] == "MICROPHONE"
    state = wait_call_state(toolbar, "idle")
    assert "Allow the microphone" in state["status"], state
