"""The UEF stand-in against the host simulator: its API, its strictness, its wire."""

from __future__ import annotations

import jwt
import pytest
from fusion_host import TEST_TOOLBAR
from fusion_host import HostPage

from sandbox.agents import AUDIENCE

pytestmark = pytest.mark.browser

AVAILABLE = {"setEventId": "1", "setIsAvailable": True, "setIsLoggedIn": True, "setState": "AVAILABLE",
             "setStateDisplayString": "Idle", "setReasonDisplayString": "Idle"}
INBOUND = {"SVCMCA_ANI": "+14155550101", "SVCMCA_COMMUNICATION_DIRECTION": "ORA_SVC_INBOUND"}


@pytest.fixture
def page(browser, sandbox) -> HostPage:
    """The host page with the test toolbar, initialized."""
    page = HostPage(browser, sandbox).open()
    page.init()
    return page


def offer(page: HostPage, event_id: str, in_data: dict = INBOUND) -> dict:
    result = page.tb("publish", "newCommEvent",
                     {"setAppClassification": "ORA_SERVICE", "setEventId": event_id}, in_data)
    assert result["ok"] and result["success"], result
    return result["outData"]


def test_initialize_gives_the_toolbar_name_and_frame_origin(page, sandbox):
    """initialize() -> MCA -> PHONE context knows Fusion's oraTbName and oraParentFrame."""
    assert page.tb("init") == {"ok": True, "toolbarName": "TWILIO_SOFTPHONE",
                               "frameOrigin": sandbox.fusion_origin}


def test_get_configuration_returns_the_agent_and_a_verifiable_jwt(page, sandbox):
    """getConfigurationOperation answers agentId and an faTrustToken the sandbox's JWKS verifies."""
    result = page.tb("publish", "getConfigurationOperation", {"setConfigType": "TOOLBAR"})
    assert result["success"] is True and result["error"] is None
    config = result["configuration"]
    assert config["agentId"] == "alice_agent"
    keys = sandbox.api("GET", "/sandbox/jwks.json").json()
    key = jwt.PyJWKSet.from_dict(keys).keys[0].key
    claims = jwt.decode(config["faTrustToken"], key, algorithms=["RS256"], audience=AUDIENCE)
    assert claims["sub"] == "alice_agent"
    assert result["responseDetails"]["data"]["payload"]["configuration"] == config
    log = page.log()
    assert [f"{e['direction']}:{e['method']}" for e in log] == ["in:getConfiguration", "out:getConfiguration"]
    assert log[0]["message"]["data"] == {"channel": "PHONE", "channelType": "ORA_SVC_PHONE",
                                         "configType": "TOOLBAR"}
    assert log[1]["message"]["uuid"] == log[0]["message"]["uuid"]
    assert log[1]["message"]["result"] == "success"


def test_agent_state_event_drives_the_phone_icon(page):
    """agentStateEventOperation turns the phone icon from disabled to unavailable to available."""
    assert page.attribute("#phone-icon", "data-state") == "disabled"
    unavailable = {**AVAILABLE, "setIsAvailable": False, "setState": "UNAVAILABLE",
                   "setStateDisplayString": "On Break", "setReasonDisplayString": "On Break"}
    assert page.tb("publish", "agentStateEventOperation", unavailable)["success"] is True
    assert page.attribute("#phone-icon", "data-state") == "unavailable"
    assert page.tb("publish", "agentStateEventOperation", AVAILABLE)["success"] is True
    assert page.attribute("#phone-icon", "data-state") == "available"
    assert page.element("#phone-state").text == "Available"
    assert page.methods() == ["in:agentStateEvent", "out:agentStateEvent"] * 2
    assert page.log()[2]["message"]["data"] == {
        "channel": "PHONE", "channelType": "ORA_SVC_PHONE", "eventId": "1", "isAvailable": True,
        "isLoggedIn": True, "stateCd": "AVAILABLE", "stateDisplayString": "Idle",
        "reasonDisplayString": "Idle",
    }
    agent = page.state()["agent"]
    assert (agent["isLoggedIn"], agent["isAvailable"], agent["state"]) == (True, True, "AVAILABLE")


