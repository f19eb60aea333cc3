"""The Fusion host simulator: what the agent sees at each step of a call, and its options."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

import jwt
import pytest
from fusion_host import TEST_TOOLBAR
from fusion_host import HostPage
from selenium.webdriver.support.ui import Select

from sandbox.signaling.calls import BUSY_NUMBER
from sandbox.signaling.calls import NO_ANSWER_NUMBER

pytestmark = pytest.mark.browser

SERVICE = {"setAppClassification": "ORA_SERVICE"}
INBOUND = {"SVCMCA_ANI": "+14155550101", "SVCMCA_COMMUNICATION_DIRECTION": "ORA_SVC_INBOUND"}


@pytest.fixture
def page(browser, sandbox) -> HostPage:
    """The host page with the test toolbar, initialized and listening to every Fusion event."""
    page = HostPage(browser, sandbox).open()
    page.init()
    for event in ("onToolbarInteractionCommand", "onToolbarAgentCommand"):
        assert page.tb("subscribe", event, {}) == {"ok": True}
    for event in ("onOutgoingEvent", "onDataUpdated"):
        assert page.tb("subscribe", event, {"appClassification": "ORA_SERVICE"}) == {"ok": True}
    return page


def publish(page: HostPage, operation: str, event_id: str, in_data: dict, **setters) -> dict:
    result = page.tb("publish", operation, {**SERVICE, "setEventId": event_id, **setters}, in_data)
    assert result["ok"] and result["success"], result
    return result


def call_status(page: HostPage, event_id: str) -> str:
    return next(call["status"] for call in page.state()["calls"] if call["eventId"] == event_id)


def check_data_updated(page: HostPage, event: dict, update_type: str, event_id: str, out: dict) -> None:
    """``event`` is onDataUpdated as Oracle documents it: UEF's IMcaOnDataUpdatedEventData
    (updateType inside outData only; getEventId(), getOutputData().getUpdateType()), the
    call's system tokens in outData."""
    sent = [entry for entry in page.log() if entry["method"] == "onDataUpdated"][-1]["message"]
    assert event["event"] == "onDataUpdated"
    assert event["data"] == {
        "channel": "PHONE", "channelType": "ORA_SVC_PHONE", "method": "onDataUpdated",
        "toolbarName": "TWILIO_SOFTPHONE", "uuid": sent["uuid"], "eventId": event_id,
        "eventSource": "fusion", "result": "success",
        "outData": {**out, "updateType": update_type},
    }
    assert (event["eventId"], event["updateType"]) == (event_id, update_type)
    assert event["outData"] == {**out, "updateType": update_type}


def test_inbound_call_is_offered_answered_and_wrapped_up(page):
    """Offer dialog, Answer -> accept, screen pop on startCommEvent, Hang up -> disconnect, wrap-up."""
    assert page.state()["toolbar"]["subscriptions"] == {
        "onToolbarInteractionCommand": {"appClassification": None},
        "onToolbarAgentCommand": {"appClassification": None},
        "onOutgoingEvent": {"appClassification": "ORA_SERVICE"},
        "onDataUpdated": {"appClassification": "ORA_SERVICE"},
    }
    start = len(page.log())
    out = publish(page, "newCommEvent", "CA1", INBOUND)["outData"]
    page.wait_visible("#incoming-dialog")
    assert page.element("#incoming-number").text == "+14155550101"
    assert page.element("#incoming-name").text == "Virginia Kohl"

    page.click("#incoming-answer")
    accept = page.wait_events(1)[0]
    assert (accept["command"], accept["eventId"], accept["inData"]) == ("accept", "CA1", out)
    assert page.element("#incoming-status").text == "Answering…"

    publish(page, "startCommEvent", "CA1", out)
    page.wait_visible("#incoming-dialog", False)
    assert page.element("#active-call").is_displayed()
    assert page.element("#active-number").text == "+14155550101"
    assert page.element("#screen-pop [data-field=contact]").text == "Virginia Kohl"
    assert page.element("#screen-pop [data-field=interaction]").text == out["SVCMCA_INTERACTION_ID"]

    page.click("#hang-up")
    assert page.wait_events(2)[1]["command"] == "disconnect"
    publish(page, "closeCommEvent", "CA1", out, setReason="WRAPUP")
    page.wait_visible("#wrapup")
    assert not page.element("#active-call").is_displayed()
    assert page.element("#wrapup-number").text == "+14155550101"

    page.click("#wrapup-close")
    check_data_updated(page, page.wait_events(3)[2], "WRAPUP_CLOSED", "CA1", out)
    assert not page.element("#wrapup").is_displayed()
    assert call_status(page, "CA1") == "closed"
    assert page.methods(start) == [
        "in:newCommEvent", "out:newCommEvent",
        "out:onToolbarInteractionCommand", "in:tbInteractionCommandResponse",
        "in:startCommEvent", "out:startCommEvent",
        "out:onToolbarInteractionCommand", "in:tbInteractionCommandResponse",
        "in:closeCommEvent", "out:closeCommEvent",
        "out:onDataUpdated",
    ]
    assert not [entry for entry in page.log() if entry["error"]]


