"""Every call is a conference: what it is, read from Twilio alone (docs/call-control.md).

The service keeps nothing about a call in memory. A conference is named after the CallSid of
the call that made it (the caller's, or the agent's for an outbound call); each participant's
label says who it is:

* ``customer``: the caller (``endConferenceOnExit``: the caller hanging up ends it for all);
* ``agent:<identity>``: the agent whose outbound call it is (then the customer is the number
  the agent dialled, added over REST);
* ``offer:<identity>``: an agent the call is offered to (the team; the first to answer wins);
* ``blind:<identity or number>``: the target of a blind transfer;
* ``consult:<identity or number>``: the target of a consultation.

So any instance can answer "whose call is this, who is on hold" with a REST read, and the
signed callbacks (voice.py) carry the labels that say what changed.

Public names: CUSTOMER, Role, Member, CallView, role_of, label_for, Conferences.
"""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum
from urllib.parse import urlencode

from server.config import Settings
from server.outbound_policy import CLIENT_PREFIX
from server.twilio_rest import TwilioRest

CUSTOMER = "customer"
# What the team's and transfer targets' calls report: the caller leaves a conference as soon
# as it ends, so these are the only events the service needs.
CONFERENCE_EVENTS = "start end join leave"
# How long a number an agent dialled rings: Twilio's <Dial> default, as before conferences.
OUTBOUND_RING_SECONDS = 30


class Role(StrEnum):
    AGENT = "agent"
    OFFER = "offer"
    BLIND = "blind"
    CONSULT = "consult"


@dataclasses.dataclass(frozen=True)
class Member:
    """One participant: its call, label, whether it is connected (answered) and held."""

    call_sid: str
    label: str
    connected: bool
    hold: bool

    @property
    def role(self) -> Role | None:
        return role_of(self.label)[0]

    @property
    def party(self) -> str:
        """The identity or number after the role, "" for the customer."""
        return role_of(self.label)[1]


@dataclasses.dataclass(frozen=True)
class CallView:
    """A caller's conference as Twilio has it now."""

    sid: str
    name: str
    members: tuple[Member, ...]

    def customer(self) -> Member | None:
        return next((m for m in self.members if m.label == CUSTOMER), None)

    def others(self, call_sid: str) -> list[Member]:
        """Every participant but the customer and ``call_sid``, answered or still ringing."""
        return [m for m in self.members if m.label != CUSTOMER and m.call_sid != call_sid]

    def member(self, call_sid: str) -> Member | None:
        return next((m for m in self.members if m.call_sid == call_sid), None)


def role_of(label: str) -> tuple[Role | None, str]:
    """Split ``offer:alice`` into (Role.OFFER, "alice"); anything else is (None, "")."""
    prefix, colon, party = label.partition(":")
    if not colon or prefix not in Role.__members__.values():
        return None, ""
    return Role(prefix), party


def label_for(role: Role, party: str) -> str:
    return f"{role}:{party}"


def is_number(party: str) -> bool:
    return party.startswith("+")