LUNCH = {"setEventId": "2", "setIsAvailable": False, "setIsLoggedIn": True, "setState": "UNAVAILABLE",
         "setReason": "LUNCH", "setStateDisplayString": "On Break. Lunch", "setReasonDisplayString": "Lunch"}


def phone_label(page: HostPage) -> tuple[str, str | None]:
    """What #phone-state-label shows: the state string, and the reason string (None: hidden)."""
    label = page.element("#phone-state-label")
    assert label.is_displayed()
    reason = page.element('#phone-state-label [data-field="reason"]')
    return (page.element('#phone-state-label [data-field="state"]').text,
            reason.text if reason.is_displayed() else None)


def test_agent_state_with_a_reason_is_shown_next_to_the_phone_icon(page):
    """A not-ready reason reaches Fusion whole: the wire carries it, #phone-state-label shows the
    display strings verbatim (in the toolbar's language), fusionHost.state() has every field."""
    assert not page.element("#phone-state-label").is_displayed()
    assert page.tb("publish", "agentStateEventOperation", LUNCH)["success"] is True
    assert page.attribute("#phone-icon", "data-state") == "unavailable"
    assert phone_label(page) == ("On Break. Lunch", "Lunch")
    assert page.log()[0]["message"]["data"] == {
        "channel": "PHONE", "channelType": "ORA_SVC_PHONE", "eventId": "2", "isAvailable": False,
        "isLoggedIn": True, "stateCd": "UNAVAILABLE", "reasonCd": "LUNCH",
        "stateDisplayString": "On Break. Lunch", "reasonDisplayString": "Lunch",
    }
    agent = page.state()["agent"]
    assert {key: agent[key] for key in ("isLoggedIn", "isAvailable", "state", "stateDisplayString",
                                         "reason", "reasonDisplayString")} == {
        "isLoggedIn": True, "isAvailable": False, "state": "UNAVAILABLE",
        "stateDisplayString": "On Break. Lunch", "reason": "LUNCH", "reasonDisplayString": "Lunch"}

    japanese = {**LUNCH, "setStateDisplayString": "休憩中。昼食", "setReasonDisplayString": "昼食"}
    assert page.tb("publish", "agentStateEventOperation", japanese)["success"] is True
    assert phone_label(page) == ("休憩中。昼食", "昼食")

    available = {"setEventId": "3", "setIsAvailable": True, "setIsLoggedIn": True, "setState": "AVAILABLE",
                 "setStateDisplayString": "使用可能"}
    assert page.tb("publish", "agentStateEventOperation", available)["success"] is True
    assert phone_label(page) == ("使用可能", None)
    agent = page.state()["agent"]
    assert (agent["isAvailable"], agent["state"], agent["reason"], agent["reasonDisplayString"]) == (
        True, "AVAILABLE", None, None)


def test_new_comm_event_answers_fusion_like_out_data(page):
    """newCommEvent's outData has the reverse lookup, an interaction id and the eventId."""
    out = offer(page, "CA1")
    assert out["SVCMCA_CONTACT_NAME"] == "Virginia Kohl"
    assert out["SVCMCA_CONTACT_ID"] == "300100126721684"
    assert out["SVCMCA_ANI"] == "+14155550101"
    assert out["SVCMCA_INTERACTION_ID"].isdigit()
    assert (out["eventId"], out["channel"], out["channelType"]) == ("CA1", "PHONE", "ORA_SVC_PHONE")
    assert page.host("operations()")[0]["data"]["inData"] == INBOUND


def comm(page, operation, event_id, in_data=None, **setters):
    return page.tb("publish", operation, {"setAppClassification": "ORA_SERVICE", "setEventId": event_id,
                                          **setters}, in_data)


