"""Calls, their legs, the registry that finds them, and the simulated phones.

A :class:`Call` is what rings Twilio: a phone calling the sandbox's number (direction
``inbound``, placed through the control API) or an agent's ``device.connect()``
(``outbound``). Its TwiML may ``<Dial>`` targets, each a :class:`Leg`: an agent's
identity (ringing all of its registered connections, first to answer wins) or a
number, answered by a simulated phone (:func:`callee_for`).

Public names: CallStatus, ENDED, Direction, ApiOrder, Callee, BUSY_NUMBER, NO_ANSWER_NUMBER,
callee_for, Leg, Call, CallNotFound, CallRegistry.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from dataclasses import field
from enum import Enum
from enum import StrEnum
from typing import Any

from sandbox.signaling.webhook import Verb
from server.twilio_formats import is_e164

CLIENT_PREFIX = "client:"


class CallStatus(StrEnum):
    """Twilio's call statuses, plus ``rejected`` for a leg an agent declined."""

    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    CANCELED = "canceled"
    FAILED = "failed"
    REJECTED = "rejected"


ENDED = frozenset({CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER,
                   CallStatus.CANCELED, CallStatus.FAILED, CallStatus.REJECTED})


class Direction(StrEnum):
    INBOUND = "inbound"  # a phone calls the sandbox's number; agents' devices ring
    OUTBOUND = "outbound"  # an agent's device places the call
    OUTBOUND_API = "outbound-api"  # created over REST (a call, or a conference participant)


@dataclass
class ApiOrder:
    """What a REST-created call does once answered, and whom it tells about its progress."""

    url: str | None = None  # fetch TwiML here (signed POST) ...
    program: tuple[Verb, ...] = ()  # ... or run this (Twiml, or a participant's conference)
    status_callback: str | None = None
    status_events: frozenset[str] = frozenset({"completed"})
    timeout: int = 60
    callbacks_sent: int = 0


class Callee(Enum):
    """How a dialled number behaves."""

    ANSWERS = "answers"  # rings for the emulator's ring time, then answers
    BUSY = "busy"
    NEVER_ANSWERS = "never-answers"  # rings until the caller gives up or <Dial timeout>
    INVALID = "invalid"  # not E.164: the leg fails at once


# SIP's own codes, easy to remember: 486 Busy Here, 480 Temporarily Unavailable.
BUSY_NUMBER = "+15550000486"
NO_ANSWER_NUMBER = "+15550000480"
_SPECIAL_NUMBERS = {BUSY_NUMBER: Callee.BUSY, NO_ANSWER_NUMBER: Callee.NEVER_ANSWERS}


def callee_for(number: str) -> Callee:
    """Return how ``number`` answers: any E.164 number answers but the special ones."""
    if not is_e164(number):
        return Callee.INVALID
    return _SPECIAL_NUMBERS.get(number, Callee.ANSWERS)


@dataclass
class Leg:
    """One ``<Dial>`` target of a call; it has its own CallSid, as on Twilio."""

    sid: str
    to: str  # an E.164 number or "client:<identity>"
    status: CallStatus = CallStatus.RINGING
    # Connections the invite went to that have not answered, rejected or gone.
    ringing: set[int] = field(default_factory=set)
    answered_by: int | None = None
    # The program step of the <Dial> that created it.
    step: int = 0

    @property
    def identity(self) -> str | None:
        # A REST ``To`` may carry custom parameters: client:alice?TransferredBy=bob.
        address = self.to.partition("?")[0]
        return address.removeprefix(CLIENT_PREFIX) if address.startswith(CLIENT_PREFIX) else None

    @property
    def custom(self) -> str:
        """The custom parameters of a ``client:<identity>?…`` address, as a query string."""
        return self.to.partition("?")[2] if self.identity is not None else ""

    def to_json(self) -> dict[str, Any]:
        return {"sid": self.sid, "to": self.to, "status": self.status,
                "ringing": sorted(self.ringing), "answered_by": self.answered_by}


