"""The call state machine: one call at a time, what Fusion was told about it, how it ended.

Browser-free (CPython and MicroPython), like toolbar/core/machine.py: every method takes one
input (an agent action, a Fusion command, a Twilio Call event, the outcome of an effect)
and returns Effects; it never calls anything.

Rules:
- A call is keyed by a string: the CallSid for inbound calls (also their Fusion eventId),
  "out-<n>" for outbound ones (their eventId is the onOutgoingEvent uuid, or a generated
  "manual-<n>" for a number dialled by hand).
- newCommEvent is published first; its outData is kept and is the inData of every later
  startCommEvent/closeCommEvent of that call. Whatever happens before Fusion answers it
  (the call connects, or ends) is published once it has.
- The close reason follows from how the call ended: REJECT, ABANDONED, MISSED, WRAPUP,
  CANCELED (and REJECT for an outbound failure, after outboundCommError).
- Before an outbound call is dialled, the token service's outbound policy is asked
  (DIAL_CHECK); a refused call is not dialled: the agent reads why, Fusion gets
  outboundCommError with the refusal's errorCode (toolbar/core/refusals.py), then REJECT.
- A Fusion command waits for its real outcome (``request``, the id of its pending answer):
  accept succeeds once the call is connected and fails if the call is gone; reject and
  disconnect succeed once Twilio is asked.

Public names: Call, CallMachine (phases and actions: toolbar/core/calldefs.py).
"""

import json

from toolbar.core import calldefs
from toolbar.core import effects as fx
from toolbar.core import messages
from toolbar.core import payloads
from toolbar.core import twilio_errors
from toolbar.core.effects import Effect
from toolbar.core.effects import answer
from toolbar.core.numbers import is_e164
from toolbar.core.refusals import fusion_error_code
from toolbar.core.status import StatusLine
from toolbar.core.status import call_status


class Call:
    """One call; read its attributes, only CallMachine changes them."""

    def __init__(self, key: str, direction: str, number: str, event_id: str, phase: str) -> None:
        self.key = key
        self.direction = direction
        self.number = number
        self.event_id = event_id
        self.phase = phase
        self.comm_uuid = None  # the onOutgoingEvent uuid, for outboundCommError
        self.extra = None  # in-data for newCommEvent (the outgoing event's outData)
        self.out_data = None  # newCommEvent's outData, once Fusion answered
        self.announced = None  # None: newCommEvent pending; True: answered; False: refused
        self.connected = False
        self.started_sent = False
        self.reason = None  # the close reason, once ended
        self.error = None  # (errorCode, message) of a failed outbound call
        self.muted = False
        self.requests = []  # Fusion accept commands waiting for the outcome
        self.checked = False  # outbound: the outbound policy allowed it