def in_data_as_a_map(page):
    return page.in_toolbar("""(() => {
        const request = tb.provider.requestHelper.createPublishRequest('newCommEvent');
        request.setAppClassification('ORA_SERVICE');
        request.setEventId('CA3');
        request.setInputData(new Map([['SVCMCA_ANI', '+14155550101']]));
        return tb.phone.publish(request).then(() => ({ok: true}),
                                              (e) => ({ok: false, rule: e.rule, message: e.message}));
    })()""")


def after_dispose(page):
    return page.in_toolbar("(() => { tb.provider.dispose(); return tb.publish('getConfigurationOperation'); })()")


def offered(page):
    offer(page, "CA2")


# (rule, setup, act, expected message): each act breaks one rule, after setup (if any).
STRICTNESS = [
    ("unknown-operation", None, lambda page: page.tb("publish", "agentStateEvent", AVAILABLE),
     "'agentStateEvent' is no UEF operation (did you mean 'agentStateEventOperation'?)"),
    ("unknown-event", None, lambda page: page.tb("subscribe", "onIncomingCall", {}),
     "'onIncomingCall' is no UEF event"),
    ("missing-field", None,
     lambda page: page.tb("publish", "agentStateEventOperation",
                          {k: v for k, v in AVAILABLE.items() if k != "setIsLoggedIn"}),
     "agentStateEventOperation: isLoggedIn is required"),
    ("missing-field", None, lambda page: page.tb("publish", "newCommEvent", {"setEventId": "CA4"}, INBOUND),
     "newCommEvent: appClassification is required"),
    ("missing-field", None, lambda page: comm(page, "newCommEvent", "CA4", {"SVCMCA_ANI": "+14155550101"}),
     "newCommEvent: inData.SVCMCA_COMMUNICATION_DIRECTION is required"),
    ("invalid-field", None,
     lambda page: page.tb("publish", "agentStateEventOperation", {**AVAILABLE, "setIsAvailable": "true"}),
     'isAvailable must be a boolean, got string "true"'),
    ("invalid-field", None,
     lambda page: page.tb("publish", "agentStateEventOperation", {**AVAILABLE, "setIsLoggedIn": 1}),
     "setIsLoggedIn(): isLoggedIn must be a boolean, got number 1"),
    ("invalid-field", None,
     lambda page: page.tb("publish", "agentStateEventOperation", {**LUNCH, "setReason": 7}),
     "setReason(): reasonCd must be a string, got number 7"),
    ("invalid-field", None,
     lambda page: page.tb("publish", "agentStateEventOperation", {**LUNCH, "setState": False}),
     "setState(): stateCd must be a string, got boolean false"),
    ("invalid-field", None,
     lambda page: page.tb("publish", "agentStateEventOperation", {**LUNCH, "setReasonDisplayString": ["Lunch"]}),
     "setReasonDisplayString(): reasonDisplayString must be a string, got an Array"),
    ("invalid-field", None,
     lambda page: page.tb("publish", "agentStateEventOperation", {**LUNCH, "setStateDisplayString": {"en": "x"}}),
     "setStateDisplayString(): stateDisplayString must be a string, got an Object"),
    ("missing-field", None,
     lambda page: page.tb("publish", "agentStateEventOperation",
                          {k: v for k, v in LUNCH.items() if k != "setStateDisplayString"}),
     "agentStateEventOperation: stateDisplayString is required"),
    ("invalid-field", None, in_data_as_a_map, "inData must be a plain object, got a Map"),
    ("invalid-field", offered, lambda page: comm(page, "closeCommEvent", "CA2", {}, setReason="HANGUP"),
     "reason must be one of ABANDONED, CANCELED, ENDCOMMUNICATION, MISSED, REJECT, TIMEOUT, WRAPUP"),
    ("missing-app-classification", None, lambda page: page.tb("subscribe", "onOutgoingEvent", {}),
     "onOutgoingEvent: App Classification missing in payload"),
    ("missing-app-classification", None, lambda page: page.tb("subscribe", "onDataUpdated", {}),
     "onDataUpdated: App Classification missing in payload"),
    ("unknown-comm-event", None, lambda page: comm(page, "closeCommEvent", "nope", {}, setReason="WRAPUP"),
     "no answered newCommEvent has eventId nope"),
    ("outdata-mismatch", offered,
     lambda page: comm(page, "startCommEvent", "CA2", {"SVCMCA_ANI": "+14155550101"}),
     "inData must carry the outData of newCommEvent CA2; missing or changed: "),
    ("outdata-mismatch", offered,
     lambda page: comm(page, "closeCommEvent", "CA2", {**INBOUND, "eventId": "other"}, setReason="REJECT"),
     "missing or changed: "),
    ("duplicate-event-id", offered, lambda page: comm(page, "newCommEvent", "CA2", INBOUND),
     "eventId CA2 is already an open call"),
    ("unknown-comm-uuid", None,
     lambda page: page.tb("publish", "outboundCommError",
                          {"setCommUuid": "made-up", "setErrorCode": "INVALID_NUMBER"}),
     "commUuid made-up is not the uuid of an onOutgoingEvent"),
    ("disposed", None, after_dispose, "publish() after provider.dispose()"),
]