def test_wrap_up_closed_in_fusion_ends_the_call_for_the_toolbar(page, browser):
    """After #wrapup-close (onDataUpdated WRAPUP_CLOSED) the call is over: a closeCommEvent for
    it is refused by the UEF library, as Fusion has closed it."""
    out = publish(page, "newCommEvent", "CA5", INBOUND)["outData"]
    publish(page, "startCommEvent", "CA5", out)
    publish(page, "closeCommEvent", "CA5", out, setReason="WRAPUP")
    page.wait_visible("#wrapup")
    page.click("#wrapup-close")
    page.wait_events(1)
    browser.allow_console(r"\[UEF stand-in\] unknown-comm-event: ")
    late = page.tb("publish", "closeCommEvent", {**SERVICE, "setEventId": "CA5", "setReason": "ENDCOMMUNICATION"},
                   out)
    assert (late["ok"], late["rule"]) == (False, "unknown-comm-event")
    assert "no answered newCommEvent has eventId CA5" in late["message"]


def test_toolbar_ending_the_wrap_up_closes_the_panel(page):
    """closeCommEvent ENDCOMMUNICATION during wrap-up closes Fusion's wrap-up page; no WRAPUP_CLOSED comes back."""
    start = len(page.log())
    out = publish(page, "newCommEvent", "CA6", INBOUND)["outData"]
    publish(page, "startCommEvent", "CA6", out)
    publish(page, "closeCommEvent", "CA6", out, setReason="WRAPUP")
    page.wait_visible("#wrapup")
    publish(page, "closeCommEvent", "CA6", out, setReason="ENDCOMMUNICATION")
    page.wait_visible("#wrapup", False)
    assert call_status(page, "CA6") == "closed"
    assert "out:onDataUpdated" not in page.methods(start)
    assert page.events() == []


def test_declined_call_closes_the_offer(page):
    """Decline sends reject; closeCommEvent REJECT ends the offer with no wrap-up."""
    out = publish(page, "newCommEvent", "CA2", INBOUND)["outData"]
    page.click("#incoming-decline")
    assert page.wait_events(1)[0]["command"] == "reject"
    publish(page, "closeCommEvent", "CA2", out, setReason="REJECT")
    page.wait_visible("#incoming-dialog", False)
    assert not page.element("#wrapup").is_displayed()
    assert call_status(page, "CA2") == "closed"


@pytest.mark.parametrize("how", ["SVCMCA_OFFER_TIMEOUT_SEC", "#offer-timeout"])
def test_offer_timeout_sends_on_data_updated(page, how):
    """The offer times out (inData's timeout, or the button): onDataUpdated OFFER_TIMEOUT, dialog gone."""
    in_data = {**INBOUND, "SVCMCA_OFFER_TIMEOUT_SEC": "1"} if how.startswith("SVCMCA") else INBOUND
    out = publish(page, "newCommEvent", "CA3", in_data)["outData"]
    if how == "#offer-timeout":
        page.click("#offer-timeout")
    check_data_updated(page, page.wait_events(1)[0], "OFFER_TIMEOUT", "CA3", out)
    page.wait_visible("#incoming-dialog", False)
    assert call_status(page, "CA3") == "timed-out"


def test_click_to_dial_shows_dialing_then_the_call(page):
    """A [data-dial] click sends onOutgoingEvent; newCommEvent with its uuid shows Dialing, then On call."""
    page.click('[data-dial="+14155550102"]')
    outgoing = page.wait_events(1)[0]
    uuid = outgoing["data"]["uuid"]
    assert outgoing["outData"] == {
        "SVCMCA_ANI": "+14155550102", "SVCMCA_DISPLAY_NAME": "Marcus Lee",
        "SVCMCA_COMMUNICATION_DIRECTION": "ORA_SVC_OUTBOUND", "SVCMCA_CONTACT_ID": "300100126721702",
        "SVCMCA_CONTACT_JOB_TITLE": "Purchasing Manager", "SVCMCA_ORG_ID": "300100126720029",
        "SVCMCA_INTERACTION_REF_OBJ_TYPE": "CONTACT", "SVCMCA_INTERACTION_REF_OBJ_ID": "300100126721702",
    }
    assert outgoing["responseDetails"]["uuid"] == uuid
    out = publish(page, "newCommEvent", uuid, outgoing["outData"])["outData"]
    page.wait_visible("#dialing-panel")
    assert page.element("#dialing-number").text == "+14155550102"
    assert not page.element("#incoming-dialog").is_displayed()
    publish(page, "startCommEvent", uuid, out)
    page.wait_visible("#active-call")
    assert page.element("#active-direction").text == "Outbound"
    assert not page.element("#dialing-panel").is_displayed()


