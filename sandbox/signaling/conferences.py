"""Conferences: rooms that calls join with ``<Dial><Conference>`` or as REST participants.

Pure, like the router: it changes :class:`Room` and :class:`Participant` objects, notes on
each call what it was played and when it was on hold, and puts status callbacks in the
:class:`Outbox`. The rules, as Twilio documents them (docs/twilio-rest.md):

- a room is created by its first participant (TwiML, or a REST participant dialled into an
  unknown name) and takes its status callback and events from that one only;
- it starts (``in-progress``) when a participant with ``startConferenceOnEnter`` is in;
  until then participants hear the wait URL (recorded as played);
- it ends when a participant with ``endConferenceOnExit`` leaves, when the last one leaves,
  or over REST; the calls still in it then go on after their ``<Dial>`` (``on_released``);
- a participant removed over REST leaves, and its call ends.

Public names: ConferenceStatus, Participant, Room, ConferenceNotFound, ParticipantNotFound,
Conferences.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum
from typing import Any

from sandbox.signaling.calls import CallRegistry
from sandbox.signaling.effects import Outbox
from sandbox.signaling.webhook import Conference
from sandbox.signaling.webhook import twilio_date

DEFAULT_WAIT_URL = "https://twimlets.com/holdmusic?Bucket=com.twilio.music.classical"

# The subscription (statusCallbackEvent word) each callback event belongs to.
_SUBSCRIPTION = {
    "conference-start": "start", "conference-end": "end", "participant-join": "join",
    "participant-leave": "leave", "participant-mute": "mute", "participant-unmute": "mute",
    "participant-hold": "hold", "participant-unhold": "hold", "participant-modify": "modify",
}


class ConferenceStatus(StrEnum):
    INIT = "init"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"


@dataclass
class Participant:
    """One call in a room; ``status`` is Twilio's (``queued`` until a dialled one answers)."""

    call_sid: str
    conference_sid: str
    options: Conference
    created_at: float
    updated_at: float
    status: str = "queued"
    muted: bool = False
    hold: bool = False
    end_on_exit: bool = False
    coaching: bool = False
    call_sid_to_coach: str | None = None

    @property
    def label(self) -> str | None:
        return self.options.label

    @property
    def connected(self) -> bool:
        return self.status == "connected"

    def to_json(self) -> dict[str, Any]:
        """The control API's view."""
        return {"call_sid": self.call_sid, "label": self.label, "hold": self.hold,
                "muted": self.muted, "coaching": self.coaching,
                "end_conference_on_exit": self.end_on_exit, "status": self.status}


@dataclass
class Room:
    sid: str
    friendly_name: str
    created_at: float
    updated_at: float
    status_callback: str | None
    status_events: frozenset[str]
    status: ConferenceStatus = ConferenceStatus.INIT
    participants: dict[str, Participant] = field(default_factory=dict)
    reason_ended: str | None = None
    call_sid_ending: str | None = None
    sequence: int = 0

    @property
    def connected(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.connected]

    def to_json(self) -> dict[str, Any]:
        """The control API's view."""
        return {"sid": self.sid, "friendly_name": self.friendly_name, "status": self.status,
                "participants": [p.to_json() for p in self.participants.values()]}


class ConferenceNotFound(LookupError):
    """No conference by that sid (or no active one by that name)."""


class ParticipantNotFound(LookupError):
    """No participant by that call sid or label in the conference."""


