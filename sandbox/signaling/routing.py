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

A REST-created call (``place_api``) first rings its ``To`` (an agent's devices or a simulated
phone) and, once answered, fetches its ``Url`` or runs its TwiML; REST can give a live call
new TwiML (``redirect``) or end it (``end_api``). Conferences are ``conferences.py``'s; the
router only hands calls to them and takes them back. REST-created calls POST their status
callbacks (``initiated``, ``ringing``, ``answered``, ``completed``) as Twilio does.

``<Enqueue>`` hands the call to TaskRouter's calls side (``enqueue``), which ``observers``
tell of REST calls answered and of calls ended.

Public names: CallEnded, CallObserver, CallRouter, rest_status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import Protocol

from sandbox.credentials import TwilioCredentials
from sandbox.signaling.calls import ApiOrder
from sandbox.signaling.calls import Call
from sandbox.signaling.calls import CallRegistry
from sandbox.signaling.calls import CallStatus
from sandbox.signaling.calls import Direction
from sandbox.signaling.conferences import Conferences
from sandbox.signaling.dialing import Dialer
from sandbox.signaling.effects import Outbox
from sandbox.signaling.effects import TimerKey
from sandbox.signaling.effects import TimerKind
from sandbox.signaling.protocol import ErrorCode
from sandbox.signaling.protocol import SignalingError
from sandbox.signaling.webhook import API_VERSION
from sandbox.signaling.webhook import Dial
from sandbox.signaling.webhook import Enqueue
from sandbox.signaling.webhook import Hangup
from sandbox.signaling.webhook import Pause
from sandbox.signaling.webhook import Play
from sandbox.signaling.webhook import Redirect
from sandbox.signaling.webhook import Say
from sandbox.signaling.webhook import Verb
from sandbox.signaling.webhook import WebhookResult
from sandbox.signaling.webhook import twilio_date
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


