"""What the sans-I/O core asks of the I/O layer, and its log of what was said.

The core never touches a socket, a thread or a timer: each step returns a list of
effects that ``emulator.py`` carries out in order, and outcomes come back to the core
as new steps (a webhook's TwiML, a timer firing).

Public names: Send, Close, Drop, FetchTwiml, PostCallback, PostAssignment, TimerKind, TimerKey,
StartTimer, Effect, MessageLog, Outbox, describe_frame.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from websockets.frames import CloseCode

from sandbox.signaling.protocol import FrameError
from sandbox.signaling.protocol import Message
from sandbox.signaling.protocol import parse

# Payload fields too long (SDPs) or too secret (Access Tokens) for any log: only their length is.
_ABBREVIATED = ("sdp", "token")


def _abbreviated(message: Message) -> dict[str, Any]:
    return {
        key: f"<{len(value)} characters>" if key in _ABBREVIATED and isinstance(value, str)
        else value
        for key, value in message.payload.items()
    }


def describe_frame(data: str | bytes) -> str:
    """Return a received frame as the verbose log shows it: tokens and SDPs shortened."""
    try:
        message = parse(data)
    except FrameError:
        return f"<{len(data)} bytes that are no PStream message>"
    return Message(message.type, _abbreviated(message)).encode()


@dataclass(frozen=True)
class Send:
    """Send one text frame on a connection."""

    conn_id: int
    text: str


@dataclass(frozen=True)
class Close:
    """Close a connection with a close frame, after the frames already queued on it."""

    conn_id: int
    code: CloseCode
    reason: str


@dataclass(frozen=True)
class Drop:
    """Cut a connection with no close frame, as a lost network does (the SDK sees 1006)."""

    conn_id: int


@dataclass(frozen=True)
class FetchTwiml:
    """Post the signed voice webhook for a call; hand the result to ``twiml_received``."""

    call_sid: str
    url: str
    params: dict[str, str]


@dataclass(frozen=True)
class PostCallback:
    """POST a signed status callback; the answer is not acted on. Callbacks leave one at
    a time, in the order the core made them, as Twilio sends them."""

    url: str
    params: dict[str, str]


@dataclass(frozen=True)
class PostAssignment:
    """POST TaskRouter's signed assignment callback; hand its answer (status, body) to
    ``assignment_answered(workspace_sid, reservation_sid, …)``."""

    url: str
    params: dict[str, str]
    workspace_sid: str
    reservation_sid: str
    fallback: bool  # this is the FallbackAssignmentCallbackUrl


class TimerKind(StrEnum):
    CALLEE_ANSWERS = "callee-answers"
    DIAL_TIMEOUT = "dial-timeout"
    PAUSE_OVER = "pause-over"
    API_CALL_STARTS = "api-call-starts"  # a REST-created call leaves the queue and rings
    RESERVATION_TIMEOUT = "reservation-timeout"  # TaskRouter: a pending reservation lapses
    TARGET_TIMEOUT = "target-timeout"  # TaskRouter: a task moves on to its next target
    TASK_TTL = "task-ttl"  # TaskRouter: a task not assigned in time is canceled
    QUEUE_WAIT = "queue-wait"  # <Enqueue>: time to fetch the waitUrl again


@dataclass(frozen=True)
class TimerKey:
    """Names a timer; ``step`` tells one ``<Dial>`` of a call from a later one."""

    kind: TimerKind
    sid: str
    step: int = 0


@dataclass(frozen=True)
class StartTimer:
    """Call ``timer_fired(key)`` after ``delay`` seconds. Timers are never cancelled:
    the core ignores one whose moment has passed."""

    key: TimerKey
    delay: float


Effect = Send | Close | Drop | FetchTwiml | PostCallback | PostAssignment | StartTimer


class MessageLog:
    """The last messages each way (heartbeats excluded), for the control API."""

    def __init__(self, clock: Callable[[], float], *, size: int = 50) -> None:
        self._clock = clock
        self.received: deque[dict[str, Any]] = deque(maxlen=size)
        self.sent: deque[dict[str, Any]] = deque(maxlen=size)

    def record(self, entries: deque[dict[str, Any]], conn_id: int, message: Message) -> None:
        """Append ``message`` to ``entries`` (``received`` or ``sent``)."""
        entries.append({"at": self._clock(), "connection": conn_id, "type": message.type,
                        "payload": _abbreviated(message)})

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {"received": list(self.received), "sent": list(self.sent)}


class Outbox:
    """Collects one step's effects; every message sent through it is logged."""

    def __init__(self, log: MessageLog) -> None:
        self._log = log
        self._effects: list[Effect] = []

    def send(self, conn_id: int, kind: str, payload: dict[str, Any]) -> None:
        message = Message(kind, payload)
        self._log.record(self._log.sent, conn_id, message)
        self._effects.append(Send(conn_id, message.encode()))

    def close(self, conn_id: int, code: CloseCode, reason: str) -> None:
        self._effects.append(Close(conn_id, code, reason))

    def drop(self, conn_id: int) -> None:
        self._effects.append(Drop(conn_id))

    def fetch_twiml(self, call_sid: str, url: str, params: dict[str, str]) -> None:
        self._effects.append(FetchTwiml(call_sid, url, params))

    def post_callback(self, url: str, params: dict[str, str]) -> None:
        self._effects.append(PostCallback(url, params))

    def post_assignment(self, effect: PostAssignment) -> None:
        self._effects.append(effect)

    def start_timer(self, key: TimerKey, delay: float) -> None:
        self._effects.append(StartTimer(key, delay))

    def drain(self) -> list[Effect]:
        """Return the effects collected since the last call, and forget them."""
        effects, self._effects = self._effects, []
        return effects