class CallMachine:
    """The calls of the toolbar; ``status_line`` is the Toolbar's (shared with the agent)."""

    def __init__(self, status_line: StatusLine | None = None) -> None:
        self.status_line = status_line if status_line is not None else StatusLine()
        self.calls = {}
        self.wrapped_up = None  # the eventId of the last call that ended with WRAPUP, until taken
        self._counter = 0

    # ---- Questions ----

    @property
    def current(self) -> Call | None:
        """The live call (not ended), or None."""
        for call in self.calls.values():
            if call.phase != calldefs.ENDED:
                return call
        return None

    def live_event_ids(self) -> list:
        call = self.current
        return [call.event_id] if call is not None else []

    # ---- Twilio: a call arrives ----

    def incoming(self, key: str, caller: str) -> list:
        """Device ``incoming``: offer the call to Fusion, or decline it when busy."""
        busy = self.current is not None
        call = Call(key, calldefs.INBOUND, caller, key, calldefs.RINGING)
        self.calls[key] = call
        effects = [self._new_comm(call)]
        if busy:
            # One call at a time: the SDK would ignore the invite while busy and leave the
            # caller ringing; instead it reaches us (allowIncomingWhileBusy), Twilio is told
            # no (reject: the caller's Dial moves on) and Fusion records a missed call.
            effects += self._end(call, "MISSED", calldefs.REJECT_ACTION)
            self.status_line.show(call_status("busy-declined", number=caller))
        return effects

    def decline_at_once(self, key: str, caller: str) -> list:
        """An incoming call during wrap-up: Twilio is told no at once, so the caller's Dial
        rings the other agents; Fusion, told this agent takes no call, hears nothing."""
        self.status_line.show(call_status("wrapup-declined", number=caller))
        return [Effect(fx.CALL_ACTION, call=key, action=calldefs.REJECT_ACTION, value=None)]

    def take_wrapped_up(self):
        """The eventId of a call that just ended with WRAPUP (once), or None."""
        event_id, self.wrapped_up = self.wrapped_up, None
        return event_id

    # ---- The agent or Fusion acts ----

    def accept(self, request=None) -> list:
        call = self.current
        if call is None or call.direction != calldefs.INBOUND or call.phase != calldefs.RINGING:
            return _answer(request, False)
        call.phase = calldefs.CONNECTING
        if request is not None:
            call.requests.append(request)
        return [_action(call, calldefs.ACCEPT_ACTION)]

    def reject(self, request=None) -> list:
        call = self.current
        if call is None or call.direction != calldefs.INBOUND or call.phase != calldefs.RINGING:
            return _answer(request, False)
        return self._end(call, "REJECT", calldefs.REJECT_ACTION) + _answer(request, True)

    def hang_up(self, request=None) -> list:
        """Hang up (or decline, or cancel) the live call."""
        call = self.current
        if call is None:
            return _answer(request, False)
        if call.direction == calldefs.INBOUND and call.phase == calldefs.RINGING:
            return self.reject(request)
        reason = "WRAPUP" if call.connected else "CANCELED"
        return self._end(call, reason, calldefs.DISCONNECT_ACTION) + _answer(request, True)

    def fusion_command(self, command: str, event_id: str, request) -> list:
        """onToolbarInteractionCommand ``command`` for ``event_id``."""
        call = self.current
        if call is None or call.event_id != event_id:
            return _answer(request, False)
        handlers = {"accept": self.accept, "reject": self.reject, "disconnect": self.hang_up}
        handler = handlers.get(command)
        return handler(request) if handler else _answer(request, False)

    def offer_timeout(self, event_id: str) -> list:
        """onDataUpdated OFFER_TIMEOUT: Fusion gave up offering; stop ringing."""
        call = self.calls.get(event_id)
        if call is None or call.phase != calldefs.RINGING:
            return []
        return self._end(call, "MISSED", calldefs.REJECT_ACTION)

    def toggle_mute(self) -> list:
        call = self.current
        if call is None or call.phase != calldefs.ACTIVE:
            return []
        return [_action(call, calldefs.MUTE_ACTION, not call.muted)]

    def send_digits(self, digits: str) -> list:
        call = self.current
        if call is None or call.phase != calldefs.ACTIVE:
            return []
        return [_action(call, calldefs.DIGITS_ACTION, digits)]

    def dial(self, number: str, device, comm_uuid=None, extra=None, *, fa_token: str) -> list:
        """Click-to-dial (``comm_uuid`` = the outgoing event's uuid) or a number typed in;
        ``fa_token`` is the credential of the dial check that comes first."""
        self._counter += 1
        event_id = comm_uuid or "manual-" + str(self._counter)
        if self.current is not None:  # busy: Fusion hears why, nothing is dialled
            if comm_uuid:
                return [_publish(None, payloads.OUTBOUND_COMM_ERROR, payloads.outbound_comm_error(
                    comm_uuid, "FAILED", _error_text("BUSY_AGENT")))]
            self.status_line.show(call_status("busy-agent"))
            return []
        if not comm_uuid and not is_e164(number):  # a typo: nothing for Fusion to show
            self.status_line.show(call_status("call-failed", number=number,
                                               reason=_error_text("INVALID_NUMBER")))
            return []
        call = Call("out-" + str(self._counter), calldefs.OUTBOUND, number, event_id, calldefs.DIALING)
        call.comm_uuid = comm_uuid
        call.extra = extra
        self.calls[call.key] = call
        effects = [self._new_comm(call)]
        problem = None if is_e164(number) else "INVALID_NUMBER"
        if problem is None and device is None:
            problem = "NOT_AVAILABLE"
        if problem:
            return effects + self._fail(call, problem, _error_text(problem))
        return effects + [Effect(fx.DIAL_CHECK, call=call.key, number=number, fa_token=fa_token)]

    def dial_checked(self, key: str, refusal, device) -> list:
        """The outbound policy answered for call ``key``: ``refusal`` is its code, or None to
        dial with ``device`` (the usable Device now; None if the agent is no longer available)."""
        call = self._live(key)
        if call is None or call.direction != calldefs.OUTBOUND or call.checked:
            return []
        if refusal is not None:
            return self._fail(call, fusion_error_code(refusal),
                              messages.text("dial-refused." + refusal))
        if device is None:
            return self._fail(call, "NOT_AVAILABLE", _error_text("NOT_AVAILABLE"))
        call.checked = True
        return [Effect(fx.DIAL, call=call.key, number=call.number, device=device)]

    # ---- Twilio: what happens to the call ----

    def call_ringing(self, key: str) -> list:
        call = self._live(key)
        if call is not None and call.phase == calldefs.DIALING:
            call.phase = calldefs.RINGING
        return []

    def call_accepted(self, key: str) -> list:
        """Call ``accept``: an inbound call is connected. An outbound call is then only the
        agent in its conference while the number rings: it connects when the token service
        says the number answered (call_message)."""
        call = self._live(key)
        if call is None:
            return []
        if call.direction == calldefs.OUTBOUND:
            call.phase = calldefs.RINGING
            return []
        return self._connected(call)

    def call_message(self, key: str, content) -> list:
        """A message from the token service about an outbound call (JSON text, see
        docs/call-control.md): the number answered, or why it did not."""
        call = self._live(key)
        news = _customer_news(content)
        if call is None or call.direction != calldefs.OUTBOUND or call.connected or news is None:
            return []
        if news == "answered":
            return self._connected(call)
        kind = _CUSTOMER_FAILURES[news]
        return self._fail(call, kind, _error_text(kind)) + [
            _action(call, calldefs.DISCONNECT_ACTION)]

    def _connected(self, call):
        call.phase = calldefs.ACTIVE
        call.connected = True
        effects = self._start(call)
        for request in call.requests:
            effects += _answer(request, True)
        call.requests = []
        return effects

    def call_ended(self, key: str, how: str) -> list:
        """Call ``disconnect`` / ``cancel`` / ``reject``, as ``how``."""
        call = self._live(key)
        if call is None:
            return []
        if how == "cancel" or (call.direction == calldefs.INBOUND and not call.connected):
            return self._end(call, "ABANDONED")
        if call.connected:
            return self._end(call, "WRAPUP")
        # An outbound call that ends unanswered with no error: the call was refused.
        return self._fail(call, "FAILED", _error_text("FAILED"))

    def call_error(self, key: str, code, name: str = "", message: str = "") -> list:
        call = self._live(key)
        if call is None:
            return []
        kind = twilio_errors.call_error_kind(code, name)
        effects = []
        if call.direction == calldefs.OUTBOUND and not call.connected:
            effects = self._fail(call, kind, _error_text(kind, code, message))
        elif kind == "MICROPHONE" and call.phase == calldefs.CONNECTING:
            effects = self._end(call, "REJECT")  # the SDK already hung up
        if kind == "MICROPHONE":
            self.status_line.show(call_status("microphone"))
        return effects

    def call_action_failed(self, key: str, action: str, code, name: str = "",
                           message: str = "") -> list:
        """An SDK call (accept, connect, mute...) threw or rejected."""
        if action in (calldefs.ACCEPT_ACTION, fx.DIAL):
            return self.call_error(key, code, name, message)
        return []

    def call_muted(self, key: str, muted: bool) -> list:
        call = self._live(key)
        if call is not None:
            call.muted = bool(muted)
        return []

    # ---- Fusion answered ----

    def comm_published(self, key, operation: str, out_data=None, failed: bool = False) -> list:
        call = self.calls.get(key)
        if call is None or operation != payloads.NEW_COMM_EVENT:
            if call is not None and operation == payloads.CLOSE_COMM_EVENT:
                del self.calls[key]
            return []
        call.announced = not failed
        call.out_data = dict(out_data or {}) if not failed else None
        if failed:
            return self._forget(call) if call.phase == calldefs.ENDED else []
        effects = self._start(call) if call.connected else []
        if call.phase == calldefs.ENDED:
            effects.append(self._close(call))
        return effects

    # ---- Internals ----

    def _new_comm(self, call):
        direction = payloads.INBOUND if call.direction == calldefs.INBOUND else payloads.OUTBOUND
        return _publish(call.key, payloads.NEW_COMM_EVENT, payloads.new_comm_event(
            call.event_id, call.number, direction, call.extra))

    def _start(self, call):
        if not call.announced or call.started_sent:
            return []
        call.started_sent = True
        return [_publish(call.key, payloads.START_COMM_EVENT,
                         payloads.start_comm_event(call.event_id, call.out_data))]

    def _close(self, call):
        return _publish(call.key, payloads.CLOSE_COMM_EVENT,
                        payloads.close_comm_event(call.event_id, call.out_data, call.reason))

    def _end(self, call, reason, action=None):
        call.phase = calldefs.ENDED
        call.reason = reason
        if reason == "WRAPUP":
            self.wrapped_up = call.event_id
        effects = [_action(call, action)] if action else []
        for request in call.requests:
            effects += _answer(request, False)
        call.requests = []
        if call.announced:
            effects += self._start(call) if call.connected else []
            effects.append(self._close(call))
        elif call.announced is False:
            self._forget(call)
        return effects

    def _fail(self, call, code, message):
        call.error = (code, message)
        self.status_line.show(call_status("call-failed", number=call.number, reason=message))
        effects = []
        if call.comm_uuid:
            effects.append(_publish(None, payloads.OUTBOUND_COMM_ERROR,
                                    payloads.outbound_comm_error(call.comm_uuid, code, message)))
        return effects + self._end(call, "REJECT")

    def _forget(self, call):
        self.calls.pop(call.key, None)
        return []

    def _live(self, key):
        call = self.calls.get(key)
        return call if call is not None and call.phase != calldefs.ENDED else None