@pytest.mark.parametrize(("rule", "setup", "act", "message"), STRICTNESS,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(STRICTNESS)])
def test_strictness_refuses_with_a_clear_error(page, browser, rule, setup, act, message):
    """A broken UEF rule fails in the toolbar, in the console and in the host's log, and sends nothing."""
    browser.allow_console(rf"\[UEF stand-in\] {rule}: ")
    if setup:
        setup(page)
    before = page.methods()
    result = act(page)
    assert result["ok"] is False and result["rule"] == rule
    assert message in result["message"]
    entry = page.wait_log(len(before) + 1)[-1]
    assert (entry["direction"], entry["method"]) == ("in", "sandboxError")
    assert message in entry["error"] and entry["message"]["data"]["rule"] == rule
    assert page.methods() == [*before, "in:sandboxError"]
    assert rule in [logged["message"]["data"]["rule"] for logged in page.host("errors()")]


def test_initialize_outside_fusion_is_refused(browser, sandbox):
    """Opened on its own (no oraParentFrame, no parent frame), initialize() rejects with not-embedded."""
    browser.allow_console(r"\[UEF stand-in\] not-embedded: ")
    browser.driver.get(f"{sandbox.toolbar_origin}{TEST_TOOLBAR}?uefBase={sandbox.fusion_origin}")
    result = browser.driver.execute_async_script("tb.init().then(arguments[0]);")
    assert (result["ok"], result["rule"]) == (False, "not-embedded")
    assert "oraParentFrame and oraTbName" in result["message"]


def test_subscribe_once_gets_one_event(page):
    """subscribeOnce answers the first command only; the next one finds no subscriber."""
    page.tb("subscribe", "onToolbarAgentCommand", {"once": True})
    page.click("#make-available")
    page.wait_attribute("#agent-command-result", "data-result", "success")
    page.click("#make-unavailable")
    # A later subscriber's answer to a later command: any answer to the second came before it.
    page.tb("subscribe", "onToolbarAgentCommand", {})
    page.click("#get-agent-state")
    page.wait_attribute("#agent-command-result", "data-result", "success")
    assert [c["status"] for c in page.state()["commands"]] == ["answered", "pending", "answered"]
    assert [event["command"] for event in page.events()] == ["makeAvailable", "getCurrentAgentState"]


