"""Not-ready reasons, after-call work and the toolbar in Japanese, on both interpreters.

Each test reads three views: the toolbar's DOM, what the host (Fusion) was told
(``fusionHost.state().agent``, ``#phone-state-label``, the command answers) and the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.calls import click
from tests.browser.calls import click_host
from tests.browser.calls import conference
from tests.browser.calls import emulator_call
from tests.browser.calls import far_end_hangs_up
from tests.browser.calls import offer
from tests.browser.calls import ring
from tests.browser.calls import wait_call_state
from tests.browser.calls import wait_emulator
from tests.browser.conftest import Toolbar
from tests.browser.conftest import finish
from tests.browser.conftest import prepare
from tests.live import open_window
from tests.live import wait_until

pytestmark = pytest.mark.browser
OTHER_AGENT = "bob_agent"

_TEXTS = """
const text = (id) => document.getElementById(id).textContent;
return {
  lang: document.documentElement.lang, title: document.title,
  reason: document.getElementById('toolbar').dataset.reason,
  options: [...document.querySelectorAll('#reason option')].map((o) => [o.value, o.textContent]),
  wrapupShown: !document.getElementById('wrapup-panel').hidden,
  wrapupLeft: text('wrapup-left'), done: text('wrapup-done'), call: text('dial-button'),
  answer: text('answer'), hangup: text('hangup'),
};
"""


def _texts(toolbar: Toolbar) -> dict[str, Any]:
    return toolbar._in_frame(lambda: toolbar.driver.execute_script(_TEXTS))


def _choose(toolbar: Toolbar, code: str) -> None:
    toolbar._in_frame(lambda: Select(
        toolbar.driver.find_element(By.ID, "reason")).select_by_value(code))


def _told(toolbar: Toolbar) -> dict[str, Any]:
    """What the last agentStateEventOperation told the host."""
    return toolbar.driver.execute_script("return window.fusionHost.state().agent")


def _wait_told(toolbar: Toolbar, **fields: Any) -> dict[str, Any]:
    return wait_until(lambda: (told := _told(toolbar)) and all(
        told.get(key) == value for key, value in fields.items()) and told,
        what=f"the host to be told {fields}", changes=toolbar.host_changes)


def _phone_label(toolbar: Toolbar) -> tuple[str, str]:
    label = toolbar.driver.find_element(By.ID, "phone-state-label")
    return (label.find_element(By.CSS_SELECTOR, '[data-field="state"]').text,
            label.find_element(By.CSS_SELECTOR, '[data-field="reason"]').text)


def _command(toolbar: Toolbar, button: str, command: str) -> dict[str, Any]:
    """Click the host's ``button``; return the answer of its (latest) ``command``."""
    before = len(toolbar.commands())
    toolbar.host_button(button)
    return wait_until(lambda: next((c for c in toolbar.commands()[before:]
                                    if c["command"] == command and c["status"] == "answered"),
                                   None), what=f"{command} answered", changes=toolbar.host_changes)


def test_reasons_lunch_told_answered_and_cleared(toolbar):
    """Lunch while available: unavailable, Fusion told the reason and its words;
    getCurrentAgentState answers them; makeAvailable clears the reason."""
    assert _texts(toolbar)["options"] == [["", "No reason"], ["BREAK", "Break"],
                                          ["LUNCH", "Lunch"], ["MEETING", "Meeting"],
                                          ["TRAINING", "Training"]]
    toolbar.go_available()
    _choose(toolbar, "LUNCH")
    state = toolbar.wait_unavailable()
    assert state["status"] == "You are unavailable: Lunch."
    told = _wait_told(toolbar, reason="LUNCH")
    assert {key: told[key] for key in ("isLoggedIn", "isAvailable", "state",
                                       "stateDisplayString", "reasonDisplayString")} == {
        "isLoggedIn": True, "isAvailable": False, "state": "UNAVAILABLE",
        "stateDisplayString": "Unavailable. Lunch", "reasonDisplayString": "Lunch"}
    assert _phone_label(toolbar) == ("Unavailable. Lunch", "Lunch")
    assert _texts(toolbar)["reason"] == "LUNCH"
    answer = _command(toolbar, "get-agent-state", "getCurrentAgentState")["outData"]
    assert {key: answer[key] for key in ("state", "stateCd", "reason", "reasonCd",
                                         "stateDisplayString", "reasonDisplayString",
                                         "isAvailable")} == {
        "state": "UNAVAILABLE", "stateCd": "UNAVAILABLE", "reason": "LUNCH", "reasonCd": "LUNCH",
        "stateDisplayString": "Unavailable. Lunch", "reasonDisplayString": "Lunch",
        "isAvailable": False}
    _choose(toolbar, "TRAINING")  # another reason while unavailable
    _wait_told(toolbar, reason="TRAINING", stateDisplayString="Unavailable. Training")
    toolbar.host_button("make-available")
    toolbar.wait_available()
    _wait_told(toolbar, isAvailable=True, reason=None, stateDisplayString="Available")
    assert _texts(toolbar)["reason"] == ""
    answer = _command(toolbar, "get-agent-state", "getCurrentAgentState")["outData"]
    assert answer["reason"] is None and answer["state"] == "AVAILABLE"


