"""Not-ready reasons and after-call work (wrap-up), decided in the core's Toolbar.

Plain functions and assert: MicroPython runs them too (test_client_micropython). Timers are
the core's START_TIMER effects, fired by hand: no clock.
"""

from client_helpers import available_machine
from client_helpers import only
from toolbar.core import effects as fx
from toolbar.core import payloads
from toolbar.core import states
from toolbar.core.languages import reason_labels
from toolbar.core.settings import DEFAULTS
from toolbar.core.toolbar import Toolbar

OUT = {"SVCMCA_CONTACT_NAME": "Ada", "eventId": "CA1"}


def _toolbar(wrapup_seconds=3):
    toolbar = Toolbar(reasons=reason_labels(DEFAULTS["reasons"], "en"),
                      wrapup_seconds=wrapup_seconds)
    _, device = available_machine(toolbar.agent)
    return toolbar, device


def _states(effects):
    """The agent-state fields of every publish in ``effects``."""
    return [effect.fields for effect in effects if effect.kind == fx.PUBLISH_AGENT_STATE]


def _gone_unavailable(toolbar, device, effects):
    """The Device stop the effects ask for is done; return the effects of its end."""
    stop = only(effects, fx.STOP_DEVICE)
    assert stop.device == device
    return toolbar.device_stopped(device)


def _after_a_call(toolbar, device, key="CA1"):
    """An answered call the agent hangs up: returns the effects of the hang-up."""
    toolbar.call_incoming(device, key, "+15557770001")
    toolbar.comm_published(key, payloads.NEW_COMM_EVENT, dict(OUT, eventId=key))
    toolbar.answer()
    toolbar.call_accepted(key)
    return toolbar.hang_up()


def _wrapup_timer(effects):
    return only(effects, fx.START_TIMER)


def test_reasons_choose_lunch_while_available():
    """Lunch while available: the Device goes, then Fusion hears UNAVAILABLE for Lunch, in
    Oracle's shape; the toolbar shows it; getCurrentAgentState answers the same."""
    toolbar, device = _toolbar()
    effects = toolbar.choose_reason("LUNCH")
    assert _states(effects) == []  # not before the Device is gone
    fields = _states(_gone_unavailable(toolbar, device, effects))
    assert fields == [{
        "eventId": "1", "isAvailable": False, "isLoggedIn": True, "state": "UNAVAILABLE",
        "stateDisplayString": "Unavailable. Lunch", "reason": "LUNCH",
        "reasonDisplayString": "Lunch", "inData": {"phoneLineId": "1"}}]
    model = toolbar.present()
    assert model["reason"] == "LUNCH" and dict(model["reasons"])["LUNCH"] == "Lunch"
    assert model["phase"] == states.UNAVAILABLE and model["status"] == "You are unavailable: Lunch."
    answer = only(toolbar.agent_command(7, payloads.GET_CURRENT_AGENT_STATE), fx.ANSWER_FUSION)
    data = answer.out_data
    assert (data["state"], data["stateCd"], data["reason"], data["reasonCd"]) == (
        "UNAVAILABLE", "UNAVAILABLE", "LUNCH", "LUNCH")
    assert data["stateDisplayString"] == "Unavailable. Lunch"
    assert data["reasonDisplayString"] == "Lunch" and data["isAvailable"] is False


def test_reasons_change_while_unavailable_and_available_clears():
    """Another reason while unavailable publishes it; none clears it; going available (the
    toggle or makeAvailable) clears it; makeUnavailable keeps the chosen one."""
    toolbar, device = _toolbar()
    _gone_unavailable(toolbar, device, toolbar.toggle())
    fields = _states(toolbar.choose_reason("MEETING"))
    assert [(f["reason"], f["stateDisplayString"]) for f in fields] == [
        ("MEETING", "Unavailable. Meeting")]
    assert toolbar.choose_reason("MEETING") == []  # nothing new for Fusion
    fields = _states(toolbar.choose_reason(""))
    assert len(fields) == 1 and "reason" not in fields[0]
    assert fields[0]["stateDisplayString"] == "Unavailable"
    toolbar.choose_reason("BREAK")
    assert toolbar.choose_reason("NAP") == []  # not a configured reason
    toolbar.agent_command(1, payloads.MAKE_AVAILABLE)
    assert toolbar.present()["reason"] == ""
    toolbar.agent_command(2, payloads.MAKE_UNAVAILABLE)
    assert toolbar.agent.reason is None


