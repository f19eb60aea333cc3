"""The call state machine: UEF operations in order, correlated, with the right close reason."""

import json

from client_helpers import available_toolbar
from toolbar.core import calldefs
from toolbar.core import effects as fx
from toolbar.core import messages
from toolbar.core import numbers
from toolbar.core import payloads
from toolbar.core import twilio_errors

OUT = {"SVCMCA_CONTACT_NAME": "Ada", "eventId": "CA1", "SVCMCA_INTERACTION_ID": "9"}


def _machine():
    toolbar, device = available_toolbar()
    return toolbar.calls, device


def _ops(effects):
    return [e.operation for e in effects if e.kind == fx.PUBLISH_CALL]


def _actions(effects):
    return [e.action for e in effects if e.kind == fx.CALL_ACTION]


def _closed(effects):
    return [e.fields["reason"] for e in effects
            if e.kind == fx.PUBLISH_CALL and e.operation == payloads.CLOSE_COMM_EVENT]


def _dial(calls, number, device, uuid=None, extra=None):
    """Dial as the Toolbar does, the outbound policy allowing it: return the DIAL effect's
    call key, or the effects of a call refused before the check."""
    effects = calls.dial(number, device, uuid, extra, fa_token="fa-jwt")
    check = [e for e in effects if e.kind == fx.DIAL_CHECK]
    if not check:
        return effects
    assert check[0].number == number and check[0].fa_token == "fa-jwt"
    (dial,) = calls.dial_checked(check[0].call, None, device)
    assert dial.kind == fx.DIAL and dial.number == number and dial.device == device
    return effects[:-1] + [dial]


def _ringing(calls, key="CA1", caller="+15557770001"):
    effects = calls.incoming(key, caller)
    new = effects[0]
    assert _ops(effects) == [payloads.NEW_COMM_EVENT]
    assert new.fields["eventId"] == key and new.fields["appClassification"] == "ORA_SERVICE"
    assert new.fields["inData"]["SVCMCA_ANI"] == caller
    assert new.fields["inData"]["SVCMCA_COMMUNICATION_DIRECTION"] == payloads.INBOUND
    assert calls.comm_published(key, payloads.NEW_COMM_EVENT, dict(OUT)) == []
    assert calls.current.phase == calldefs.RINGING
    return calls.current


def test_calls_inbound_accept_then_hang_up_is_wrapup():
    """An answered inbound call publishes startCommEvent with newCommEvent's outData; hanging up closes it WRAPUP."""
    calls, _ = _machine()
    _ringing(calls)
    assert _actions(calls.accept()) == [calldefs.ACCEPT_ACTION]
    assert calls.current.phase == calldefs.CONNECTING
    effects = calls.call_accepted("CA1")
    assert _ops(effects) == [payloads.START_COMM_EVENT]
    assert effects[0].fields["inData"] == OUT and effects[0].fields["eventId"] == "CA1"
    effects = calls.hang_up()
    assert _actions(effects) == [calldefs.DISCONNECT_ACTION] and _closed(effects) == ["WRAPUP"]
    assert effects[-1].fields["inData"] == OUT
    assert calls.current is None
    assert calls.call_ended("CA1", "disconnect") == []  # the SDK's echo


def test_calls_far_end_hangs_up_is_wrapup():
    """The caller hanging up a connected call closes it WRAPUP."""
    calls, _ = _machine()
    _ringing(calls)
    calls.accept()
    calls.call_accepted("CA1")
    assert _closed(calls.call_ended("CA1", "disconnect")) == ["WRAPUP"]


def test_calls_reject_abandon_timeout_reasons():
    """Decline is REJECT, the caller giving up ABANDONED, Fusion's offer timeout MISSED."""
    for act, reason, action in (
        (lambda m: m.reject(), "REJECT", calldefs.REJECT_ACTION),
        (lambda m: m.call_ended("CA1", "cancel"), "ABANDONED", None),
        (lambda m: m.offer_timeout("CA1"), "MISSED", calldefs.REJECT_ACTION),
        (lambda m: m.hang_up(), "REJECT", calldefs.REJECT_ACTION),
    ):
        calls, _ = _machine()
        _ringing(calls)
        effects = act(calls)
        assert _closed(effects) == [reason], reason
        assert _actions(effects) == ([action] if action else [])


