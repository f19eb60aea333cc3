"""UEF payloads: what Fusion receives for each operation and agent command."""

from toolbar.core import payloads


def test_payloads_agent_state_available():
    """agentStateEventOperation for available has Oracle's fields and values."""
    fields = payloads.agent_state(True)
    assert fields == {
        "eventId": "1",
        "isAvailable": True,
        "isLoggedIn": True,
        "state": "AVAILABLE",
        "stateDisplayString": "Available",
        "reasonDisplayString": "Idle",
        "inData": {"phoneLineId": "1"},
    }


def test_payloads_agent_state_unavailable_is_logged_in():
    """Unavailable is still logged in."""
    fields = payloads.agent_state(False)
    assert fields["isAvailable"] is False and fields["isLoggedIn"] is True
    assert fields["state"] == "UNAVAILABLE"
    assert "reason" not in fields  # Oracle's sample sets null; unset is the same and safer


def test_payloads_current_agent_state_matches_the_published_one():
    """getCurrentAgentState reports what the publish said."""
    for available in (True, False):
        data = payloads.agent_state_data(available)
        fields = payloads.agent_state(available)
        for key in ("isAvailable", "isLoggedIn", "state", "stateDisplayString"):
            assert data[key] == fields[key]
        assert data["channel"] == "PHONE" and data["channelType"] == "ORA_SVC_PHONE"
        assert data["reason"] is None


def test_payloads_active_engagements():
    """getActiveEngagements lists the live calls' eventIds."""
    assert payloads.active_engagements() == {"activeCount": 0, "engagements": []}
    assert payloads.active_engagements(["CA1"]) == {
        "activeCount": 1, "engagements": [{"eventId": "CA1"}]}


def test_payloads_configuration_request():
    """getConfigurationOperation asks for the TOOLBAR configuration."""
    assert payloads.configuration_request() == {"configType": "TOOLBAR"}


def test_payloads_new_comm_event_inbound():
    """newCommEvent of an inbound call carries the caller and direction."""
    fields = payloads.new_comm_event("CA1", "+15005550006")
    assert fields["appClassification"] == "ORA_SERVICE" and fields["eventId"] == "CA1"
    assert fields["inData"] == {
        "SVCMCA_ANI": "+15005550006",
        "SVCMCA_COMMUNICATION_DIRECTION": "ORA_SVC_INBOUND",
        "callStatus": "INCOMING",
        "phoneLineId": "1",
    }


def test_payloads_new_comm_event_outbound_keeps_outgoing_data():
    """newCommEvent of an outbound call keeps the outgoing event's data, unmodified."""
    outgoing = {"SVCMCA_DISPLAY_NAME": "Ann", "SVCMCA_ANI": "+1"}
    fields = payloads.new_comm_event("uuid-1", "+15551234567", payloads.OUTBOUND, outgoing)
    assert fields["inData"]["SVCMCA_DISPLAY_NAME"] == "Ann"
    assert fields["inData"]["SVCMCA_ANI"] == "+15551234567"
    assert fields["inData"]["SVCMCA_COMMUNICATION_DIRECTION"] == "ORA_SVC_OUTBOUND"
    assert outgoing == {"SVCMCA_DISPLAY_NAME": "Ann", "SVCMCA_ANI": "+1"}  # not modified


def test_payloads_start_and_close_carry_the_out_data():
    """startCommEvent and closeCommEvent carry newCommEvent's outData under the same eventId."""
    out_data = {"SVCMCA_CONTACT_ID": "300", "eventId": "CA1"}
    start = payloads.start_comm_event("CA1", out_data)
    close = payloads.close_comm_event("CA1", out_data, "WRAPUP")
    assert start["inData"] == out_data and close["inData"] == out_data
    assert start["eventId"] == close["eventId"] == "CA1"
    assert close["reason"] == "WRAPUP"
    assert start["inData"] is not out_data


def test_payloads_close_rejects_unknown_reason():
    """A close reason Fusion does not know is refused."""
    try:
        payloads.close_comm_event("CA1", {}, "HUNG_UP")
    except ValueError as error:
        assert "HUNG_UP" in str(error)
    else:
        raise AssertionError("an unknown reason was accepted")


def test_payloads_outbound_comm_error():
    """outboundCommError names the outgoing event, the code and the message."""
    assert payloads.outbound_comm_error("uuid-1", "INVALID_NUMBER", "no such number") == {
        "appClassification": "ORA_SERVICE", "commUuid": "uuid-1",
        "errorCode": "INVALID_NUMBER", "errorMsg": "no such number"}


def test_payloads_agent_state_with_a_reason():
    """Unavailable for a reason: its code, its words, and the reason inside
    stateDisplayString (Oracle's pattern); getCurrentAgentState has both field names."""
    fields = payloads.agent_state(False, "LUNCH", "Lunch")
    assert fields["state"] == "UNAVAILABLE" and fields["reason"] == "LUNCH"
    assert fields["stateDisplayString"] == "Unavailable. Lunch"
    assert fields["reasonDisplayString"] == "Lunch"
    data = payloads.agent_state_data(False, "LUNCH", "Lunch")
    assert (data["state"], data["stateCd"], data["reason"], data["reasonCd"]) == (
        "UNAVAILABLE", "UNAVAILABLE", "LUNCH", "LUNCH")
    assert data["stateDisplayString"] == fields["stateDisplayString"]
    wrapup = payloads.agent_state(False, payloads.WRAPUP_REASON)
    assert wrapup["reason"] == "WRAPUP" and wrapup["stateDisplayString"] == "Wrap-up"
    assert payloads.agent_state(True, "LUNCH", "Lunch")["isAvailable"] is True
    assert "reason" not in payloads.agent_state(True, "LUNCH", "Lunch")
