"""The emulator's I/O: a ``websockets`` server around the sans-I/O :class:`Switchboard`.

Each connection gets a reader (frames into the switchboard), a writer (one queue, so
frames leave in the order the core produced them) and a heartbeat: ``"\\n"`` every
``heartbeat_interval`` seconds, well inside the SDK's 15 s timeout. The SDK echoes each
one; a client that sends nothing for ``max_missed_heartbeats`` beats in a row is closed
with POLICY_VIOLATION. websockets' own pings are off: the SDK cannot see them, and a
``pause_heartbeats`` fault must leave the line silent.

Everything runs on one event loop; the control API reaches it through
``Sandbox.run_on_loop`` and the ``async`` methods below.

Public names: Emulator.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server
from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Request
from websockets.http11 import Response

from sandbox.changes import Changes
from sandbox.credentials import TwilioCredentials
from sandbox.signaling import webhook
from sandbox.signaling.effects import Close
from sandbox.signaling.effects import Drop
from sandbox.signaling.effects import Effect
from sandbox.signaling.effects import FetchTwiml
from sandbox.signaling.effects import PostAssignment
from sandbox.signaling.effects import PostCallback
from sandbox.signaling.effects import Send
from sandbox.signaling.effects import StartTimer
from sandbox.signaling.effects import TimerKey
from sandbox.signaling.effects import describe_frame
from sandbox.signaling.protocol import HEARTBEAT
from sandbox.signaling.switchboard import Fault
from sandbox.signaling.switchboard import Switchboard
from sandbox.twilio_rest.api import RestRequest
from sandbox.twilio_rest.api import RestResponse

logger = logging.getLogger(__name__)

SIGNAL_PATH = "/signal"  # the SDK's hard-coded path (regions.ts)
REST_SLOW_SECONDS = 3.0  # how late the rest_slow fault makes every REST answer
ASSIGNMENT_TIMEOUT = 5.0  # seconds TaskRouter waits for an assignment callback's answer


@dataclass
class _Peer:
    connection: ServerConnection
    # Text frames, or a Close to send after them.
    outbox: asyncio.Queue[str | Close]
    missed_heartbeats: int = 0


class Emulator:
    """Twilio's signaling service for the Voice JS SDK, on one port."""

    def __init__(
        self,
        credentials: TwilioCredentials,
        *,
        webhook_url: str,
        # Timeouts
        heartbeat_interval: float = 5.0,
        max_missed_heartbeats: int = 3,
        ring_seconds: float = 1.0,
        webhook_timeout: float = 5.0,
        # Limits
        max_message_size: int = 64 * 1024,
        max_queued_frames: int = 256,
    ) -> None:
        self.credentials = credentials
        self.webhook_url = webhook_url
        self.switchboard = Switchboard(credentials, webhook_url=webhook_url,
                                       ring_seconds=ring_seconds)
        self._heartbeat_interval = heartbeat_interval
        self._max_missed = max_missed_heartbeats
        self._webhook_timeout = webhook_timeout
        self._max_message_size = max_message_size
        self._max_queued = max_queued_frames
        self._server: Server | None = None
        self._peers: dict[int, _Peer] = {}
        self._timers: dict[TimerKey, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # Status callbacks leave one at a time, in order, as Twilio sends them.
        self._callbacks: asyncio.Queue[PostCallback] = asyncio.Queue()
        self._callback_sender: asyncio.Task[None] | None = None
        # Bumped after everything that may change the state: what waiters long-poll.
        self.changes = Changes()

    @property
    def port(self) -> int:
        """The port it listens on (useful after starting on port 0)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return self._server.sockets[0].getsockname()[1]

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port``; return once connections are accepted."""
        self._server = await serve(
            self._serve_connection, host, port, process_request=_only_signal_path,
            max_size=self._max_message_size, ping_interval=None, compression=None,
        )
        self._callback_sender = asyncio.create_task(self._send_callbacks())

    async def stop(self) -> None:
        """Close every connection (GOING_AWAY) and stop. Idempotent."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        helpers = [*self._tasks, *([self._callback_sender] if self._callback_sender else [])]
        for task in helpers:
            task.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        self._callback_sender = None

    # ---- The control API (each runs on the loop, see Sandbox.run_on_loop).

    async def state(self) -> dict[str, Any]:
        return self.switchboard.snapshot()

    async def call(self, sid: str) -> dict[str, Any]:
        """Raises CallNotFound."""
        return self.switchboard.call(sid)

    async def place_call(self, caller: str, called: str) -> dict[str, Any]:
        call, effects = self.switchboard.place_call(caller, called)
        self._apply(effects)
        return call

    async def hang_up(self, sid: str) -> dict[str, Any]:
        """Raises CallNotFound or CallEnded."""
        call, effects = self.switchboard.hang_up(sid)
        self._apply(effects)
        return call

    async def rest(self, request: RestRequest) -> RestResponse:
        """Answer one request to the REST API (late, under the rest_slow fault)."""
        if Fault.REST_SLOW in self.switchboard.faults:
            await asyncio.sleep(REST_SLOW_SECONDS)
        response, effects = self.switchboard.rest(request)
        self._apply(effects)
        return response

    async def rest_requests(self) -> list[dict[str, Any]]:
        return self.switchboard.rest_requests()

    async def inject(self, fault: Fault) -> list[str]:
        """Return the faults in force afterwards."""
        self._apply(self.switchboard.inject(fault))
        return sorted(self.switchboard.faults)

    async def clear(self, fault: Fault | None = None) -> list[str]:
        self.switchboard.clear(fault)
        self.changes.bump()
        return sorted(self.switchboard.faults)

    # ---- Connections.

    async def _serve_connection(self, connection: ServerConnection) -> None:
        host, port = connection.remote_address[:2]
        conn_id = self.switchboard.connect(f"{host}:{port}")
        self.changes.bump()
        peer = _Peer(connection, asyncio.Queue(self._max_queued))
        self._peers[conn_id] = peer
        helpers = [asyncio.create_task(self._write(peer)),
                   asyncio.create_task(self._beat(conn_id, peer))]
        try:
            async for data in connection:
                peer.missed_heartbeats = 0
                if data != HEARTBEAT and logger.isEnabledFor(logging.DEBUG):
                    logger.debug("connection %d sent %s", conn_id, describe_frame(data))
                self._apply(self.switchboard.receive(conn_id, data))
        except ConnectionClosed:
            pass  # the peer went away or sent something too big; nothing to answer
        except Exception:
            logger.exception("connection %d failed", conn_id)
            await connection.close(CloseCode.INTERNAL_ERROR, "internal error")
        finally:
            for helper in helpers:
                helper.cancel()
            del self._peers[conn_id]
            self._apply(self.switchboard.disconnect(conn_id))

    async def _write(self, peer: _Peer) -> None:
        try:
            while True:
                item = await peer.outbox.get()
                if isinstance(item, Close):
                    await peer.connection.close(item.code, item.reason)
                    return
                await peer.connection.send(item)
        except ConnectionClosed:
            pass  # the reader sees it too and cleans up

    async def _beat(self, conn_id: int, peer: _Peer) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_interval)
            if self.switchboard.heartbeats_paused:
                continue
            if peer.missed_heartbeats >= self._max_missed:
                self._queue(conn_id, Close(conn_id, CloseCode.POLICY_VIOLATION,
                                           "heartbeat timeout"))
                return
            peer.missed_heartbeats += 1
            self._queue(conn_id, HEARTBEAT)

    def _queue(self, conn_id: int, item: str | Close) -> None:
        peer = self._peers.get(conn_id)
        if peer is None:
            return  # closed in the meantime: nothing to deliver to
        try:
            peer.outbox.put_nowait(item)
        except asyncio.QueueFull:
            logger.warning("connection %d reads too slowly; dropping it", conn_id)
            peer.connection.transport.abort()

    # ---- Effects.

    def _apply(self, effects: list[Effect]) -> None:
        for effect in effects:
            match effect:
                case Send(conn_id=conn_id, text=text):
                    logger.debug("connection %d gets %s", conn_id, text)
                    self._queue(conn_id, text)
                case Close(conn_id=conn_id):
                    self._queue(conn_id, effect)
                case Drop(conn_id=conn_id) if conn_id in self._peers:
                    self._peers[conn_id].connection.transport.abort()
                case FetchTwiml(call_sid=sid, url=url, params=params):
                    self._spawn(self._fetch_twiml(sid, url, params))
                case PostCallback():
                    self._callbacks.put_nowait(effect)
                case PostAssignment():
                    self._spawn(self._post_assignment(effect))
                case StartTimer(key=key, delay=delay):
                    loop = asyncio.get_running_loop()
                    self._timers[key] = loop.call_later(delay, self._fire, key)
        self.changes.bump()

    def _fire(self, key: TimerKey) -> None:
        del self._timers[key]
        self._apply(self.switchboard.timer_fired(key))

    async def _fetch_twiml(self, sid: str, url: str, params: dict[str, str]) -> None:
        result = await webhook.fetch_twiml(url, params, auth_token=self._signing_token(),
                                           timeout=self._webhook_timeout)
        self._apply(self.switchboard.twiml_received(sid, result))

    async def _post_assignment(self, effect: PostAssignment) -> None:
        # TaskRouter waits 5 s for the answer, whatever the webhook timeout.
        status, body = await webhook.post_for_answer(
            effect.url, effect.params, auth_token=self._signing_token(),
            timeout=min(self._webhook_timeout, ASSIGNMENT_TIMEOUT))
        self._apply(self.switchboard.assignment_answered(effect, status, body))

    async def _send_callbacks(self) -> None:
        while True:
            callback = await self._callbacks.get()
            status = await webhook.post_callback(
                callback.url, callback.params, auth_token=self._signing_token(),
                timeout=self._webhook_timeout)
            logger.debug("status callback %s answered %s", callback.url, status)

    def _signing_token(self) -> str:
        # The forge fault signs with a wrong key, as after a rotated auth token.
        auth_token = self.credentials.auth_token
        if Fault.FORGE_WEBHOOK_SIGNATURES in self.switchboard.faults:
            auth_token = "not-" + auth_token
        return auth_token

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("background task failed", exc_info=task.exception())


def _only_signal_path(connection: ServerConnection, request: Request) -> Response | None:
    """Refuse WebSocket handshakes anywhere but ``/signal`` (404), as a URL typo should."""
    if request.path.split("?")[0] == SIGNAL_PATH:
        return None
    return connection.respond(HTTPStatus.NOT_FOUND, "no signaling endpoint here\n")