def test_calls_events_before_fusion_answers_wait_for_out_data():
    """startCommEvent and closeCommEvent need newCommEvent's outData: they wait for it."""
    calls, _ = _machine()
    calls.incoming("CA1", "+15557770001")
    calls.accept()
    assert _ops(calls.call_accepted("CA1")) == []
    assert _ops(calls.call_ended("CA1", "disconnect")) == []
    effects = calls.comm_published("CA1", payloads.NEW_COMM_EVENT, dict(OUT))
    assert _ops(effects) == [payloads.START_COMM_EVENT, payloads.CLOSE_COMM_EVENT]
    assert all(e.fields["inData"] == OUT for e in effects)


def test_calls_fusion_commands_wait_for_the_outcome():
    """Fusion's accept is answered once the call connects; a command for another call fails."""
    calls, _ = _machine()
    _ringing(calls)
    assert [e.result for e in calls.fusion_command("accept", "other", "w0")] == [payloads.FAILURE]
    assert [e.result for e in calls.fusion_command("hold", "CA1", "w0")] == [payloads.FAILURE]
    effects = calls.fusion_command("accept", "CA1", "w1")
    assert [e.kind for e in effects] == [fx.CALL_ACTION]
    effects = calls.call_accepted("CA1")
    assert [(e.request, e.result) for e in effects if e.kind == fx.ANSWER_FUSION] == [
        ("w1", payloads.SUCCESS)]
    effects = calls.fusion_command("disconnect", "CA1", "w2")
    assert _closed(effects) == ["WRAPUP"]
    assert [(e.request, e.result) for e in effects if e.kind == fx.ANSWER_FUSION] == [
        ("w2", payloads.SUCCESS)]


def test_calls_accept_fails_if_the_caller_left():
    """Fusion's accept fails when the caller hangs up before the call connects."""
    calls, _ = _machine()
    _ringing(calls)
    calls.fusion_command("accept", "CA1", "w1")
    effects = calls.call_ended("CA1", "cancel")
    assert [(e.request, e.result) for e in effects if e.kind == fx.ANSWER_FUSION] == [
        ("w1", payloads.FAILURE)]
    assert _closed(effects) == ["ABANDONED"]


def test_calls_second_incoming_while_busy_is_declined_and_missed():
    """A second call while busy is declined at once; Fusion records it MISSED and the agent reads why."""
    calls, _ = _machine()
    _ringing(calls)
    calls.accept()
    calls.call_accepted("CA1")
    effects = calls.incoming("CA2", "+15557770002")
    assert _ops(effects) == [payloads.NEW_COMM_EVENT] and _actions(effects) == [calldefs.REJECT_ACTION]
    assert effects[1].call == "CA2"
    effects = calls.comm_published("CA2", payloads.NEW_COMM_EVENT, {"eventId": "CA2"})
    assert _closed(effects) == ["MISSED"] and effects[0].fields["eventId"] == "CA2"
    assert calls.current.key == "CA1" and calls.live_event_ids() == ["CA1"]
    assert "+15557770002" in calls.status_line.current.text


def test_calls_click_to_dial_answered():
    """Click-to-dial uses the outgoing event's uuid and data, dials, and starts once answered."""
    calls, device = _machine()
    effects = _dial(calls, "+15550001111", device, "uuid-1", {"SVCMCA_DISPLAY_NAME": "Bo"})
    new, dial = effects
    assert new.fields["eventId"] == "uuid-1"
    assert new.fields["inData"]["SVCMCA_COMMUNICATION_DIRECTION"] == payloads.OUTBOUND
    assert new.fields["inData"]["SVCMCA_DISPLAY_NAME"] == "Bo"
    assert dial.kind == fx.DIAL and dial.number == "+15550001111" and dial.device == device
    key = dial.call
    calls.comm_published(key, payloads.NEW_COMM_EVENT, {"eventId": "uuid-1"})
    calls.call_ringing(key)
    assert calls.current.phase == calldefs.RINGING
    # accept: the agent is in its conference while the number rings; still ringing.
    assert calls.call_accepted(key) == [] and calls.current.phase == calldefs.RINGING
    assert calls.call_message(key, '{"customer": "ringing"}') == []
    assert calls.call_message(key, "not json") == [] and calls.call_message(key, "[1]") == []
    assert _ops(calls.call_message(key, '{"customer": "answered"}')) == [
        payloads.START_COMM_EVENT]
    assert calls.current.phase == calldefs.ACTIVE
    assert calls.call_message(key, '{"customer": "answered"}') == []  # once
    assert calls.call_message(key, '{"customer": "busy"}') == []  # too late to fail
    assert _closed(calls.call_ended(key, "disconnect")) == ["WRAPUP"]