def test_toolbar_in_japanese(browser, sandbox, interpreter):
    """?lang=ja: the page, its buttons and status, and what Fusion is told are Japanese."""
    page = prepare(browser, sandbox, interpreter).open(lang="ja")
    try:
        state = page.state()
        assert state["label"] == "使用不可" and state["status"] == "使用不可です。", state
        texts = _texts(page)
        assert texts["lang"] == "ja" and texts["title"].startswith("Twilio電話")
        assert (texts["call"], texts["answer"], texts["hangup"], texts["done"]) == (
            "発信", "応答", "切断", "完了")
        assert texts["options"][2] == ["LUNCH", "昼食"]
        _wait_told(page, isAvailable=False, stateDisplayString="使用不可")
        page.click_toggle()
        page.wait(lambda s: s["label"] == "使用可能" and s["status"] == "使用可能です。電話を受けられます。",
                  "the toolbar to say 使用可能")
        _wait_told(page, isAvailable=True, stateDisplayString="使用可能")
        _choose(page, "LUNCH")
        _wait_told(page, reason="LUNCH", stateDisplayString="使用不可。昼食",
                   reasonDisplayString="昼食")
        assert _phone_label(page) == ("使用不可。昼食", "昼食")
    finally:
        finish(page)


def _call_and_hang_up(toolbar: Toolbar) -> str:
    """A caller rings; the agent answers and hangs up; return the call's eventId."""
    sid = ring(toolbar)
    state = wait_call_state(toolbar, "ringing")
    assert state["answer"], state
    click(toolbar, "#answer")
    wait_call_state(toolbar, "active")
    event_id = wait_until(lambda: next(
        (call["eventId"] for call in toolbar.driver.execute_script(
            "return window.fusionHost.state().calls") if call["status"] == "connected"), None),
        what="the host's connected call", changes=toolbar.host_changes)
    click(toolbar, "#hangup")
    wait_call_state(toolbar, "idle")
    wait_emulator(toolbar, sid, "completed")
    return event_id


def _in_wrapup(toolbar: Toolbar) -> dict[str, Any]:
    """The agent is in wrap-up: the toolbar says so and counts down; Fusion is told."""
    toolbar.wait(lambda s: s["phase"] == "wrap-up", "the wrap-up")
    toolbar.wait_phone("unavailable")
    _wait_told(toolbar, isAvailable=False, reason="WRAPUP", stateDisplayString="Wrap-up")
    texts = _texts(toolbar)
    assert texts["wrapupShown"] and texts["wrapupLeft"].endswith(" s left"), texts
    return texts


def _back_available(toolbar: Toolbar) -> None:
    toolbar.wait(lambda s: s["phase"] == "available", "the end of the wrap-up")
    assert not _texts(toolbar)["wrapupShown"]
    toolbar.wait_phone("available")
    _wait_told(toolbar, isAvailable=True, reason=None)


def _other_agent_available(toolbar: Toolbar) -> str:
    """Another agent goes available in a second host page; return its window."""
    first = toolbar.driver.current_window_handle
    open_window(toolbar.driver)
    other = Toolbar(toolbar.browser, toolbar.sandbox, toolbar.interpreter)
    other.open(agent=OTHER_AGENT)
    other.click_toggle()
    other.wait(lambda s: s["phase"] == "available", "the other agent to be available")
    wait_until(lambda: toolbar.sandbox.twilio_state()["identities"].get(
        OTHER_AGENT, {}).get("registered"), what="the other agent registered",
        changes=toolbar.sandbox.changes)
    window = toolbar.driver.current_window_handle
    toolbar.driver.switch_to.window(first)
    return window


