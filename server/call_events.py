"""What the service does when Twilio reports a change to a caller's conference.

Both come as signed callbacks (voice.py checks the signature), and every decision is made from
what they carry and a fresh REST read, never from memory (docs/call-control.md):

* the caller joined its conference: offer the call to the team;
* an offered agent (or a blind-transfer target) answered: stop ringing the rest of the team
  and take the caller off hold;
* an agent left: if the caller is left alone, the call ends; if everyone left is connected,
  the caller comes off hold;
* an offer went unanswered (declined, busy, unregistered, timed out) and nobody else is
  ringing or in: the caller hears that nobody is available;
* a blind-transfer target did not answer: the call is offered to the team again;
* a consultation target did not answer: the caller comes off hold with the agent;
* an agent's outbound call joined its conference: dial the number into it as the customer;
  that call answered or failed: tell the agent's SDK (a User Defined Message, which the
  toolbar reads as the call answered or failed, and why) and end a call that never started.

A callback about a conference or participant Twilio no longer has (it ended meanwhile; Twilio
answers 20404, or 21220 for a message to a call no longer in progress) needs nothing more: it
is logged and answered as done.

Public names: CallEvents.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping

from server.conference import CUSTOMER
from server.conference import CallView
from server.conference import Conferences
from server.conference import Role
from server.conference import role_of
from server.errors import TwilioRestError
from server.twilio_formats import is_call_sid
from server.twilio_formats import is_conference_sid
from server.twilio_formats import is_e164
from server.voice import nobody_available

logger = logging.getLogger(__name__)

_ANSWERING_ROLES = (Role.OFFER, Role.BLIND)
_NOT_FOUND = 20404  # Twilio's code for a resource it does not have (any more)
_NOT_IN_PROGRESS = 21220  # a message to a call that ended meanwhile
# What the agent's SDK is told of the number it dialled, by that call's CallStatus.
_CUSTOMER_NEWS = {"in-progress": "answered", "busy": "busy", "no-answer": "no-answer",
                  "failed": "failed"}


def _unless_gone(act: Callable[[], None]) -> None:
    """Run ``act``; a conference or participant Twilio no longer has leaves nothing to do."""
    try:
        act()
    except TwilioRestError as error:
        if error.twilio_code not in (_NOT_FOUND, _NOT_IN_PROGRESS):
            raise
        logger.info("callback about a call that is gone", extra={"event": "callback_gone"})


class CallEvents:
    """Reacts to conference and invitation callbacks through the REST client."""

    def __init__(self, conferences: Conferences) -> None:
        self._conferences = conferences

    def conference_changed(self, query: Mapping[str, str], form: Mapping[str, str]) -> None:
        """Act on one conference status callback (join and leave matter); ``query`` is the
        callback URL's (``dial``: the number an agent's outbound call is for)."""
        event = form.get("StatusCallbackEvent")
        if event in ("participant-join", "participant-leave") and \
                is_conference_sid(form.get("ConferenceSid", "")):
            _unless_gone(lambda: self._changed(event, query, form))

    def customer_progress(self, query: Mapping[str, str], form: Mapping[str, str]) -> None:
        """The number an agent dialled answered, or ended unanswered: tell the agent's SDK
        (what the toolbar shows and tells Fusion), and end a call that never started."""
        agent_call, status = query.get("agent", ""), form.get("CallStatus", "")
        if not is_call_sid(agent_call) or status not in _CUSTOMER_NEWS:
            return
        logger.info("outbound call progress", extra={
            "event": "outbound_progress", "call": agent_call, "outcome": status})
        _unless_gone(lambda: self._conferences.tell_agent(
            agent_call, {"customer": _CUSTOMER_NEWS[status]}))
        if status != "in-progress":
            _unless_gone(lambda: self._end_named(agent_call))

    def _end_named(self, name: str) -> None:
        view = self._conferences.by_name(name)
        if view is not None:
            self._conferences.end(view)

    def invite_ended(self, query: Mapping[str, str], form: Mapping[str, str]) -> None:
        """An invitation's call ended; act if it was never answered."""
        if form.get("CallStatus") not in (None, "completed"):
            _unless_gone(lambda: self._unanswered(query, form))

    def _changed(self, event: str, query: Mapping[str, str], form: Mapping[str, str]) -> None:
        label = form.get("ParticipantLabel", "")
        sid, name = form["ConferenceSid"], form.get("FriendlyName", "")
        view = self._conferences.view(sid, name)
        if event == "participant-join" and role_of(label)[0] is Role.AGENT:
            if view.customer() is None and is_e164(query.get("dial", "")):
                self._dial_customer(view, query["dial"], form.get("CallSid", ""))
        elif event == "participant-join":
            self._joined(view, label, form.get("CallSid", ""))
        elif label != CUSTOMER:
            self._left(view)

    def _dial_customer(self, view: CallView, number: str, agent_call: str) -> None:
        try:
            self._conferences.dial_customer(view, number, agent_call)
        except TwilioRestError as error:
            # Twilio refused or failed to dial: the agent must not wait in silence.
            logger.warning("could not dial the customer", extra={
                "event": "outbound_dial_failed", "call": agent_call,
                "outcome": error.twilio_code or error.code})
            self.customer_progress({"agent": agent_call}, {"CallStatus": "failed"})

    def _unanswered(self, query: Mapping[str, str], form: Mapping[str, str]) -> None:
        # Only unanswered calls come here: an answered one's leaving is a conference event.
        view = self._conferences.by_name(query.get("conference", ""))
        if view is None or view.customer() is None:
            return
        others = view.others(form.get("CallSid", ""))
        role = query.get("role")
        logger.info("invitation unanswered", extra={
            "event": "invitation_unanswered", "call": form.get("CallSid", ""),
            "role": role, "outcome": form.get("CallStatus")})
        if role == Role.OFFER and not others:
            self._conferences.tell_caller(view, str(nobody_available()))
        elif role == Role.BLIND and not others:
            self._conferences.offer_to_team(view)
        elif role == Role.CONSULT and not [m for m in others if m.role is Role.CONSULT]:
            self._conferences.hold(view, False)

    def _joined(self, view: CallView, label: str, call_sid: str) -> None:
        role, _ = role_of(label)
        if label == CUSTOMER and not view.others(""):
            self._conferences.offer_to_team(view)
        elif role in _ANSWERING_ROLES:
            for member in view.others(call_sid):
                if member.role is Role.OFFER and not member.connected:
                    self._conferences.remove(view, member.call_sid)
            customer = view.customer()
            if customer is not None and customer.hold:
                self._conferences.hold(view, False)

    def _left(self, view: CallView) -> None:
        customer = view.customer()
        if customer is None:
            return
        others = view.others("")
        if not others:
            self._conferences.end(view)
        elif customer.hold and all(member.connected for member in others):
            self._conferences.hold(view, False)