def test_outbound_comm_error_is_shown(page):
    """outboundCommError for the clicked invalid number shows the failure to the agent."""
    page.click('[data-dial="555-CALL-NOW"]')
    uuid = page.wait_events(1)[0]["data"]["uuid"]
    result = page.tb("publish", "outboundCommError", {"setCommUuid": uuid, "setErrorCode": "INVALID_NUMBER",
                                                      "setErrorMsg": "not a phone number"})
    assert result["success"] is True
    page.wait_visible("#call-notice")
    assert page.element("#call-notice").text == (
        "Call to 555-CALL-NOW failed: INVALID_NUMBER (not a phone number)")
    assert page.state()["outgoing"][0]["status"] == "failed"


def test_dial_list_has_the_special_numbers(page):
    """The click-to-dial list shows the sandbox's busy, no-answer and invalid numbers."""
    numbers = [element.get_attribute("data-dial")
               for element in page.driver.find_elements("css selector", "[data-dial]")]
    assert {BUSY_NUMBER, NO_ANSWER_NUMBER, "555-CALL-NOW"} <= set(numbers)


def test_agent_commands_show_the_toolbar_result(page):
    """Each agent command button sends onToolbarAgentCommand and shows the toolbar's answer."""
    buttons = {"#make-available": "makeAvailable", "#make-unavailable": "makeUnavailable",
               "#get-agent-state": "getCurrentAgentState", "#get-engagements": "getActiveEngagements"}
    for count, (button, command) in enumerate(buttons.items(), start=1):
        page.click(button)
        assert page.wait_events(count)[-1]["command"] == command
        page.wait_attribute("#agent-command-result", "data-result", "success")
        assert page.attribute("#agent-command-result", "data-command") == command
    assert [c["command"] for c in page.state()["commands"]] == list(buttons.values())


def test_toolbar_frame_gets_fusion_parameters(browser, sandbox):
    """The frame has allow=microphone, oraParentFrame, oraTbName and the passed-on interpreter and lang."""
    page = HostPage(browser, sandbox).open(interpreter="micropython", lang="ja")
    frame = page.element("#toolbar-frame")
    assert frame.get_attribute("allow") == "microphone"
    url = urlsplit(frame.get_attribute("src"))
    assert f"{url.scheme}://{url.netloc}{url.path}" == sandbox.toolbar_origin + TEST_TOOLBAR
    assert parse_qs(url.query) == {"oraParentFrame": [sandbox.fusion_origin],
                                   "oraTbName": ["TWILIO_SOFTPHONE"], "interpreter": ["micropython"],
                                   "lang": ["ja"]}


def test_toolbar_frame_gets_no_options_it_was_not_given(browser, sandbox):
    """Without ?interpreter= or ?lang= on the host URL, the toolbar URL has only Fusion's parameters."""
    page = HostPage(browser, sandbox).open()
    url = urlsplit(page.attribute("#toolbar-frame", "src"))
    assert set(parse_qs(url.query)) == {"oraParentFrame", "oraTbName"}


@pytest.mark.parametrize("toolbar", ["//evil.example/toolbar/", "http://127.0.0.1:1/toolbar/",
                                     "sandbox/test-pages/uef-toolbar.html"])
def test_toolbar_option_takes_only_a_path(browser, sandbox, toolbar):
    """?toolbar= refuses anything but a path on the toolbar origin, and embeds nothing."""
    browser.allow_console(r"\?toolbar= takes a path on the toolbar origin")
    page = HostPage(browser, sandbox).open(toolbar=toolbar)
    assert "?toolbar= takes a path" in page.element("#toolbar-error").text
    assert page.driver.find_elements("css selector", "#toolbar-frame") == []


def test_agent_picker_reloads_the_toolbar_with_a_new_token(page, sandbox):
    """Choosing another agent reloads the toolbar; getConfiguration then names the new agent."""
    publish_state = {"setEventId": "1", "setIsAvailable": True, "setIsLoggedIn": True,
                     "setStateDisplayString": "Idle"}
    page.tb("publish", "agentStateEventOperation", publish_state)
    assert page.attribute("#phone-icon", "data-state") == "available"
    old_frame = page.element("#toolbar-frame")
    Select(page.element("#agent-picker")).select_by_value("carol_agent")
    page.browser.wait(lambda d: page.element("#toolbar-frame") != old_frame, what="a new toolbar frame")
    assert page.attribute("#phone-icon", "data-state") == "disabled"
    page.init()
    config = page.tb("publish", "getConfigurationOperation", {})["configuration"]
    assert config["agentId"] == "carol_agent"
    assert jwt.decode(config["faTrustToken"], options={"verify_signature": False})["sub"] == "carol_agent"
    assert "agent=carol_agent" in page.driver.current_url