def test_wrapup_declines_and_ends_three_ways(toolbar):
    """After a call: wrap-up declines a second call (another agent's phone rings), ends on
    Fusion's WRAPUP_CLOSED, on #wrapup-done, and leaves an agent who chose Lunch unavailable."""
    toolbar.go_available()
    _call_and_hang_up(toolbar)
    _in_wrapup(toolbar)
    other = _other_agent_available(toolbar)
    try:
        sid = ring(toolbar)
        toolbar.wait(lambda s: s["status"].startswith("Declined a call from"), "the decline")
        # In the caller's conference this agent's invitation has ended; the other's rings.
        wait_until(lambda: (room := conference(toolbar, sid)) and offer(room) is None
                   and (other_offer := offer(room, OTHER_AGENT))
                   and emulator_call(toolbar, other_offer["call_sid"])["status"] == "ringing",
                   what="this agent's invitation declined, the other agent's ringing",
                   changes=toolbar.sandbox.changes)
        assert toolbar.state()["phase"] == "wrap-up"
        far_end_hangs_up(toolbar, sid)
    finally:
        toolbar.driver.switch_to.window(other)
        toolbar.driver.close()
        toolbar.driver.switch_to.window(toolbar.driver.window_handles[0])
    click_host(toolbar, "#wrapup-close")  # Fusion's wrap-up closed: WRAPUP_CLOSED
    _back_available(toolbar)
    _call_and_hang_up(toolbar)
    _in_wrapup(toolbar)
    click(toolbar, "#wrapup-done")
    _back_available(toolbar)
    _call_and_hang_up(toolbar)
    _in_wrapup(toolbar)
    _choose(toolbar, "LUNCH")  # during wrap-up: Fusion still sees wrap-up
    toolbar.wait_registered(False)
    assert _told(toolbar)["reason"] == "WRAPUP" and toolbar.state()["phase"] == "wrap-up"
    click_host(toolbar, "#wrapup-close")
    _wait_told(toolbar, isAvailable=False, reason="LUNCH")
    state = toolbar.wait(lambda s: s["phase"] == "unavailable", "unavailable for Lunch")
    assert state["label"] == "Unavailable" and _texts(toolbar)["reason"] == "LUNCH"


def _told_history(toolbar: Toolbar) -> list[tuple[bool, str | None]]:
    """``(isAvailable, reason)`` of every agent state the host received, oldest first."""
    return [(record["message"]["data"]["isAvailable"], record["message"]["data"].get("reasonCd"))
            for record in toolbar.driver.execute_script("return window.fusionHost.messages()")
            if record["direction"] == "in" and record["method"] == "agentStateEvent"]


def test_wrapup_ends_on_its_timeout(browser, sandbox, interpreter):
    """A short wrapupSeconds (config.js): the countdown runs out and the agent is available,
    Fusion told wrap-up and then available."""
    page = prepare(browser, sandbox, interpreter).open(config={"wrapupSeconds": 2})
    try:
        page.go_available()
        _call_and_hang_up(page)
        _back_available(page)
        assert _told_history(page)[-2:] == [(False, "WRAPUP"), (True, None)]
        assert "Wrap-up: finish your notes. Calls wait until you are done." in (
            page.state()["statusLog"])
    finally:
        finish(page)


def test_bad_reasons_are_a_configuration_error(browser, sandbox, interpreter):
    """A bad TOOLBAR_CONFIG.reasons stops start-up with the configuration failure in
    #status, in the agent's language, naming the key."""
    browser.allow_console(r"TOOLBAR_CONFIG: TOOLBAR_CONFIG\.reasons")
    page = prepare(browser, sandbox, interpreter).open(
        ready=False, lang="ja", config={"reasons": [{"code": "NO WAY"}]})
    try:
        state = page.wait(lambda s: s["failure"] == "configuration", "the configuration error")
        assert state["status"].startswith("ツールバーの構成が正しくありません。"), state
        assert "TOOLBAR_CONFIG.reasons[0].code must be" in state["status"]
        assert state["tone"] == "error" and not state["ready"]
    finally:
        finish(page)
