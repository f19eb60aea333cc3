"""A call's life: webhook, TwiML run verb by verb, and its end.

Pure: the router changes :class:`~sandbox.signaling.calls.Call` objects and puts
messages, webhook requests and timers in the :class:`Outbox`; ``switchboard.py`` feeds
it what the devices say, the webhook's answers and the timers that fire. Ringing a
``<Dial>``'s targets is the :class:`~sandbox.signaling.dialing.Dialer`'s job.

How a call ends, and who is told:

- an agent still ringing gets ``cancel``; an agent in the call gets ``hangup``;
- the agent who placed an outbound call gets ``hangup``, with an ``error`` when the
  ``<Dial>`` failed (busy 31486, no answer 31480, declined 31603) or the webhook did;
- the one who hung up is told nothing; a call's status says how it ended;
- when an agent hangs up a phone's call, the phone's call goes on after the ``<Dial>``
  (its ``action``, or the next verb), as with Twilio.

Public names: CallEnded, CallRouter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.credentials import TwilioCredentials
from sandbox.signaling.calls import Call
from sandbox.signaling.calls import CallRegistry
from sandbox.signaling.calls import CallStatus
from sandbox.signaling.calls import Direction
from sandbox.signaling.dialing import Dialer
from sandbox.signaling.effects import Outbox
from sandbox.signaling.effects import TimerKey
from sandbox.signaling.protocol import ErrorCode
from sandbox.signaling.protocol import SignalingError
from sandbox.signaling.webhook import Dial
from sandbox.signaling.webhook import Hangup
from sandbox.signaling.webhook import Say
from sandbox.signaling.webhook import WebhookResult
from sandbox.signaling.webhook import voice_params

# What the caller's device hears when a <Dial> ends without an answer.
_DIAL_ERRORS = {
    CallStatus.BUSY: {"code": ErrorCode.BUSY_HERE, "message": "Busy Here"},
    CallStatus.NO_ANSWER: {"code": ErrorCode.TEMPORARILY_UNAVAILABLE,
                           "message": "Temporarily Unavailable"},
    CallStatus.REJECTED: {"code": ErrorCode.DECLINE, "message": "Decline"},
    CallStatus.FAILED: {"code": ErrorCode.UNKNOWN, "message": "Dial failed: invalid number"},
}


# DialCallStatus of a <Dial> action request, by how the Dial ended.
_DIAL_CALL_STATUS = {
    CallStatus.COMPLETED: "completed", CallStatus.BUSY: "busy", CallStatus.NO_ANSWER: "no-answer",
    CallStatus.REJECTED: "no-answer", CallStatus.CANCELED: "canceled", CallStatus.FAILED: "failed",
}


class CallEnded(Exception):
    """The call has already ended."""


class CallRouter:
    """Runs every call of one emulator; see the module docstring for the rules."""

    def __init__(
        self,
        registry: CallRegistry,
        outbox: Outbox,
        *,
        credentials: TwilioCredentials,
        webhook_url: str,
        ringers: Callable[[str], list[int]],
        clock: Callable[[], float],
        new_sid: Callable[[str], str],
        ring_seconds: float,
    ) -> None:
        self._registry = registry
        self._outbox = outbox
        self._credentials = credentials
        self._webhook_url = webhook_url
        self._clock = clock
        self._new_sid = new_sid
        self._dialer = Dialer(registry, outbox, account_sid=credentials.account_sid,
                              ringers=ringers, new_sid=new_sid, ring_seconds=ring_seconds,
                              on_dial_over=self._dial_over)

    # ---- Calls start: ask the webhook what to do.

    def place_inbound(self, caller: str, called: str) -> Call:
        """A phone calls ``called``: fetch TwiML for it."""
        call = Call(self._new_sid("CA"), Direction.INBOUND, caller, called, self._clock())
        self._start(call)
        return call

    def place_outbound(self, conn_id: int, identity: str, client_sid: str, offer: str,
                       custom: dict[str, str]) -> Call:
        """An agent's device sent ``invite``: fetch TwiML with its custom parameters.

        Raises:
            SignalingError: BAD_REQUEST if ``client_sid`` already names a call.
        """
        if self._registry.find(client_sid) is not None:
            raise SignalingError(ErrorCode.BAD_REQUEST, "callsid is already in use", client_sid)
        call = Call(self._new_sid("CA"), Direction.OUTBOUND, f"client:{identity}",
                    custom.get("To", ""), self._clock(), origin=conn_id,
                    client_sid=client_sid, offer=offer, params=custom)
        self._start(call)
        return call

    def _start(self, call: Call) -> None:
        self._registry.add(call)
        params = voice_params(
            account_sid=self._credentials.account_sid,
            application_sid=self._credentials.twiml_app_sid,
            call_sid=call.sid, caller=call.caller, called=call.called, custom=call.params,
        )
        call.webhook = {"url": self._webhook_url, "params": params, "status": None}
        self._outbox.fetch_twiml(call.sid, self._webhook_url, params)

    def twiml_received(self, call_sid: str, result: WebhookResult) -> None:
        """Act on the webhook's answer, unless the call ended while it was awaited."""
        call = self._registry.find(call_sid)
        if call is None or call.ended or call.webhook is None:
            return
        if call.awaiting_action:
            self._action_received(call, result)
            return
        call.webhook.update(status=result.status, twiml=result.twiml, error=result.error)
        if result.error is not None:
            self._end(call, CallStatus.FAILED, error={
                "code": ErrorCode.UNKNOWN, "message": f"Application error: {result.error}"})
            return
        call.program = result.verbs
        self._run(call)

    def _run(self, call: Call) -> None:
        """Run the TwiML from ``call.step``; a ringing ``<Dial>`` pauses it until
        the Dialer calls back; the end of the program ends the call."""
        while call.step < len(call.program):
            verb = call.program[call.step]
            call.step += 1
            match verb:
                case Say(text=text):
                    call.said.append(text)
                case Hangup():
                    break
                case Dial():
                    call.dial_action = verb.action
                    if self._dialer.dial(call, verb) or self._follow_action(call):
                        return
        outcome = call.dial_outcome or CallStatus.COMPLETED
        self._end(call, outcome, error=_DIAL_ERRORS.get(outcome))

    def _dial_over(self, call: Call) -> None:
        """The running ``<Dial>`` ended: POST its action, or go on with the next verb."""
        if not self._follow_action(call):
            self._run(call)

    def _follow_action(self, call: Call) -> bool:
        """POST the ended ``<Dial>``'s action with DialCallStatus, as Twilio does; return
        whether there was one (its TwiML then replaces the verbs after the Dial)."""
        action, call.dial_action = call.dial_action, None
        if not action or call.webhook is None:
            return False
        outcome = call.dial_outcome or CallStatus.COMPLETED
        params = {**call.webhook["params"], "CallStatus": "in-progress",
                  "DialCallStatus": _DIAL_CALL_STATUS.get(outcome, "failed")}
        call.actions.append({"url": action, "params": params, "status": None})
        call.awaiting_action = True
        self._outbox.fetch_twiml(call.sid, action, params)
        return True

    def _action_received(self, call: Call, result: WebhookResult) -> None:
        call.awaiting_action = False
        call.actions[-1].update(status=result.status, twiml=result.twiml, error=result.error)
        if result.error is not None:
            self._end(call, CallStatus.FAILED, error={
                "code": ErrorCode.UNKNOWN, "message": f"Application error: {result.error}"})
            return
        call.program = tuple(call.program[:call.step]) + result.verbs
        self._run(call)

    # ---- Devices answer and decline; timers fire (the Dialer's business).

    def answer(self, conn_id: int, callsid: str) -> None:
        """See :meth:`Dialer.answer`."""
        self._dialer.answer(conn_id, callsid)

    def reject(self, conn_id: int, callsid: str) -> None:
        """See :meth:`Dialer.reject`."""
        self._dialer.reject(conn_id, callsid)

    def timer_fired(self, key: TimerKey) -> None:
        """See :meth:`Dialer.timer_fired`."""
        self._dialer.timer_fired(key)

    # ---- Calls end.

    def hangup(self, conn_id: int, callsid: str) -> None:
        """A device hung up (or declined a ringing call); a late hangup does nothing.

        Raises:
            SignalingError: NOT_FOUND if the sid names no call this connection is part of.
        """
        call = self._registry.find(callsid)
        if call is not None and call.ended:
            return  # both ends hung up at once
        # Hanging up an invite is declining it (the SDK itself sends reject).
        if call is None or not self._leave(call, conn_id, CallStatus.REJECTED):
            raise SignalingError(ErrorCode.NOT_FOUND, "no call by that callsid here", callsid)

    def hang_up_far_end(self, sid: str) -> Call:
        """The phone (or the callee) hangs up: a ringing call is abandoned, others complete.

        Raises:
            CallNotFound: no call has that sid.
            CallEnded: the call has already ended.
        """
        call = self._registry.get(sid)
        if call.ended:
            raise CallEnded(sid)
        self._end(call, _hangup_status(call))
        return call

    def forget_connection(self, conn_id: int) -> None:
        """A connection closed: it leaves every call it was part of."""
        for call in self._registry.active():
            self._leave(call, conn_id, CallStatus.NO_ANSWER)

    def call_for(self, conn_id: int, callsid: str) -> Call:
        """Return the live call ``callsid`` names, if ``conn_id`` is part of it.

        Raises:
            SignalingError: NOT_FOUND otherwise.
        """
        call = self._registry.find(callsid)
        if call is None or call.ended or not call.involves(conn_id):
            raise SignalingError(ErrorCode.NOT_FOUND, "no call by that callsid here", callsid)
        return call

    def _leave(self, call: Call, conn_id: int, unanswered: CallStatus) -> bool:
        """``conn_id`` leaves ``call``; return whether it was part of it.

        A leg it was ringing for ends ``unanswered`` if no other device rings for it.
        """
        if conn_id == call.origin:
            self._end(call, _hangup_status(call), by=conn_id)
            return True
        for leg in call.legs:
            if conn_id in leg.ringing:
                self._dialer.stop_ringing_on(call, leg, conn_id, unanswered)
                return True
            if conn_id == leg.answered_by and leg.status is CallStatus.IN_PROGRESS:
                if call.origin is None:
                    # A phone called: like Twilio, its call goes on after the <Dial>.
                    leg.status = CallStatus.COMPLETED
                    call.dial_outcome = CallStatus.COMPLETED
                    self._dial_over(call)
                else:
                    self._end(call, CallStatus.COMPLETED, by=conn_id)
                return True
        return False

    def _end(self, call: Call, status: CallStatus, *, by: int | None = None,
             error: dict[str, Any] | None = None) -> None:
        """End ``call`` with ``status``, telling everyone in it but ``by``."""
        for leg in call.legs:
            if leg.status is CallStatus.RINGING:
                self._dialer.stop_ringing(leg, CallStatus.CANCELED)
            elif leg.status is CallStatus.IN_PROGRESS:
                if leg.answered_by not in (None, by):
                    self._outbox.send(leg.answered_by, "hangup", {"callsid": leg.sid})
                leg.status = CallStatus.COMPLETED
        if call.origin is not None and call.origin != by:
            self._outbox.send(call.origin, "hangup",
                              {"callsid": call.origin_sid, **({"error": error} if error else {})})
        call.status = status
        call.error = error
        call.ended_at = self._clock()
        self._registry.finish(call)


def _hangup_status(call: Call) -> CallStatus:
    return CallStatus.COMPLETED if call.status is CallStatus.IN_PROGRESS else CallStatus.CANCELED