class Conferences:
    """Every room of one emulator, the last ``history`` ended ones included."""

    def __init__(
        self,
        calls: CallRegistry,
        outbox: Outbox,
        *,
        account_sid: str,
        clock: Callable[[], float],
        new_sid: Callable[[str], str],
        on_released: Callable[[str, bool], None],
        history: int = 200,
    ) -> None:
        self._calls = calls
        self._outbox = outbox
        self._account_sid = account_sid
        self._clock = clock
        self._new_sid = new_sid
        # on_released(call_sid, hang_up): the call leaves its <Dial>; hang_up ends it instead.
        self._on_released = on_released
        self._rooms: dict[str, Room] = {}
        self._ended: deque[str] = deque()
        self._history = history

    # ---- Finding rooms and participants.

    def rooms(self) -> list[Room]:
        return list(self._rooms.values())

    def get(self, sid: str) -> Room:
        """Raises ConferenceNotFound."""
        room = self._rooms.get(sid)
        if room is None:
            raise ConferenceNotFound(sid)
        return room

    def active(self, name: str) -> Room | None:
        return next((room for room in self._rooms.values() if room.friendly_name == name
                     and room.status is not ConferenceStatus.COMPLETED), None)

    def by_sid_or_name(self, key: str, *, create_for: Conference | None = None) -> Room:
        """The room ``key`` names (a CF… sid, or an active room's name); with ``create_for``,
        an unknown name creates one, as a REST participant does.

        Raises:
            ConferenceNotFound: no such room, or the sid names one that has ended.
        """
        room = self._rooms.get(key) or self.active(key)
        if room is None and create_for is not None and not key.startswith("CF"):
            room = self._create(create_for)
        if room is None or (create_for and room.status is ConferenceStatus.COMPLETED):
            raise ConferenceNotFound(key)
        return room

    @staticmethod
    def participant(room: Room, key: str) -> Participant:
        """The participant with call sid or label ``key``; raises ParticipantNotFound."""
        found = room.participants.get(key) or next(
            (p for p in room.participants.values() if p.label == key), None)
        if found is None:
            raise ParticipantNotFound(key)
        return found

    # ---- Joining and leaving.

    def expect(self, room: Room, call_sid: str, options: Conference) -> Participant:
        """A REST participant is being dialled into ``room``; it joins when answered.
        The caller checks its label first (``label_taken``)."""
        participant = self._participant(room, call_sid, options)
        room.participants[call_sid] = participant
        return participant

    def join(self, call_sid: str, options: Conference) -> bool:
        """The call's ``<Dial><Conference>`` runs (or its REST participant answered);
        return False when it cannot join (a duplicate label: it goes on after the Dial)."""
        room = self.active(options.name) or self._create(options)
        participant = room.participants.get(call_sid)
        if participant is None:
            if self.label_taken(room, options.label):
                return False
            participant = room.participants[call_sid] = self._participant(room, call_sid, options)
        participant.status = "connected"
        call = self._calls.get(call_sid)
        call.conference = room.sid
        self._event(room, "participant-join", participant)
        if room.status is ConferenceStatus.INIT and participant.options.start_on_enter:
            room.status = ConferenceStatus.IN_PROGRESS
            self._event(room, "conference-start")
        if room.status is ConferenceStatus.INIT:
            self._play(call_sid, options.wait_url or DEFAULT_WAIT_URL, "wait")
        return True

    def leave(self, call_sid: str, reason: str = "participant_hung_up") -> None:
        """The call left (it ended, or new TwiML took it away); idempotent."""
        room = self._room_of(call_sid)
        if room is None:
            return
        participant = room.participants.pop(call_sid)
        self._stop_hold(participant)
        if not participant.connected:  # dialled, never answered
            if not room.participants:
                self._end(room, "last-participant-left", None)
            return
        participant.status = "complete"
        call = self._calls.find(call_sid)
        self._event(room, "participant-leave", participant, ReasonParticipantLeft=reason,
                    ParticipantCallStatus=call.status if call is not None else "completed")
        if room.status is ConferenceStatus.IN_PROGRESS and participant.end_on_exit:
            self._end(room, "participant-with-end-conference-on-exit-left", participant)
        elif not room.connected:
            self._end(room, "last-participant-left", participant)

    def kick(self, room: Room, participant: Participant) -> None:
        """REST delete: the participant leaves and its call ends."""
        self.leave(participant.call_sid, "participant_updated_via_api")
        self._on_released(participant.call_sid, True)

    def end(self, room: Room) -> None:
        """REST ``Status=completed``; ending an ended room does nothing."""
        if room.status is not ConferenceStatus.COMPLETED:
            self._end(room, "conference-ended-via-api", None)

    # ---- Changes over REST.

    def update(self, participant: Participant, *, hold: bool | None = None,
               hold_url: str | None = None, muted: bool | None = None,
               end_on_exit: bool | None = None, coaching: bool | None = None,
               call_sid_to_coach: str | None = None, announce_url: str | None = None) -> None:
        """Apply a participant update; each change sends its own callback, as Twilio does."""
        room = self.get(participant.conference_sid)
        participant.updated_at = self._clock()
        if hold is not None and hold != participant.hold:
            participant.hold = hold
            if hold:
                call = self._calls.get(participant.call_sid)
                call.holds.append({"start": self._clock(), "end": None, "hold_url": hold_url})
                if hold_url:
                    self._play(participant.call_sid, hold_url, "hold")
            else:
                self._stop_hold(participant)
            self._event(room, "participant-hold" if hold else "participant-unhold", participant)
        if muted is not None and muted != participant.muted:
            participant.muted = muted
            self._event(room, "participant-mute" if muted else "participant-unmute",
                        participant)
        modified = False
        for name, value in (("end_on_exit", end_on_exit), ("coaching", coaching),
                            ("call_sid_to_coach", call_sid_to_coach)):
            if value is not None and getattr(participant, name) != value:
                setattr(participant, name, value)
                modified = True
        if modified:
            self._event(room, "participant-modify", participant)
        if announce_url:
            self._play(participant.call_sid, announce_url, "announce")

    def announce(self, room: Room, url: str) -> None:
        """REST ``AnnounceUrl`` on the conference: every participant is played it."""
        for participant in room.connected:
            self._play(participant.call_sid, url, "announce")

    # ---- Internals.

    def _create(self, options: Conference) -> Room:
        now = self._clock()
        room = Room(self._new_sid("CF"), options.name, now, now,
                    status_callback=options.status_callback,
                    status_events=options.status_events)
        self._rooms[room.sid] = room
        return room

    def _participant(self, room: Room, call_sid: str, options: Conference) -> Participant:
        now = self._clock()
        return Participant(call_sid, room.sid, options, now, now, muted=options.muted,
                           end_on_exit=options.end_on_exit, coaching=options.coaching,
                           call_sid_to_coach=options.coach)

    @staticmethod
    def label_taken(room: Room, label: str | None) -> bool:
        """Whether another participant of ``room`` has ``label`` (Twilio's 16025)."""
        return label is not None and any(p.label == label for p in room.participants.values())

    def _room_of(self, call_sid: str) -> Room | None:
        return next((room for room in self._rooms.values()
                     if call_sid in room.participants), None)

    def _end(self, room: Room, reason: str, by: Participant | None) -> None:
        room.status = ConferenceStatus.COMPLETED
        room.reason_ended = reason
        room.call_sid_ending = by.call_sid if by is not None else None
        room.updated_at = self._clock()
        why = ("conference_ended_via_api" if reason == "conference-ended-via-api"
               else "moderator_ended_conference")
        remaining = list(room.participants.values())
        joined = {p.call_sid for p in remaining if p.connected}
        room.participants.clear()
        for participant in remaining:
            self._stop_hold(participant)
            if participant.connected:
                participant.status = "complete"
                self._event(room, "participant-leave", participant, ReasonParticipantLeft=why,
                            ParticipantCallStatus="in-progress")
        self._event(room, "conference-end", ReasonConferenceEnded=reason, Reason=reason,
                    CallSidEndingConference=room.call_sid_ending or "",
                    ParticipantLabelEndingConference=(by.label or "") if by else "")
        self._forget_old(room)
        for participant in remaining:
            # Those in the room go on after their <Dial>; those still being dialled hang up.
            self._on_released(participant.call_sid, participant.call_sid not in joined)

    def _forget_old(self, room: Room) -> None:
        self._ended.append(room.sid)
        while len(self._ended) > self._history:
            self._rooms.pop(self._ended.popleft(), None)

    def _stop_hold(self, participant: Participant) -> None:
        call = self._calls.find(participant.call_sid)
        if call is not None and call.holds and call.holds[-1]["end"] is None:
            call.holds[-1]["end"] = self._clock()

    def _play(self, call_sid: str, url: str, kind: str) -> None:
        call = self._calls.find(call_sid)
        if call is not None:
            call.played.append({"url": url, "as": kind, "at": self._clock()})

    def _event(self, room: Room, event: str, participant: Participant | None = None,
               **extra: str) -> None:
        """POST the callback ``event`` if the room's first participant subscribed to it."""
        if room.status_callback is None or _SUBSCRIPTION[event] not in room.status_events:
            return
        params = {"ConferenceSid": room.sid, "FriendlyName": room.friendly_name,
                  "AccountSid": self._account_sid, "SequenceNumber": str(room.sequence),
                  "Timestamp": twilio_date(self._clock()), "StatusCallbackEvent": event}
        room.sequence += 1
        if participant is not None:
            params.update(
                CallSid=participant.call_sid, Muted=_flag(participant.muted),
                Hold=_flag(participant.hold), Coaching=_flag(participant.coaching),
                EndConferenceOnExit=_flag(participant.end_on_exit),
                StartConferenceOnEnter=_flag(participant.options.start_on_enter))
            if participant.label:
                params["ParticipantLabel"] = participant.label
        params.update(extra)
        self._outbox.post_callback(room.status_callback, params)


def _flag(value: bool) -> str:
    return "true" if value else "false"