@dataclass
class Call:
    """A call and what happened to it; ``program`` is its TwiML, run from ``step``."""

    sid: str
    direction: Direction
    caller: str
    called: str
    created_at: float
    # Outbound only: the agent's connection, the SDK's temporary TJS… id and its offer.
    origin: int | None = None
    client_sid: str | None = None
    offer: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    status: CallStatus = CallStatus.QUEUED
    legs: list[Leg] = field(default_factory=list)
    program: tuple[Verb, ...] = ()
    step: int = 0
    dial_outcome: CallStatus | None = None
    # The running <Dial>'s action URL; the action requests made (url, params, status, twiml).
    dial_action: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    awaiting_action: bool = False
    # Whether the origin has been told the CA… sid (by ringing or answer).
    announced: bool = False
    said: list[str] = field(default_factory=list)
    dtmf: list[str] = field(default_factory=list)
    webhook: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    ended_at: float | None = None
    answered_at: float | None = None
    api: ApiOrder | None = None  # REST-created calls only
    conference: str | None = None  # the CF… sid of the conference it is in
    # What it was played (<Play>, wait, hold and announce URLs) and when it was on hold.
    played: list[dict[str, Any]] = field(default_factory=list)
    holds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def origin_sid(self) -> str:
        """The sid the origin's SDK knows this call by (``hangup`` must match it)."""
        return self.sid if self.announced or self.client_sid is None else self.client_sid

    @property
    def ringing(self) -> bool:
        """Whether any leg still rings."""
        return any(leg.status is CallStatus.RINGING for leg in self.legs)

    def leg(self, sid: str) -> Leg | None:
        return next((leg for leg in self.legs if leg.sid == sid), None)

    def involves(self, conn_id: int) -> bool:
        """Whether ``conn_id`` placed this call, answered it or is being rung for it."""
        return conn_id == self.origin or any(
            conn_id == leg.answered_by or conn_id in leg.ringing for leg in self.legs
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "sid": self.sid, "direction": self.direction, "from": self.caller, "to": self.called,
            "status": self.status, "origin": self.origin, "client_sid": self.client_sid,
            "params": self.params, "legs": [leg.to_json() for leg in self.legs],
            "webhook": self.webhook, "actions": self.actions, "said": self.said, "dtmf": self.dtmf,
            "played": self.played, "holds": self.holds, "conference": self.conference,
            "error": self.error, "created_at": self.created_at, "ended_at": self.ended_at,
        }


class CallNotFound(LookupError):
    """No call, leg or client id by that sid (any more)."""


class CallRegistry:
    """Every live call, and the last ``history`` ended ones, by any of their sids."""

    def __init__(self, *, history: int = 200) -> None:
        self._history = history
        self._calls: dict[str, Call] = {}
        self._by_sid: dict[str, Call] = {}
        self._ended: deque[Call] = deque()

    def add(self, call: Call) -> None:
        self._calls[call.sid] = call
        self.index(call.sid, call)
        if call.client_sid is not None:
            self.index(call.client_sid, call)

    def index(self, sid: str, call: Call) -> None:
        """Make ``call`` findable by ``sid`` too (a leg's)."""
        self._by_sid[sid] = call

    def find(self, sid: str) -> Call | None:
        return self._by_sid.get(sid)

    def get(self, sid: str) -> Call:
        """Return the call with this call, leg or client sid.

        Raises:
            CallNotFound: if there is none, or it ended too long ago to be kept.
        """
        call = self._by_sid.get(sid)
        if call is None:
            raise CallNotFound(sid)
        return call

    def all(self) -> list[Call]:
        """Every call kept, oldest first."""
        return list(self._calls.values())

    def active(self) -> list[Call]:
        return [call for call in self._calls.values() if not call.ended]

    def finish(self, call: Call) -> None:
        """Note that ``call`` ended; forget the oldest ended calls beyond ``history``."""
        self._ended.append(call)
        while len(self._ended) > self._history:
            old = self._ended.popleft()
            del self._calls[old.sid]
            for sid in [old.sid, old.client_sid, *(leg.sid for leg in old.legs)]:
                self._by_sid.pop(sid, None)

    def to_json(self) -> list[dict[str, Any]]:
        return [call.to_json() for call in self._calls.values()]