def test_calls_outbound_the_number_does_not_answer():
    """The token service says why the number an agent dialled did not answer: Fusion gets
    outboundCommError with BUSY / NO_ANSWER / FAILED, then REJECT; the agent reads why; the
    agent's own call (still in its conference) is hung up."""
    for news, kind, words in (("busy", "BUSY", "busy"), ("no-answer", "NO_ANSWER", "no answer"),
                              ("failed", "FAILED", "could not be connected")):
        calls, device = _machine()
        key = _dial(calls, "+15550001111", device, "uuid-1")[1].call
        calls.comm_published(key, payloads.NEW_COMM_EVENT, {"eventId": "uuid-1"})
        assert calls.call_accepted(key) == []
        effects = calls.call_message(key, json.dumps({"customer": news}))
        assert _ops(effects) == [payloads.OUTBOUND_COMM_ERROR, payloads.CLOSE_COMM_EVENT]
        assert effects[0].fields["errorCode"] == kind and effects[0].fields["commUuid"] == "uuid-1"
        assert _closed(effects) == ["REJECT"]
        assert _actions(effects) == [calldefs.DISCONNECT_ACTION]
        assert words in calls.status_line.current.text
        assert calls.call_ended(key, "disconnect") == []


def test_calls_messages_about_an_inbound_call_change_nothing():
    """Only an outbound call's number answers: a message on an inbound call is ignored."""
    calls, _ = _machine()
    _ringing(calls)
    assert calls.call_message("CA1", '{"customer": "answered"}') == []
    assert calls.current.phase == calldefs.RINGING and not calls.current.connected


def test_calls_outbound_failures_and_cancel():
    """A failed outbound call sends outboundCommError with the right code, then REJECT; a cancel is CANCELED."""
    for code, kind in ((31486, "BUSY"), (31480, "NO_ANSWER"), (31000, "FAILED"),
                       (31401, "MICROPHONE")):
        calls, device = _machine()
        key = _dial(calls, "+15550001111", device, "uuid-1")[1].call
        calls.comm_published(key, payloads.NEW_COMM_EVENT, {"eventId": "uuid-1"})
        effects = calls.call_error(key, code, "", "boom")
        assert _ops(effects) == [payloads.OUTBOUND_COMM_ERROR, payloads.CLOSE_COMM_EVENT]
        assert effects[0].fields["commUuid"] == "uuid-1" and effects[0].fields["errorCode"] == kind
        assert _closed(effects) == ["REJECT"]
    assert "Allow the microphone" in calls.status_line.current.text
    calls, device = _machine()
    key = _dial(calls, "+15550001111", device)[1].call
    calls.comm_published(key, payloads.NEW_COMM_EVENT, {})
    effects = calls.hang_up()
    assert _actions(effects) == [calldefs.DISCONNECT_ACTION] and _closed(effects) == ["CANCELED"]


def test_calls_dial_refused_before_connecting():
    """A number that is not E.164 is refused before dialling, with INVALID_NUMBER for Fusion."""
    calls, device = _machine()
    effects = _dial(calls, "12345", device, "uuid-1")
    assert _ops(effects) == [payloads.NEW_COMM_EVENT, payloads.OUTBOUND_COMM_ERROR]
    assert effects[1].fields["errorCode"] == "INVALID_NUMBER"
    assert not [e for e in effects if e.kind == fx.DIAL]
    key = effects[0].call
    assert _closed(calls.comm_published(key, payloads.NEW_COMM_EVENT, {})) == ["REJECT"]
    effects = _dial(calls, "+15550001111", None, "uuid-2")
    assert effects[1].fields["errorCode"] == "NOT_AVAILABLE"
    assert _dial(calls, "555-CALL", device) == [] and "not valid" in calls.status_line.current.text
    manual = _dial(calls, "+15550001111", device)[0]
    assert manual.fields["eventId"].startswith("manual-")


def test_calls_mute_and_digits_only_when_active():
    """Mute and DTMF act only on a connected call."""
    calls, _ = _machine()
    assert calls.toggle_mute() == [] and calls.send_digits("1") == []
    _ringing(calls)
    assert calls.send_digits("1") == []
    calls.accept()
    calls.call_accepted("CA1")
    effects = calls.toggle_mute()
    assert [(e.action, e.value) for e in effects] == [(calldefs.MUTE_ACTION, True)]
    calls.call_muted("CA1", True)
    assert calls.toggle_mute()[0].value is False
    assert [(e.action, e.value) for e in calls.send_digits("5")] == [(calldefs.DIGITS_ACTION, "5")]


