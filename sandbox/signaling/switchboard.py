"""The emulator's sans-I/O core: connections, their messages, calls and faults.

Feed it what happens (a connection opens, a frame arrives, it closes, a webhook
answers, a timer fires, the control API asks) and carry out the effects each method
returns (``effects.py``). It holds no global state: each test builds a fresh one.
Every frame has a defined outcome (``protocol.py``): a reply, an ``error`` message,
or a close with a named close code.

Public names: Fault, Switchboard.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl

from websockets.frames import CloseCode

from sandbox.credentials import TwilioCredentials
from sandbox.credentials import new_sid
from sandbox.signaling import sdp
from sandbox.signaling import tokens
from sandbox.signaling.calls import CallRegistry
from sandbox.signaling.effects import Effect
from sandbox.signaling.effects import MessageLog
from sandbox.signaling.effects import Outbox
from sandbox.signaling.effects import PostAssignment
from sandbox.signaling.effects import TimerKey
from sandbox.signaling.effects import TimerKind
from sandbox.signaling.protocol import HEARTBEAT
from sandbox.signaling.protocol import ErrorCode
from sandbox.signaling.protocol import FrameError
from sandbox.signaling.protocol import Session
from sandbox.signaling.protocol import SignalingError
from sandbox.signaling.protocol import parse
from sandbox.signaling.protocol import text_field
from sandbox.signaling.routing import CallRouter
from sandbox.signaling.webhook import WebhookResult
from sandbox.taskrouter.engine import TaskRouter
from sandbox.taskrouter.voice import TaskRouterVoice
from sandbox.twilio_rest.api import RestApi
from sandbox.twilio_rest.api import RestRequest
from sandbox.twilio_rest.api import RestResponse

_DIGITS = re.compile(r"[0-9*#w]+")  # what call.sendDigits() accepts ("w" is a pause)
Payload = dict[str, Any]
TASKROUTER_TIMERS = frozenset({TimerKind.RESERVATION_TIMEOUT, TimerKind.TARGET_TIMEOUT,
                               TimerKind.TASK_TTL})


class Fault(StrEnum):
    """Failures the control API can simulate."""

    DROP_CONNECTIONS = "drop_connections"  # once: cut every connection (network loss)
    PAUSE_HEARTBEATS = "pause_heartbeats"  # until cleared: a silent server
    REJECT_TOKENS = "reject_tokens"  # until cleared: a revoked API key
    # until cleared: /voice requests carry a wrong X-Twilio-Signature (a rotated auth token),
    # so the token service answers 403 and every call fails with an application error
    FORGE_WEBHOOK_SIGNATURES = "forge_webhook_signatures"
    REST_UNAVAILABLE = "rest_unavailable"  # until cleared: every REST request answers 503
    REST_SLOW = "rest_slow"  # until cleared: every REST request answers after 3 s
    # until cleared: TaskRouter's assignment callbacks are answered with an error (HTTP 500)
    ASSIGNMENT_CALLBACK_FAILS = "assignment_callback_fails"


class Switchboard:
    """All connections and calls of one emulator."""

    def __init__(
        self,
        credentials: TwilioCredentials,
        *,
        webhook_url: str,
        ring_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
        sid_factory: Callable[[str], str] = new_sid,
        # Limits
        history: int = 200,
        log_size: int = 50,
    ) -> None:
        self._credentials = credentials
        self._clock = clock
        self._sessions: dict[int, Session] = {}
        self._conn_ids = itertools.count(1)
        self.faults: set[Fault] = set()
        self._log = MessageLog(clock, size=log_size)
        self._outbox = Outbox(self._log)
        self._calls = CallRegistry(history=history)
        self._router = CallRouter(
            self._calls, self._outbox, credentials=credentials, webhook_url=webhook_url,
            ringers=self._ringers, clock=clock, new_sid=sid_factory, ring_seconds=ring_seconds,
        )
        self.taskrouter = TaskRouter(
            self._outbox, account_sid=credentials.account_sid, clock=clock, new_sid=sid_factory,
            callback_fails=lambda: Fault.ASSIGNMENT_CALLBACK_FAILS in self.faults)
        TaskRouterVoice(self.taskrouter, self._router, self._calls)
        self.rest_api = RestApi(credentials, self._calls, self._router, self.taskrouter,
                                clock=clock,
                                unavailable=lambda: Fault.REST_UNAVAILABLE in self.faults,
                                log_size=history)
        self._handlers: dict[str, Callable[[Session, Payload], None]] = {
            "listen": self._listen, "register": self._register, "invite": self._invite,
            "answer": self._answer, "reject": self._reject, "hangup": self._hangup,
            "dtmf": self._dtmf, "reinvite": self._reinvite, "message": self._message,
        }

    @property
    def heartbeats_paused(self) -> bool:
        return Fault.PAUSE_HEARTBEATS in self.faults

    # ---- Connections.

    def connect(self, remote: str) -> int:
        """Register a new connection; return its id."""
        conn_id = next(self._conn_ids)
        self._sessions[conn_id] = Session(conn_id, remote)
        return conn_id

    def receive(self, conn_id: int, data: str | bytes) -> list[Effect]:
        """Handle one frame; heartbeat echoes and frames after a close do nothing."""
        session = self._sessions.get(conn_id)
        if session is None or session.closing or data == HEARTBEAT:
            return []
        try:
            message = parse(data)
        except FrameError as error:
            self._close(session, error.code, error.reason)
            return self._outbox.drain()
        self._log.record(self._log.received, conn_id, message)
        try:
            handler = self._handlers.get(message.type)
            if handler is None:
                raise SignalingError(ErrorCode.BAD_REQUEST,
                                     f"unsupported message type {message.type!r}")
            handler(session, message.payload)
        except SignalingError as error:
            self._outbox.send(conn_id, "error", error.payload())
        return self._outbox.drain()

    def disconnect(self, conn_id: int) -> list[Effect]:
        """Forget a closed connection: it leaves its calls, its registration goes. Idempotent."""
        if self._sessions.pop(conn_id, None) is not None:
            self._router.forget_connection(conn_id)
        return self._outbox.drain()

    def _close(self, session: Session, code: CloseCode, reason: str) -> None:
        session.closing = True
        self._outbox.close(session.conn_id, code, reason)

    def _ringers(self, identity: str) -> list[int]:
        return [conn_id for conn_id, session in self._sessions.items()
                if session.registered and session.identity == identity]

    # ---- Messages from devices.

    def _listen(self, session: Session, payload: Payload) -> None:
        try:
            if Fault.REJECT_TOKENS in self.faults:
                raise tokens.TokenError(ErrorCode.ACCESS_TOKEN_INVALID,
                                        "Access Token is invalid: its API key was revoked")
            grant = tokens.verify(payload.get("token"), self._credentials, now=self._clock())
        except tokens.TokenError as error:
            self._outbox.send(session.conn_id, "error", error.payload())
            # An error alone leaves register() waiting for `connected` forever; `close`
            # makes the SDK give up on this stream, so the promise rejects.
            self._outbox.send(session.conn_id, "close", {})
            self._close(session, CloseCode.POLICY_VIOLATION, "access token rejected")
            return
        reply = session.listen(grant)
        self._outbox.send(session.conn_id, reply.type, reply.payload)

    def _register(self, session: Session, payload: Payload) -> None:
        for reply in session.register(payload):
            self._outbox.send(session.conn_id, reply.type, reply.payload)

    def _invite(self, session: Session, payload: Payload) -> None:
        callsid = text_field(payload, "callsid")
        offer = text_field(payload, "sdp", callsid)
        grant = session.require_grant(callsid)
        if "reconnect" in payload:
            raise SignalingError(ErrorCode.NOT_FOUND,
                                 "no call to reconnect: the emulator gives no reconnect tokens",
                                 callsid)
        custom = _custom_params(payload.get("twilio", {}), callsid)
        if grant.outgoing_application_sid != self._credentials.twiml_app_sid:
            # A hangup, not an error: an error would leave the SDK's Call connecting forever.
            refusal = {"code": ErrorCode.AUTHORIZATION,
                       "message": "Access Token does not allow outgoing calls to this application"}
            self._outbox.send(session.conn_id, "hangup", {"callsid": callsid, "error": refusal})
            return
        self._router.place_outbound(session.conn_id, grant.identity, callsid, offer, custom)

    def _answer(self, session: Session, payload: Payload) -> None:
        callsid = text_field(payload, "callsid")
        text_field(payload, "sdp", callsid)
        session.require_grant(callsid)
        self._router.answer(session.conn_id, callsid)

    def _reject(self, session: Session, payload: Payload) -> None:
        callsid = text_field(payload, "callsid")
        session.require_grant(callsid)
        self._router.reject(session.conn_id, callsid)

    def _hangup(self, session: Session, payload: Payload) -> None:
        callsid = text_field(payload, "callsid")
        session.require_grant(callsid)
        self._router.hangup(session.conn_id, callsid)

    def _dtmf(self, session: Session, payload: Payload) -> None:
        callsid = text_field(payload, "callsid")
        digits = text_field(payload, "dtmf", callsid)
        session.require_grant(callsid)
        if not _DIGITS.fullmatch(digits):
            raise SignalingError(ErrorCode.BAD_REQUEST, "'dtmf' may hold only 0-9, *, # and w",
                                 callsid)
        self._router.call_for(session.conn_id, callsid).dtmf.append(digits)

    def _reinvite(self, session: Session, payload: Payload) -> None:
        # An ICE restart: answer it; there is no media to restart.
        callsid = text_field(payload, "callsid")
        offer = text_field(payload, "sdp", callsid)
        session.require_grant(callsid)
        self._router.call_for(session.conn_id, callsid)
        self._outbox.send(session.conn_id, "answer", {"callsid": callsid, "sdp": sdp.answer(offer)})

    def _message(self, session: Session, payload: Payload) -> None:
        # call.sendMessage(): acknowledged, which the SDK reports as `messageSent`.
        callsid = text_field(payload, "callsid")
        event_sid = text_field(payload, "voiceeventsid", callsid)
        session.require_grant(callsid)
        self._router.call_for(session.conn_id, callsid)
        self._outbox.send(session.conn_id, "ack",
                          {"acktype": "message", "callsid": callsid, "voiceeventsid": event_sid})

    # ---- Outcomes of effects.

    def twiml_received(self, call_sid: str, result: WebhookResult) -> list[Effect]:
        """The webhook answered (or failed) for ``call_sid``."""
        self._router.twiml_received(call_sid, result)
        return self._outbox.drain()

    def timer_fired(self, key: TimerKey) -> list[Effect]:
        """A timer started by a :class:`StartTimer` effect is due."""
        if key.kind in TASKROUTER_TIMERS:
            self.taskrouter.timer_fired(key)
        else:
            self._router.timer_fired(key)
        return self._outbox.drain()

    def assignment_answered(self, effect: PostAssignment, status: int | None,
                            body: str) -> list[Effect]:
        """TaskRouter's assignment callback answered ``effect`` (status None: unreachable)."""
        self.taskrouter.assignment_answered(effect.workspace_sid, effect.reservation_sid, status,
                                            body, fallback=effect.fallback)
        return self._outbox.drain()

    # ---- Twilio's REST API.

    def rest(self, request: RestRequest) -> tuple[RestResponse, list[Effect]]:
        """Answer one REST request (never raises); return its answer and the effects."""
        response = self.rest_api.handle(request)
        return response, self._outbox.drain()

    # ---- The control API.

    def place_call(self, caller: str, called: str) -> tuple[Payload, list[Effect]]:
        """A phone ``caller`` calls ``called``; return the new call and the effects.

        The control API checks both numbers first.
        """
        call = self._router.place_inbound(caller, called)
        return call.to_json(), self._outbox.drain()

    def hang_up(self, sid: str) -> tuple[Payload, list[Effect]]:
        """The far end hangs up call ``sid``.

        Raises:
            CallNotFound: no call has that sid.
            CallEnded: it has already ended.
        """
        call = self._router.hang_up_far_end(sid)
        return call.to_json(), self._outbox.drain()

    def inject(self, fault: Fault) -> list[Effect]:
        """Start simulating ``fault``; dropping connections happens once, now."""
        if fault is Fault.DROP_CONNECTIONS:
            for conn_id in self._sessions:
                self._outbox.drop(conn_id)
        else:
            self.faults.add(fault)
        return self._outbox.drain()

    def clear(self, fault: Fault | None = None) -> None:
        """Stop simulating ``fault``, or every fault. Idempotent."""
        if fault is None:
            self.faults.clear()
        else:
            self.faults.discard(fault)

    def rest_requests(self) -> list[Payload]:
        """The last REST requests, oldest first, their secrets redacted."""
        return list(self.rest_api.log)

    def call(self, sid: str) -> Payload:
        """Return call ``sid`` (any of its sids); raises CallNotFound if there is none."""
        return self._calls.get(sid).to_json()

    def snapshot(self) -> Payload:
        """Everything the control API shows, as JSON-ready data."""
        identities: dict[str, Payload] = {}
        for conn_id, session in self._sessions.items():
            if session.identity is not None:
                entry = identities.setdefault(session.identity,
                                              {"registered": False, "connections": []})
                entry["connections"].append(conn_id)
                entry["registered"] = entry["registered"] or session.registered
        return {
            "connections": [
                {"id": conn_id, "remote": session.remote, "phase": session.phase,
                 "identity": session.identity}
                for conn_id, session in self._sessions.items()
            ],
            "identities": identities,
            "calls": self._calls.to_json(),
            "conferences": [room.to_json() for room in self._router.conferences.rooms()],
            "taskrouter": self.taskrouter.snapshot(),
            "faults": sorted(self.faults),
            "messages": self._log.to_json(),
        }


def _custom_params(twilio: object, callsid: str) -> dict[str, str]:
    """Decode ``twilio.params``, the query string the SDK builds from connect({params})."""
    params = twilio.get("params", "") if isinstance(twilio, dict) else None
    if not isinstance(params, str):
        raise SignalingError(ErrorCode.BAD_REQUEST, "'twilio.params' must be a query string",
                             callsid)
    return dict(parse_qsl(params, keep_blank_values=True))