@pytest.mark.parametrize("answer", ["success", "raw"])
def test_controllable_promise_result_reaches_the_host(page, answer):
    """The result a command callback resolves (setResult, or Oracle-sample responseDetails) reaches the host."""
    out = {"isAvailable": True, "isLoggedIn": True, "state": "AVAILABLE"}
    page.tb("subscribe", "onToolbarAgentCommand", {"answer": answer, "outData": out})
    page.click("#get-agent-state")
    page.wait_attribute("#agent-command-result", "data-result", "success")
    command = page.state()["commands"][0]
    assert (command["command"], command["status"], command["result"]) == (
        "getCurrentAgentState", "answered", "success")
    sent, answered = page.log()[-2:]
    assert (sent["method"], answered["method"]) == ("onToolbarAgentCommand", "tbAgentCommandResponse")
    assert answered["message"]["uuid"] == sent["message"]["uuid"]
    assert answered["message"]["data"]["commandId"] == sent["message"]["data"]["commandId"]
    if answer == "success":
        assert command["outData"] == out
    event = page.events()[0]
    assert (event["event"], event["command"]) == ("onToolbarAgentCommand", "getCurrentAgentState")


FOREIGN_FRAME = """
const [target, envelope] = arguments;
const frame = document.createElement('iframe');
frame.sandbox = 'allow-scripts';
frame.srcdoc = `<script>
  const message = ${JSON.stringify(JSON.stringify(envelope))};
  const target = ${target === 'toolbar' ? 'parent.frames[0]' : 'parent'};
  target.postMessage(message, '*');
  parent.postMessage('foreign-done', '*');
<\\/script>`;
document.body.append(frame);
"""


def test_host_ignores_messages_from_a_foreign_origin(page):
    """A well-formed agentStateEvent from another origin changes nothing and is not logged."""
    page.driver.execute_script(
        "window.foreignSeen = 0; addEventListener('message', (e) => {"
        " if (e.origin === 'null') window.foreignSeen += 1; });")
    envelope = {"method": "agentStateEvent", "version": "1.5.0", "toolbarName": "TWILIO_SOFTPHONE",
                "uuid": "f00", "data": {"eventId": "1", "isAvailable": True, "isLoggedIn": True,
                                        "stateDisplayString": "Idle"}}
    page.driver.execute_script(FOREIGN_FRAME, "host", envelope)
    page.browser.wait(lambda d: d.execute_script("return window.foreignSeen") == 2,
                      what="the foreign frame's messages")
    assert page.attribute("#phone-icon", "data-state") == "disabled"
    assert page.log() == []


def test_toolbar_ignores_messages_from_a_foreign_origin(page):
    """A Fusion-shaped accept command from another origin never reaches the toolbar's callback."""
    page.tb("subscribe", "onToolbarInteractionCommand", {})
    page.in_toolbar("(() => { window.foreignSeen = 0; addEventListener('message', (e) => {"
                    " if (e.origin === 'null') window.foreignSeen += 1; }); return true; })()")
    envelope = {"method": "onToolbarInteractionCommand", "version": "1.5.0", "uuid": "f01",
                "toolbarName": "TWILIO_SOFTPHONE",
                "data": {"command": "accept", "commandId": "c1", "eventId": "CA1", "inData": {}}}
    page.driver.execute_script(FOREIGN_FRAME, "toolbar", envelope)
    page.browser.wait(lambda _d: page.in_toolbar("window.foreignSeen") == 1,
                      what="the foreign frame's message in the toolbar")
    assert page.events() == []


def test_unresponsive_host_leaves_publish_pending(browser, sandbox):
    """With ?unresponsive=1 a publish never settles (like Oracle's library); after setPaused(false) they do."""
    page = HostPage(browser, sandbox).open(unresponsive="1")
    page.init()
    page.in_toolbar("(() => { window.settled = null; tb.publish('agentStateEventOperation', args[0])"
                    ".then((r) => { window.settled = r; }); return true; })()", AVAILABLE)
    entry = page.wait_log(1)[0]
    assert (entry["method"], entry["unanswered"]) == ("agentStateEvent", True)
    page.host("setPaused(false)")
    assert page.tb("publish", "getConfigurationOperation", {})["success"] is True
    # Replies arrive in order: had the first been answered, it would have settled by now.
    assert page.in_toolbar("window.settled") is None
    assert page.attribute("#phone-icon", "data-state") == "disabled"
    assert page.host("operations()")[0]["answered"] is False