def _error_text(kind, code=None, message=""):
    """Why an outbound call failed, in the agent's words, with Twilio's code and text if any."""
    message_id = "call-error." + kind
    sentence = messages.text(message_id if message_id in messages.SENTENCES else "call-error.FAILED")
    detail = ("Twilio " + str(code) if code else "") + (": " if code and message else "") + message
    if not detail:
        return sentence
    return messages.text("call-error.with-detail", text=sentence, detail=detail)


# What the token service says of a number an agent dialled, as outboundCommError codes.
_CUSTOMER_FAILURES = {"busy": "BUSY", "no-answer": "NO_ANSWER", "failed": "FAILED"}


def _customer_news(content):
    """The ``customer`` word of a message's JSON content, or None if it has none we know."""
    try:
        value = json.loads(content) if isinstance(content, str) else content
    except ValueError:
        return None
    news = value.get("customer") if isinstance(value, dict) else None
    return news if news == "answered" or news in _CUSTOMER_FAILURES else None


def _action(call, action, value=None):
    return Effect(fx.CALL_ACTION, call=call.key, action=action, value=value)


def _publish(key, operation, fields):
    return Effect(fx.PUBLISH_CALL, call=key, operation=operation, fields=fields)


def _answer(request, ok):
    return answer(request, payloads.SUCCESS if ok else payloads.FAILURE)
