"""Ringing a ``<Dial>``'s targets: invites, answers, rejects, timeouts, simulated phones.

Each target becomes a :class:`Leg` with its own CallSid. A ``<Client>`` leg invites
every registered connection of that identity; the first to answer wins and the others
get ``cancel``. A ``<Number>`` leg is a simulated phone (``calls.callee_for``). The
dial ends at the first answer, when no leg rings any more, or at its ``timeout``; the
:class:`Dialer` then hands the call back to its router through ``on_dial_over``.

Public names: Dialer.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.signaling import sdp
from sandbox.signaling.calls import Call
from sandbox.signaling.calls import Callee
from sandbox.signaling.calls import CallRegistry
from sandbox.signaling.calls import CallStatus
from sandbox.signaling.calls import Leg
from sandbox.signaling.calls import callee_for
from sandbox.signaling.effects import Outbox
from sandbox.signaling.effects import TimerKey
from sandbox.signaling.effects import TimerKind
from sandbox.signaling.protocol import ErrorCode
from sandbox.signaling.protocol import SignalingError
from sandbox.signaling.webhook import API_VERSION
from sandbox.signaling.webhook import Dial

# A <Dial> reports its legs' common outcome when they share one of these, else no-answer.
_SHARED_OUTCOMES = (CallStatus.BUSY, CallStatus.REJECTED, CallStatus.FAILED)


class Dialer:
    """Rings, answers and times out the legs of every call of one emulator."""

    def __init__(
        self,
        registry: CallRegistry,
        outbox: Outbox,
        *,
        account_sid: str,
        ringers: Callable[[str], list[int]],
        new_sid: Callable[[str], str],
        ring_seconds: float,
        on_dial_over: Callable[[Call], None],
        on_answered: Callable[[Call], None],
    ) -> None:
        self._registry = registry
        self._outbox = outbox
        self._account_sid = account_sid
        self._ringers = ringers  # identity -> its registered connections
        self._new_sid = new_sid
        self._ring_seconds = ring_seconds
        self._on_dial_over = on_dial_over
        # A REST-created call was answered: its own leg (same sid) connected.
        self._on_answered = on_answered

    def ring_call(self, call: Call, timeout: int) -> bool:
        """Ring a REST-created call's ``To`` as a leg with the call's own sid (step 0);
        return whether it rings. Unanswered, the call ends with the leg's outcome."""
        leg = Leg(call.sid, call.called, step=0)
        call.legs.append(leg)
        return self._ring_legs(call, [leg], timeout, None)

    def dial(self, call: Call, dial: Dial) -> bool:
        """Ring every target; return whether any rings (else ``dial_outcome`` is set)."""
        legs = [Leg(self._new_sid("CA"), target, step=call.step) for target in dial.targets]
        for leg in legs:
            call.legs.append(leg)
            self._registry.index(leg.sid, call)
        return self._ring_legs(call, legs, dial.timeout, dial.caller_id)

    def _ring_legs(self, call: Call, legs: list[Leg], timeout: int, caller_id: str | None) -> bool:
        call.dial_outcome = None
        for leg in legs:
            self._ring(call, leg, caller_id)
        if not call.ringing:
            call.dial_outcome = _outcome(call)
            return False
        call.status = CallStatus.RINGING
        if call.origin is not None:
            self._announce(call, call.origin, "ringing")
        self._outbox.start_timer(TimerKey(TimerKind.DIAL_TIMEOUT, call.sid, call.step), timeout)
        return True

    def _ring(self, call: Call, leg: Leg, caller_id: str | None) -> None:
        if leg.identity is None:
            match callee_for(leg.to):
                case Callee.BUSY:
                    leg.status = CallStatus.BUSY
                case Callee.INVALID:
                    leg.status = CallStatus.FAILED
                case Callee.ANSWERS:
                    self._outbox.start_timer(TimerKey(TimerKind.CALLEE_ANSWERS, leg.sid),
                                             self._ring_seconds)
            return
        leg.ringing = set(self._ringers(leg.identity))
        if not leg.ringing:
            leg.status = CallStatus.NO_ANSWER  # no registered device: nobody can answer
            return
        parameters = {"CallSid": leg.sid, "AccountSid": self._account_sid,
                      "From": caller_id or call.caller, "To": leg.to.partition("?")[0],
                      "ApiVersion": API_VERSION}
        if leg.custom:  # the SDK reads them as the incoming call's customParameters
            parameters["Params"] = leg.custom
        for conn_id in sorted(leg.ringing):
            self._outbox.send(conn_id, "invite",
                              {"callsid": leg.sid, "sdp": sdp.offer(), "parameters": parameters})

    def timer_fired(self, key: TimerKey) -> None:
        """A callee answers, or a ``<Dial>`` times out; stale timers do nothing."""
        call = self._registry.find(key.sid)
        if call is None or call.ended:
            return
        if key.kind is TimerKind.CALLEE_ANSWERS:
            leg = call.leg(key.sid)
            if leg is not None and leg.status is CallStatus.RINGING:
                self._connect(call, leg, None)
        elif call.status is CallStatus.RINGING and call.step == key.step:
            for leg in call.legs:
                if leg.status is CallStatus.RINGING:
                    self.stop_ringing(leg, CallStatus.NO_ANSWER)
            self._dial_over(call)

    def answer(self, conn_id: int, callsid: str) -> None:
        """A device answered an invite; it gets ``cancel`` if someone else was first.

        Raises:
            SignalingError: NOT_FOUND if no leg has that sid.
        """
        call, leg = self._leg(callsid)
        if conn_id in leg.ringing and leg.status is CallStatus.RINGING:
            self._connect(call, leg, conn_id)
        else:
            self._outbox.send(conn_id, "cancel", {"callsid": callsid})

    def reject(self, conn_id: int, callsid: str) -> None:
        """A device declined an invite; a late reject (after ``cancel``) does nothing.

        Raises:
            SignalingError: NOT_FOUND if no leg has that sid.
        """
        call, leg = self._leg(callsid)
        if conn_id in leg.ringing:
            self.stop_ringing_on(call, leg, conn_id, CallStatus.REJECTED)

    def stop_ringing(self, leg: Leg, status: CallStatus) -> None:
        """End ``leg`` with ``status``; devices still ringing for it get ``cancel``."""
        for conn_id in sorted(leg.ringing):
            self._outbox.send(conn_id, "cancel", {"callsid": leg.sid})
        leg.ringing.clear()
        leg.status = status

    def stop_ringing_on(self, call: Call, leg: Leg, conn_id: int, status: CallStatus) -> None:
        """One device stops ringing; the leg ends with ``status`` when none is left,
        and the dial when no leg rings."""
        leg.ringing.discard(conn_id)
        if not leg.ringing and leg.status is CallStatus.RINGING:
            leg.status = status
        if call.status is CallStatus.RINGING and not call.ringing:
            self._dial_over(call)

    def _connect(self, call: Call, leg: Leg, conn_id: int | None) -> None:
        if conn_id is not None:
            leg.ringing.discard(conn_id)
        self.stop_ringing(leg, CallStatus.IN_PROGRESS)
        leg.answered_by = conn_id
        for other in call.legs:
            if other.status is CallStatus.RINGING:
                self.stop_ringing(other, CallStatus.CANCELED)
        call.status = CallStatus.IN_PROGRESS
        self.answer_origin(call)
        if leg.sid == call.sid:
            self._on_answered(call)

    def answer_origin(self, call: Call) -> None:
        """Tell the SDK that placed ``call`` (if one did) that Twilio answered it."""
        if call.origin is not None:
            self._announce(call, call.origin, "answer", sdp=sdp.answer(call.offer or ""))

    def _dial_over(self, call: Call) -> None:
        call.dial_outcome = _outcome(call)
        self._on_dial_over(call)

    def _announce(self, call: Call, origin: int, kind: str, **payload: str) -> None:
        # ringing and answer carry the CA… sid; the SDK adopts it as its CallSid.
        call.announced = True
        self._outbox.send(origin, kind, {"callsid": call.sid, **payload})

    def _leg(self, callsid: str) -> tuple[Call, Leg]:
        call = self._registry.find(callsid)
        leg = call.leg(callsid) if call is not None else None
        if call is None or leg is None:
            raise SignalingError(ErrorCode.NOT_FOUND, "no incoming call by that callsid", callsid)
        return call, leg


def _outcome(call: Call) -> CallStatus:
    """The result of the ``<Dial>`` that just ended (its legs carry its step)."""
    statuses = {leg.status for leg in call.legs if leg.step == call.step}
    if len(statuses) == 1 and (status := statuses.pop()) in _SHARED_OUTCOMES:
        return status
    return CallStatus.NO_ANSWER
