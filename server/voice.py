"""POST /voice: the TwiML App's voice URL, which tells Twilio whom a call should ring.

Only Twilio may ask: the X-Twilio-Signature header must match the URL Twilio was configured with
(TOOLBAR_PUBLIC_URL + "/voice", plus the query string if any) and the form parameters, or the
answer is 403 in the JSON error shape. Then, by the call's To and From:

* To is TWILIO_CALLER_ID (someone called our number): the caller joins a conference of its own,
  named after its CallSid, and hears music until an agent joins (conference.py). Its callbacks,
  POST /voice/conference, offer the call to every TOOLBAR_AGENTS identity when the caller is
  in (first to answer wins, the others stop ringing) and end a call whose caller is left
  alone; POST /voice/invite-status hears that an offer or transfer went unanswered
  (call_events.py). The Dial's action, POST /voice/dial-complete, hangs up after the
  conference, or tells the caller nobody is available.
* From is ``client:<agent>``, To an E.164 number: the agent joins a conference named after its
  CallSid (label ``agent:<agent>``) and the callbacks add the number to it, showing
  TWILIO_CALLER_ID; POST /voice/customer-status then tells the agent's SDK (a User Defined
  Message) when the number answers or why it did not. To is ``client:<identity>``: ring that
  agent with ``<Dial><Client>``. Either only if the outbound policy
  (outbound_policy.py) allows it and the agent has fewer than TOOLBAR_MAX_CALLS_PER_AGENT
  other calls in progress (call_cap.py, asked of Twilio over REST); else the agent hears why,
  and the refusal is logged.
* Anything else: a spoken explanation and a hang-up. Every answer is TwiML with status 200:
  Twilio plays nothing useful from an HTTP error.

Public names: create_blueprint, route_call, after_dial, nobody_available, NOBODY_AVAILABLE.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import Blueprint
from flask import Response
from flask import request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from server.call_cap import CallCap
from server.conference import CONFERENCE_EVENTS
from server.conference import CUSTOMER
from server.conference import Role
from server.conference import label_for
from server.config import Settings
from server.errors import InvalidSignature
from server.outbound_policy import CLIENT_PREFIX
from server.outbound_policy import OutboundPolicy
from server.twilio_formats import is_call_sid
from server.twilio_formats import is_identity
from server.twilio_rest import TwilioRest

if TYPE_CHECKING:  # call_events uses nobody_available from here
    from server.call_events import CallEvents

logger = logging.getLogger(__name__)

NOBODY_AVAILABLE = "Sorry, nobody is available to take your call. Please try again later."
NO_NUMBER = "Sorry, no number was given to call."
NOT_ROUTABLE = "Sorry, this call cannot be connected."


def create_blueprint(settings: Settings, rest: TwilioRest, events: CallEvents) -> Blueprint:
    """Build the voice blueprint for one app's Twilio credentials, routing, REST client and
    call events."""
    bp = Blueprint("voice", __name__)
    validator = RequestValidator(settings.twilio_auth_token)
    policy = OutboundPolicy(settings)
    cap = CallCap(rest, settings.max_calls_per_agent)
    voice_url = settings.public_url.rstrip("/") + "/voice"

    @bp.post("/voice")
    def voice() -> Response:
        """Return the TwiML for the call Twilio describes in the form parameters."""
        _check_signature(validator, voice_url)
        twiml = route_call(request.form, settings, policy, cap)
        return Response(str(twiml), mimetype="text/xml")

    @bp.post("/voice/dial-complete")
    def dial_complete() -> Response:
        """The agents' <Dial> of an inbound call ended: hang up after a conversation, else
        tell the caller nobody is available (Twilio asks this instead of going on)."""
        _check_signature(validator, voice_url + "/dial-complete")
        twiml = after_dial(request.form)
        return Response(str(twiml), mimetype="text/xml")

    @bp.post("/voice/conference")
    def conference() -> Response:
        """A caller's conference changed (Twilio's conference status callback)."""
        _check_signature(validator, voice_url + "/conference")
        events.conference_changed(request.args, request.form)
        return Response(status=204)

    @bp.post("/voice/customer-status")
    def customer_status() -> Response:
        """The number an agent dialled rings, answers or fails (its status callback)."""
        _check_signature(validator, voice_url + "/customer-status")
        events.customer_progress(request.args, request.form)
        return Response(status=204)

    @bp.post("/voice/invite-status")
    def invite_status() -> Response:
        """An offered or transferred call ended (its status callback): was it answered?"""
        _check_signature(validator, voice_url + "/invite-status")
        events.invite_ended(request.args, request.form)
        return Response(status=204)

    return bp


def _check_signature(validator: RequestValidator, voice_url: str) -> None:
    signature = request.headers.get("X-Twilio-Signature")
    if not signature:
        raise InvalidSignature("request has no X-Twilio-Signature")
    # Twilio signs the URL it requested, so the URL comes from configuration, not from Host or
    # proxy headers; the query string is added back byte for byte.
    query = request.query_string.decode("latin-1")
    url = f"{voice_url}?{query}" if query else voice_url
    if not validator.validate(url, request.form, signature):
        raise InvalidSignature("X-Twilio-Signature does not match the request")


def route_call(
    params: Mapping[str, str], settings: Settings, policy: OutboundPolicy, cap: CallCap
) -> VoiceResponse:
    """Return the TwiML for a call with Twilio's form parameters params (To, From, CallSid).

    Never dials what policy refuses, so never a string that is not an E.164 number or an agent,
    nor for an agent whose calls in progress reach the cap.
    """
    callee = params.get("To", "")
    if callee == settings.twilio_caller_id:
        call_sid = params.get("CallSid", "")
        # The conference's name is how the service finds the call again: only a real CallSid.
        if not is_call_sid(call_sid):
            return _refuse(NOT_ROUTABLE)
        return _join_own_conference(call_sid, settings)
    caller = _client_identity(params.get("From", ""))
    if caller is not None:
        return _agent_call(caller, callee, params.get("CallSid", ""), settings, policy, cap)
    return _refuse(NOT_ROUTABLE)


def _join_own_conference(call_sid: str, settings: Settings) -> VoiceResponse:
    # The caller starts nothing (it hears the music until an agent joins) and ends everything
    # when it hangs up. With an action, Twilio asks /voice/dial-complete when it leaves the
    # conference instead of going on to the next verb.
    base = settings.public_url.rstrip("/") + "/voice"
    response = VoiceResponse()
    dial = response.dial(action=base + "/dial-complete")
    dial.conference(call_sid, participant_label=CUSTOMER, start_conference_on_enter=False,
                    end_conference_on_exit=True, wait_url=settings.hold_music_url, beep=False,
                    status_callback=base + "/conference", status_callback_event=CONFERENCE_EVENTS)
    return response


def after_dial(params: Mapping[str, str]) -> VoiceResponse:
    """Return the TwiML after the agents' <Dial>, by its DialCallStatus."""
    if params.get("DialCallStatus") in ("completed", "answered"):
        response = VoiceResponse()
        response.hangup()
        return response
    return nobody_available()