def test_calls_e164_and_error_kinds():
    """The E.164 check and the sorting of Twilio and DOM errors into outboundCommError codes."""
    assert numbers.is_e164("+15550001111") and not numbers.is_e164("15550001111")
    assert not numbers.is_e164("+0123") and not numbers.is_e164("+1555abc") and not numbers.is_e164(None)
    assert twilio_errors.call_error_kind(None, "NotAllowedError") == "MICROPHONE"
    assert twilio_errors.call_error_kind(31005) == "FAILED"


def test_calls_microphone_refused_on_answer():
    """The SDK hangs up when getUserMedia fails: Fusion gets REJECT, the agent the fix."""
    calls, _ = _machine()
    _ringing(calls)
    calls.fusion_command("accept", "CA1", "w1")
    effects = calls.call_error("CA1", 31401, "PermissionDeniedError", "denied")
    assert _closed(effects) == ["REJECT"] and _actions(effects) == []
    assert [(e.request, e.result) for e in effects if e.kind == fx.ANSWER_FUSION] == [
        ("w1", payloads.FAILURE)]
    assert "Allow the microphone" in calls.status_line.current.text
    assert calls.call_ended("CA1", "disconnect") == []


def test_calls_in_call_warning_clears_when_the_call_ends():
    """Going unavailable during a call is refused with a warning, which goes with the call."""
    toolbar, _ = available_toolbar(wrapup_seconds=0)
    _ringing(toolbar.calls)
    toolbar.answer()
    toolbar.call_accepted("CA1")
    assert toolbar.toggle() == []
    assert toolbar.status_line.current.text == "Finish your call before going unavailable."
    toolbar.call_ended("CA1", "disconnect")
    assert toolbar.status_line.current.text == "You are available for calls."


def test_calls_dial_refused_by_the_outbound_policy():
    """A refusal from /dial-check: outboundCommError with its errorCode, the agent's sentence,
    REJECT, and no DIAL; a manual dial is refused the same way, Fusion hearing only REJECT."""
    for code, fusion_code in (("premium_rate", "NUMBER_NOT_ALLOWED"),
                              ("international_network", "NUMBER_NOT_ALLOWED"),
                              ("country_not_allowed", "COUNTRY_NOT_ALLOWED"),
                              ("invalid_number", "INVALID_NUMBER")):
        calls, device = _machine()
        effects = calls.dial("+19005550100", device, "uuid-1", fa_token="fa-jwt")
        assert [e.kind for e in effects] == [fx.PUBLISH_CALL, fx.DIAL_CHECK]
        key = effects[1].call
        calls.comm_published(key, payloads.NEW_COMM_EVENT, {"eventId": "uuid-1"})
        effects = calls.dial_checked(key, code, device)
        assert _ops(effects) == [payloads.OUTBOUND_COMM_ERROR, payloads.CLOSE_COMM_EVENT]
        assert effects[0].fields["errorCode"] == fusion_code
        assert effects[0].fields["errorMsg"] == messages.text("dial-refused." + code)
        assert _closed(effects) == ["REJECT"] and calls.current is None
        assert messages.text("dial-refused." + code) in calls.status_line.current.text
    calls, device = _machine()
    key = calls.dial("+88234567890", device, fa_token="fa-jwt")[1].call
    calls.comm_published(key, payloads.NEW_COMM_EVENT, {})
    effects = calls.dial_checked(key, "international_network", device)
    assert _ops(effects) == [payloads.CLOSE_COMM_EVENT] and _closed(effects) == ["REJECT"]
    assert "international network" in calls.status_line.current.text


def test_calls_hang_up_during_the_dial_check():
    """The agent hangs up while the policy is asked: CANCELED, and its answer dials nothing."""
    calls, device = _machine()
    key = calls.dial("+14155550101", device, "uuid-1", fa_token="fa-jwt")[1].call
    calls.comm_published(key, payloads.NEW_COMM_EVENT, {"eventId": "uuid-1"})
    assert _closed(calls.hang_up()) == ["CANCELED"]
    assert calls.dial_checked(key, None, device) == []
    key = calls.dial("+14155550101", device, "uuid-2", fa_token="fa-jwt")[1].call
    effects = calls.dial_checked(key, None, None)  # no longer available meanwhile
    assert effects[0].fields["errorCode"] == "NOT_AVAILABLE"