class Conferences:
    """REST reads and changes of callers' conferences, through the one REST client."""

    def __init__(self, settings: Settings, rest: TwilioRest) -> None:
        self._settings = settings
        self._rest = rest
        base = settings.public_url.rstrip("/")
        self.events_url = base + "/voice/conference"
        self.invite_url = base + "/voice/invite-status"
        self.customer_url = base + "/voice/customer-status"

    # ---- Reading.

    def view(self, conference_sid: str, name: str) -> CallView:
        participants = self._rest.call(
            lambda c: c.conferences(conference_sid).participants.list(page_size=100))
        members = tuple(Member(p.call_sid, p.label or "", p.status == "connected", bool(p.hold))
                        for p in participants)
        return CallView(conference_sid, name, members)

    def by_name(self, name: str) -> CallView | None:
        rooms = self._rest.call(lambda c: c.conferences.list(friendly_name=name, limit=5))
        live = [room for room in rooms if room.status != "completed"]
        return self.view(live[0].sid, name) if live else None

    def live_views(self) -> list[CallView]:
        """Every conference not yet ended: one list, then one read per conference."""
        rooms = [room for status in ("init", "in-progress") for room in self._rest.call(
            lambda c, s=status: c.conferences.list(status=s, page_size=1000, limit=1000))]
        return [self.view(room.sid, room.friendly_name) for room in rooms]

    def of_call(self, call_sid: str) -> CallView | None:
        """The conference ``call_sid`` is a participant of, or None."""
        return next((view for view in self.live_views() if view.member(call_sid)), None)

    def fetch_call(self, call_sid: str) -> object:
        """Raises TwilioRestError (twilio_code 20404) for an unknown call."""
        return self._rest.call(lambda c: c.calls(call_sid).fetch())

    def caller_number(self, view: CallView) -> str:
        """The customer's number: who called us, or whom an agent called."""
        customer = view.customer()
        if customer is None:
            return self._settings.twilio_caller_id
        call = self._rest.call(lambda c: c.calls(customer.call_sid).fetch())
        return call.to if call._from == self._settings.twilio_caller_id else call._from

    # ---- Changing.

    def hold(self, view: CallView, hold: bool) -> None:
        customer = view.customer()
        if customer is None:
            return
        self._rest.call(lambda c: c.conferences(view.sid).participants(customer.call_sid).update(
            hold=hold, hold_url=self._settings.hold_music_url if hold else None))

    def invite(self, view: CallView, role: Role, party: str, *, timeout: int,
               transferred_by: str | None = None) -> str:
        """Ring ``party`` (identity or number) into the conference; return the new call's sid."""
        if is_number(party):
            to, caller = party, self._settings.twilio_caller_id
        else:
            to = CLIENT_PREFIX + party
            if transferred_by:
                to += f"?TransferredBy={transferred_by}"
            caller = self.caller_number(view)
        query = f"?conference={view.name}&role={role}"
        participant = self._rest.call(lambda c: c.conferences(view.sid).participants.create(
            from_=caller, to=to, label=label_for(role, party), timeout=timeout,
            start_conference_on_enter=True, end_conference_on_exit=False, early_media=True,
            status_callback=self.invite_url + query, status_callback_event=["completed"]))
        return participant.call_sid

    def dial_customer(self, view: CallView, number: str, agent_call: str) -> None:
        """Ring the number an agent dialled into the agent's conference, as the customer: its
        ringing heard by the agent (early media), its progress reported to customer_url."""
        query = urlencode({"agent": agent_call})
        self._rest.call(lambda c: c.conferences(view.sid).participants.create(
            from_=self._settings.twilio_caller_id, to=number, label=CUSTOMER,
            timeout=OUTBOUND_RING_SECONDS, start_conference_on_enter=True,
            end_conference_on_exit=True, early_media=True,
            status_callback=f"{self.customer_url}?{query}",
            status_callback_event=["answered", "completed"]))

    def tell_agent(self, agent_call: str, content: dict[str, str]) -> None:
        """Tell the agent's SDK about its call (a User Defined Message: messageReceived)."""
        self._rest.call(lambda c: c.calls(agent_call).user_defined_messages.create(
            content=json.dumps(content)))

    def offer_to_team(self, view: CallView) -> None:
        """Ring every agent (the team) for the caller; the first to answer wins."""
        for agent in self._settings.agents:
            self.invite(view, Role.OFFER, agent, timeout=self._settings.dial_timeout)

    def remove(self, view: CallView, call_sid: str) -> None:
        self._rest.call(lambda c: c.conferences(view.sid).participants(call_sid).delete())

    def end(self, view: CallView) -> None:
        self._rest.call(lambda c: c.conferences(view.sid).update(status="completed"))

    def tell_caller(self, view: CallView, twiml: str) -> None:
        """Take the caller out of the conference to hear ``twiml`` (it then hangs up)."""
        customer = view.customer()
        if customer is not None:
            self._rest.call(lambda c: c.calls(customer.call_sid).update(twiml=twiml))