def nobody_available() -> VoiceResponse:
    """What a caller no agent answered hears, before the call ends."""
    return _refuse(NOBODY_AVAILABLE)


def _agent_call(
    caller: str, callee: str, call_sid: str, settings: Settings, policy: OutboundPolicy,
    cap: CallCap,
) -> VoiceResponse:
    if not callee:
        return _refuse(NO_NUMBER)
    refusal = policy.refusal(callee) or cap.refusal(caller, call_sid)
    log = {"event": "call_refused" if refusal else "call_placed", "caller": caller, "to": callee}
    if refusal is not None:
        logger.info("call refused: %s", refusal.code, extra={**log, "reason": refusal.code})
        return _refuse(refusal.message)
    logger.info("call placed", extra=log)
    if not callee.startswith(CLIENT_PREFIX):
        return _outbound_conference(caller, callee, call_sid, settings)
    response = VoiceResponse()
    dial = response.dial(caller_id=settings.twilio_caller_id)
    dial.client(callee.removeprefix(CLIENT_PREFIX))
    return response


def _outbound_conference(
    agent: str, number: str, call_sid: str, settings: Settings
) -> VoiceResponse:
    """An agent's call to a number: the agent joins a conference named after its CallSid, and
    the callbacks dial the number into it (call_events.py). The number rides in the signed
    callback URL: the agent's call is the conference's first participant, so its callback is
    the conference's."""
    if not is_call_sid(call_sid):
        return _refuse(NOT_ROUTABLE)
    base = settings.public_url.rstrip("/") + "/voice"
    response = VoiceResponse()
    dial = response.dial()
    dial.conference(call_sid, participant_label=label_for(Role.AGENT, agent),
                    start_conference_on_enter=True, end_conference_on_exit=False, beep=False,
                    status_callback=f"{base}/conference?{urlencode({'dial': number})}",
                    status_callback_event=CONFERENCE_EVENTS)
    return response


def _client_identity(address: str) -> str | None:
    """Return the identity in a "client:<identity>" address, or None if it is not one."""
    identity = address.removeprefix(CLIENT_PREFIX)
    return identity if address.startswith(CLIENT_PREFIX) and is_identity(identity) else None


def _refuse(message: str) -> VoiceResponse:
    response = VoiceResponse()
    response.say(message)
    response.hangup()
    return response