def test_reasons_refused_during_a_call():
    """During a call a reason is refused like the toggle: the agent stays available."""
    toolbar, device = _toolbar()
    toolbar.call_incoming(device, "CA1", "+15557770001")
    assert toolbar.choose_reason("LUNCH") == []
    assert toolbar.agent.reason is None and toolbar.agent.wants_available
    assert toolbar.present()["status"] == "Finish your call before going unavailable."


def test_wrapup_after_a_call_counts_down_and_ends():
    """WRAPUP: Fusion told not available ("Wrap-up"), a countdown each second, no dialling;
    then available again, and Fusion told so."""
    toolbar, device = _toolbar(wrapup_seconds=2)
    effects = _after_a_call(toolbar, device)
    fields = _states(effects)
    assert [(f["isAvailable"], f["reason"], f["stateDisplayString"]) for f in fields] == [
        (False, "WRAPUP", "Wrap-up")]
    model = toolbar.present()
    assert model["phase"] == "wrap-up" and model["wrapup"] and model["wrapup_left"] == "2 s left"
    assert model["presence"] == "wrap-up" and not model["call"]["can_dial"]
    data = only(toolbar.agent_command(1, payloads.GET_CURRENT_AGENT_STATE),
                fx.ANSWER_FUSION).out_data
    assert data["reason"] == "WRAPUP" and data["isAvailable"] is False
    tick = _wrapup_timer(effects)
    assert tick.ms == 1000
    effects = toolbar.timer_fired(tick.timer)
    assert toolbar.present()["wrapup_left"] == "1 s left" and _states(effects) == []
    effects = toolbar.timer_fired(_wrapup_timer(effects).timer)
    assert [f["isAvailable"] for f in _states(effects)] == [True]
    model = toolbar.present()
    assert model["phase"] == states.AVAILABLE and not model["wrapup"] and model["call"]["can_dial"]
    assert model["status"] == "You are available for calls."
    assert toolbar.timer_fired(tick.timer) == []  # an old tick changes nothing


def test_wrapup_declines_calls_at_once():
    """An incoming call during wrap-up is rejected at once, and Fusion hears nothing of it."""
    toolbar, device = _toolbar()
    _after_a_call(toolbar, device)
    effects = toolbar.call_incoming(device, "CA2", "+15557770002")
    assert effects == [fx.Effect(fx.CALL_ACTION, call="CA2", action="reject", value=None)]
    assert toolbar.calls.current is None
    assert toolbar.present()["status"] == "Declined a call from +15557770002: you are in wrap-up."
    assert toolbar.call_ended("CA2", "reject") == []


def test_wrapup_ends_on_wrapup_closed_for_that_call_or_done():
    """WRAPUP_CLOSED for another call changes nothing; for this call it ends the wrap-up;
    #wrapup-done ends it too."""
    toolbar, device = _toolbar()
    _after_a_call(toolbar, device)
    assert toolbar.data_updated(payloads.WRAPUP_CLOSED, "CA9") == []
    effects = toolbar.data_updated(payloads.WRAPUP_CLOSED, "CA1")
    assert [f["isAvailable"] for f in _states(effects)] == [True]
    assert toolbar.agent.wrapup is None
    _after_a_call(toolbar, device, "CA2")
    assert toolbar.agent.wrapup == "CA2"
    effects = toolbar.finish_wrapup()
    assert [f["isAvailable"] for f in _states(effects)] == [True]
    assert toolbar.finish_wrapup() == []


def test_wrapup_leaves_an_agent_who_chose_unavailable_unavailable():
    """Lunch chosen during wrap-up: Fusion keeps seeing wrap-up until it ends, then Lunch."""
    toolbar, device = _toolbar()
    _after_a_call(toolbar, device)
    effects = toolbar.choose_reason("LUNCH")
    assert _states(_gone_unavailable(toolbar, device, effects)) == []  # still wrap-up
    assert toolbar.present()["phase"] == "wrap-up"
    fields = _states(toolbar.finish_wrapup())
    assert [(f["isAvailable"], f["reason"]) for f in fields] == [(False, "LUNCH")]
    assert toolbar.present()["phase"] == states.UNAVAILABLE


def test_wrapup_off_with_zero_seconds():
    """wrapupSeconds 0: the agent is available again as soon as the call ends."""
    toolbar, device = _toolbar(wrapup_seconds=0)
    effects = _after_a_call(toolbar, device)
    assert _states(effects) == [] and toolbar.agent.wrapup is None
    assert toolbar.present()["phase"] == states.AVAILABLE