class CallObserver(Protocol):
    def call_answered(self, call: Call) -> None: ...

    def call_ended(self, call: Call) -> None: ...


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
                              on_dial_over=self._dial_over, on_answered=self._answered)
        self.conferences = Conferences(registry, outbox, account_sid=credentials.account_sid,
                                       clock=clock, new_sid=new_sid, on_released=self._released)
        # TaskRouter's calls side (sandbox/taskrouter/voice.py): it takes <Enqueue>d calls
        # (returning whether the call now waits) and hears of REST calls answered and calls ended.
        self.enqueue: Callable[[Call, Enqueue], bool] = lambda call, verb: False
        self.observers: list[CallObserver] = []

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

    def place_api(self, caller: str, called: str, order: ApiOrder) -> Call:
        """REST creates a call, ``queued`` as Twilio answers; it rings ``called`` right
        after (a timer), and on answer ``order`` says what it does."""
        call = Call(self._new_sid("CA"), Direction.OUTBOUND_API, caller, called, self._clock(),
                    api=order)
        self._registry.add(call)
        self._progress(call, "initiated")
        self._outbox.start_timer(TimerKey(TimerKind.API_CALL_STARTS, call.sid), 0)
        return call

    def _ring_api_call(self, call: Call) -> None:
        if call.ended or call.status is not CallStatus.QUEUED:
            return  # canceled while queued
        if self._dialer.ring_call(call, call.api.timeout if call.api else 60):
            self._progress(call, "ringing")
        else:
            self._end(call, call.dial_outcome or CallStatus.FAILED)

    def _answered(self, call: Call) -> None:
        """A REST-created call was answered: fetch its Url, or run its TwiML."""
        call.answered_at = self._clock()
        self._progress(call, "answered")
        for observer in self.observers:
            observer.call_answered(call)
        order = call.api
        if order is not None and order.url is not None:
            params = self._api_params(call)
            call.webhook = {"url": order.url, "params": params, "status": None}
            self._outbox.fetch_twiml(call.sid, order.url, params)
        elif order is not None:
            call.program = order.program
            self._run(call)

    def _api_params(self, call: Call) -> dict[str, str]:
        return {"AccountSid": self._credentials.account_sid, "CallSid": call.sid,
                "From": call.caller, "To": call.called, "Caller": call.caller,
                "Called": call.called, "Direction": "outbound-api",
                "CallStatus": rest_status(call), "ApiVersion": API_VERSION}

    def _progress(self, call: Call, event: str) -> None:
        """POST the call's status callback for ``event`` if REST asked for it."""
        order = call.api
        if order is None or order.status_callback is None or event not in order.status_events:
            return
        params = {**self._api_params(call), "CallbackSource": "call-progress-events",
                  "SequenceNumber": str(order.callbacks_sent),
                  "Timestamp": twilio_date(self._clock())}
        if event == "completed":
            started = call.answered_at or call.ended_at or call.created_at
            params["CallDuration"] = str(round((call.ended_at or started) - started))
        order.callbacks_sent += 1
        self._outbox.post_callback(order.status_callback, params)

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
        if call is None or call.ended or (call.webhook is None and not call.awaiting_action):
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
                case Play(url=url, loop=loop):
                    call.played.append({"url": url, "as": "play", "loop": loop,
                                        "at": self._clock()})
                case Pause(length=length):
                    self._outbox.start_timer(TimerKey(TimerKind.PAUSE_OVER, call.sid, call.step),
                                             length)
                    return
                case Redirect(url=url):
                    self._fetch(call, url, {**self._call_params(call), "CallStatus": "in-progress"})
                    return
                case Hangup():
                    break
                case Enqueue():
                    if self.enqueue(call, verb):
                        call.status = CallStatus.IN_PROGRESS
                        return
                case Dial(conference=room) if room is not None:
                    call.dial_action = verb.action
                    # Twilio has answered a call whose TwiML runs; in a conference it talks,
                    # so an SDK's own call is answered as it joins.
                    if call.status is not CallStatus.IN_PROGRESS:
                        call.status = CallStatus.IN_PROGRESS
                        self._dialer.answer_origin(call)
                    if self.conferences.join(call.sid, room):
                        return
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
        self._fetch(call, action, {**self._call_params(call), "CallStatus": "in-progress",
                                   "DialCallStatus": _DIAL_CALL_STATUS.get(outcome, "failed")})
        return True

    def _call_params(self, call: Call) -> dict[str, str]:
        return call.webhook["params"] if call.webhook is not None else self._api_params(call)

    def _fetch(self, call: Call, url: str, params: dict[str, str]) -> None:
        """Fetch TwiML that replaces the verbs still to run (an action, a Redirect, REST)."""
        call.actions.append({"url": url, "params": params, "status": None})
        call.awaiting_action = True
        self._outbox.fetch_twiml(call.sid, url, params)

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
        """A REST call leaves the queue, a ``<Pause>`` is over, or see
        :meth:`Dialer.timer_fired`; stale timers do nothing."""
        call = self._registry.find(key.sid)
        if key.kind is TimerKind.API_CALL_STARTS:
            if call is not None:
                self._ring_api_call(call)
        elif key.kind is TimerKind.PAUSE_OVER:
            if call is not None and not call.ended and call.step == key.step \
                    and not call.awaiting_action:
                self._run(call)
        else:
            self._dialer.timer_fired(key)

    # ---- REST changes a call; conferences let calls go.

    def redirect(self, call: Call, *, url: str | None, program: tuple[Verb, ...]) -> None:
        """REST gives ``call`` new TwiML: it leaves its conference or Dial and runs it.

        A REST-created call not yet answered runs it when answered instead.

        Raises:
            CallEnded: the call has already ended.
        """
        if call.ended:
            raise CallEnded(call.sid)
        if call.api is not None and call.answered_at is None:
            call.api.url, call.api.program = url, program
            return
        self.conferences.leave(call.sid, "participant_updated_via_api")
        call.conference = None
        for leg in call.legs:
            if leg.sid == call.sid:
                continue  # a REST call's own leg is the call itself: it stays up
            if leg.status is CallStatus.RINGING:
                self._dialer.stop_ringing(leg, CallStatus.CANCELED)
            elif leg.status is CallStatus.IN_PROGRESS:
                if leg.answered_by is not None:
                    self._outbox.send(leg.answered_by, "hangup", {"callsid": leg.sid})
                leg.status = CallStatus.COMPLETED
        call.dial_action = None
        call.status = CallStatus.IN_PROGRESS
        # The new verbs replace those still to run; steps keep counting, so a Pause or
        # Dial timer of the old ones finds its step gone.
        if url is not None:
            self._fetch(call, url, {**self._call_params(call), "CallStatus": "in-progress"})
        else:
            call.awaiting_action = False
            call.program = tuple(call.program[:call.step]) + program
            self._run(call)

    def end_api(self, call: Call, status: str) -> None:
        """REST ``Status=completed`` hangs up any call; ``canceled`` only one not yet
        answered (else it does nothing, as with Twilio).

        Raises:
            CallEnded: the call has already ended.
        """
        if call.ended:
            raise CallEnded(call.sid)
        if status == "completed":
            self._end(call, _hangup_status(call))
        elif rest_status(call) in ("queued", "ringing"):
            self._end(call, CallStatus.CANCELED)

    def _released(self, call_sid: str, hang_up: bool) -> None:
        """Its conference let the call go: it ends (kicked) or goes on after its Dial."""
        call = self._registry.find(call_sid)
        if call is None or call.ended:
            return
        if hang_up:
            self._end(call, _hangup_status(call))
        else:
            call.dial_outcome = CallStatus.COMPLETED
            self._dial_over(call)

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

    def tell_sdk(self, sid: str, content: str) -> str:
        """REST UserDefinedMessages: send ``content`` to the SDK in the live call ``sid`` (the
        SDK's own call, or a call it answered) as a ``message``; return its KX… sid.

        Raises:
            CallEnded: the call is not in progress, or no SDK is in it.
        """
        call = self._registry.find(sid)
        conn_id = _sdk_in(call, sid) if call is not None else None
        if conn_id is None:
            raise CallEnded(sid)
        message_sid = self._new_sid("KX")
        self._outbox.send(conn_id, "message", {
            "callsid": sid, "content": content, "contenttype": "application/json",
            "messagetype": "user-defined-message", "voiceeventsid": message_sid})
        return message_sid

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
            if leg.sid == call.sid and conn_id == leg.answered_by:
                self._end(call, CallStatus.COMPLETED, by=conn_id)  # a REST call's own end
                return True
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
        self.conferences.leave(call.sid)
        self._progress(call, "completed")
        self._registry.finish(call)
        for observer in self.observers:
            observer.call_ended(call)


def _sdk_in(call: Call, sid: str) -> int | None:
    """The connection of the SDK whose call ``sid`` is, if that call is in progress."""
    if call.sid == sid and call.origin is not None:
        return call.origin if call.status is CallStatus.IN_PROGRESS else None
    leg = call.leg(sid)
    if leg is None or leg.status is not CallStatus.IN_PROGRESS:
        return None
    return leg.answered_by


def _hangup_status(call: Call) -> CallStatus:
    return CallStatus.COMPLETED if call.status is CallStatus.IN_PROGRESS else CallStatus.CANCELED


def rest_status(call: Call) -> str:
    """The status Twilio's REST API shows: a call whose ``<Dial>`` rings is in progress
    (only a REST call still ringing its ``To`` is ``ringing``); a declined one is busy."""
    if call.status is CallStatus.RINGING and (call.api is None or call.answered_at is not None):
        return CallStatus.IN_PROGRESS
    if call.status is CallStatus.REJECTED:
        return CallStatus.BUSY
    return call.status


