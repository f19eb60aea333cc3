"""The fields of every UEF request the toolbar publishes, and of its command answers.

Browser-free. Each builder returns a dict whose keys name the request's setters without
their ``set`` prefix (``{"eventId": "1"}`` is ``request.setEventId("1")``), in the order
Oracle's samples call them; ``inData`` is the request's in-data, a plain dict. The Fusion
handler applies them (fusion_handler.apply_fields), so what Fusion receives is decided
here, where CPython and MicroPython tests read it.

Operations: agentStateEventOperation and getConfigurationOperation (availability), and
newCommEvent, startCommEvent, closeCommEvent, outboundCommError (calls; docs/fusion-uef.md
gives the correlation rule: the outData of newCommEvent comes back as the inData of
start/closeCommEvent under the same eventId).

Public names: the operation and event names, the constants, and the builders below.
"""

from toolbar.core import messages

# Operations (publish) and events (subscribe) of UEF's PHONE channel.
AGENT_STATE = "agentStateEventOperation"
GET_CONFIGURATION = "getConfigurationOperation"
NEW_COMM_EVENT = "newCommEvent"
START_COMM_EVENT = "startCommEvent"
CLOSE_COMM_EVENT = "closeCommEvent"
OUTBOUND_COMM_ERROR = "outboundCommError"
ON_AGENT_COMMAND = "onToolbarAgentCommand"
ON_INTERACTION_COMMAND = "onToolbarInteractionCommand"
ON_OUTGOING = "onOutgoingEvent"
ON_DATA_UPDATED = "onDataUpdated"

CHANNEL = "PHONE"
CHANNEL_TYPE = "ORA_SVC_PHONE"
APP_CLASSIFICATION = "ORA_SERVICE"
INBOUND = "ORA_SVC_INBOUND"
OUTBOUND = "ORA_SVC_OUTBOUND"
# Reasons of closeCommEvent.
CLOSE_REASONS = ("ABANDONED", "CANCELED", "ENDCOMMUNICATION", "MISSED", "REJECT", "TIMEOUT",
                 "WRAPUP")

# Agent commands Fusion sends through onToolbarAgentCommand, and their answers.
MAKE_AVAILABLE = "makeAvailable"
MAKE_UNAVAILABLE = "makeUnavailable"
GET_CURRENT_AGENT_STATE = "getCurrentAgentState"
GET_ACTIVE_ENGAGEMENTS = "getActiveEngagements"
SUCCESS = "success"
FAILURE = "failure"

# The agent state event has its own eventId, the same for every publish (Oracle's samples).
AGENT_STATE_EVENT_ID = "1"
PHONE_LINE_ID = "1"
# The reason code of an agent in after-call work (settings.RESERVED_REASONS keeps it free).
WRAPUP_REASON = "WRAPUP"
# onDataUpdated's updateTypes the toolbar acts on.
OFFER_TIMEOUT = "OFFER_TIMEOUT"
WRAPUP_CLOSED = "WRAPUP_CLOSED"


def agent_state(available, reason=None, reason_label=None):
    """Fields of agentStateEventOperation: logged in, available or not, and why not.

    ``reason`` is a not-ready reason's code (or WRAPUP_REASON) and ``reason_label`` its
    words in the agent's language; Oracle asks for the reason inside stateDisplayString too
    ("On Break. Lunch break"), as the reason fields are "for future use".
    """
    state = agent_state_data(available, reason, reason_label)
    fields = {
        "eventId": AGENT_STATE_EVENT_ID,
        "isAvailable": state["isAvailable"],
        "isLoggedIn": state["isLoggedIn"],
        "state": state["state"],
        "stateDisplayString": state["stateDisplayString"],
    }
    if state["reason"] is not None:  # Oracle's sample sets null; unset is the same and safer
        fields["reason"] = state["reason"]
    fields["reasonDisplayString"] = state["reasonDisplayString"]
    fields["inData"] = {"phoneLineId": PHONE_LINE_ID}
    return fields


def agent_state_data(available, reason=None, reason_label=None):
    """The agent's state as getCurrentAgentState reports it (its outData): the fields of
    the publish, under both names Fusion may read (state/stateCd, reason/reasonCd)."""
    code = "AVAILABLE" if available else "UNAVAILABLE"
    reason = None if available else reason
    if reason == WRAPUP_REASON:
        shown = messages.text("fusion.state.wrap-up")
        reason_shown = messages.text("fusion.reason.wrap-up")
    elif reason:
        shown = messages.text("fusion.state.unavailable-reason", reason=reason_label)
        reason_shown = reason_label
    else:
        state = "available" if available else "unavailable"
        shown = messages.text("fusion.state." + state)
        reason_shown = messages.text("fusion.reason." + state)
    return {
        "channel": CHANNEL,
        "channelType": CHANNEL_TYPE,
        "isAvailable": bool(available),
        "isLoggedIn": True,
        "state": code,
        "stateCd": code,
        "stateDisplayString": shown,
        "reason": reason,
        "reasonCd": reason,
        "reasonDisplayString": reason_shown,
    }


def active_engagements(event_ids=()):
    """outData of getActiveEngagements: the eventIds of the calls in progress."""
    return {
        "activeCount": len(event_ids),
        "engagements": [{"eventId": event_id} for event_id in event_ids],
    }


def configuration_request():
    """Fields of getConfigurationOperation: the toolbar's configuration (agent, faTrustToken)."""
    return {"configType": "TOOLBAR"}


def new_comm_event(event_id, caller, direction=INBOUND, extra=None):
    """Fields of newCommEvent: offer a call to Fusion (inbound) or show it dialing (outbound).

    ``caller`` is the other party's number (SVCMCA_ANI); ``extra`` adds in-data (for an
    outbound call, the outData of its onOutgoingEvent).
    """
    in_data = dict(extra or {})
    in_data["SVCMCA_ANI"] = caller
    in_data["SVCMCA_COMMUNICATION_DIRECTION"] = direction
    in_data["callStatus"] = "INCOMING" if direction == INBOUND else "OUTGOING"
    in_data["phoneLineId"] = PHONE_LINE_ID
    return {"appClassification": APP_CLASSIFICATION, "eventId": event_id, "inData": in_data}


def start_comm_event(event_id, out_data):
    """Fields of startCommEvent: the call was answered; ``out_data`` is newCommEvent's."""
    return {"appClassification": APP_CLASSIFICATION, "eventId": event_id,
            "inData": dict(out_data or {})}


def close_comm_event(event_id, out_data, reason):
    """Fields of closeCommEvent: the call ended for ``reason`` (one of CLOSE_REASONS).

    Raises:
        ValueError: for a reason Fusion does not know.
    """
    if reason not in CLOSE_REASONS:
        raise ValueError("unknown closeCommEvent reason " + repr(reason))
    return {"appClassification": APP_CLASSIFICATION, "eventId": event_id,
            "inData": dict(out_data or {}), "reason": reason}


def outbound_comm_error(comm_uuid, code, message):
    """Fields of outboundCommError: the outbound call of onOutgoingEvent ``comm_uuid`` failed."""
    return {"appClassification": APP_CLASSIFICATION, "commUuid": comm_uuid,
            "errorCode": code, "errorMsg": message}
