"""The emulator over real WebSockets: a plain client against an Emulator started in-process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pytest
from signaling_kit import OFFER
from signaling_kit import WebhookStub
from signaling_kit import access_token
from signaling_kit import frame
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.exceptions import InvalidStatus

from sandbox.credentials import TwilioCredentials
from sandbox.signaling.calls import BUSY_NUMBER
from sandbox.signaling.emulator import Emulator
from sandbox.signaling.switchboard import Fault
from tests.live import wait_until_async

TIMEOUT = 5.0  # seconds for any one expected frame or close
BEAT = 0.05  # heartbeat interval for the heartbeat tests


@dataclass
class Line:
    """A plain WebSocket client that speaks PStream."""

    ws: ClientConnection
    echo_heartbeats: bool = True
    heartbeats: int = 0

    async def send(self, kind: str, **payload: Any) -> None:
        await self.ws.send(frame(kind, **payload))

    async def recv(self) -> tuple[str, dict[str, Any]]:
        """The next message's type and payload; heartbeats are counted (and echoed)."""
        while True:
            data = await asyncio.wait_for(self.ws.recv(), TIMEOUT)
            if data != "\n":
                document = json.loads(data)
                return document["type"], document["payload"]
            self.heartbeats += 1
            if self.echo_heartbeats:
                await self.ws.send("\n")

    async def expect(self, kind: str) -> dict[str, Any]:
        received, payload = await self.recv()
        assert received == kind, (received, payload)
        return payload

    async def closed(self) -> tuple[int | None, str | None]:
        """Wait for the server to close; return the close code and reason it sent."""
        with contextlib.suppress(ConnectionClosed):
            while True:
                await self.recv()
        return self.ws.close_code, self.ws.close_reason


@dataclass
class Rig:
    emulator: Emulator
    webhook: WebhookStub
    credentials: TwilioCredentials
    lines: list[Line] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.emulator.port}/signal"

    async def line(self, *, max_size: int | None = None) -> Line:
        line = Line(await connect(self.url, max_size=max_size))
        self.lines.append(line)
        return line

    async def agent(self, identity: str = "alice", *, register: bool = True) -> Line:
        """A line that has listened (and registered) as ``identity``."""
        line = await self.line()
        await line.send("listen", token=access_token(self.credentials, identity))
        await line.expect("connected")
        if register:
            await line.send("register", media={"audio": True})
            await line.expect("ready")
        return line

    async def state(self) -> dict[str, Any]:
        return await self.emulator.state()

    async def until(self, condition: Callable[[], Awaitable[bool]]) -> None:
        """Wait for an async condition on the emulator's state, looking again at each change."""
        await wait_until_async(condition, TIMEOUT, changes=self.emulator.changes)


@contextlib.asynccontextmanager
async def running(twiml: str = "<Response/>", **options: Any) -> AsyncIterator[Rig]:
    """An emulator on a free port whose webhook is a signature-checking stub."""
    credentials = TwilioCredentials.generate()
    with WebhookStub(credentials.auth_token, twiml) as webhook:
        emulator = Emulator(credentials, webhook_url=webhook.url, **options)
        await emulator.start("127.0.0.1", 0)
        rig = Rig(emulator, webhook, credentials)
        try:
            yield rig
        finally:
            for line in rig.lines:
                await line.ws.close()
            await emulator.stop()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 30))


# ---- Handshake and registration.


def test_listen_register_unregister_relisten():
    """listen gets connected, register ready, unregister offline, a second listen connected."""
    async def scenario():
        async with running() as rig:
            line = await rig.agent("alice")
            state = await rig.state()
            assert state["identities"] == {"alice": {"registered": True, "connections": [1]}}
            await line.send("register", media={"audio": False})
            await line.expect("offline")
            await line.send("listen", token=access_token(rig.credentials, "alice", ttl=90))
            assert (await line.expect("connected"))["token"] == {"identity": "alice", "ttl": 90}
    run(scenario)


@pytest.mark.parametrize(("ttl", "code"), [(-30, 31205), (600, 31204)])
def test_bad_token_gets_error_close_and_a_closed_socket(ttl, code):
    """An expired (31205) or foreign (31204) token gets error, close, then close code 1008."""
    async def scenario():
        async with running() as rig:
            line = await rig.line()
            secret = None if ttl < 0 else "z" * 43
            await line.send("listen", token=access_token(rig.credentials, ttl=ttl, secret=secret))
            assert (await line.expect("error"))["error"]["code"] == code
            assert await line.expect("close") == {}
            assert await line.closed() == (1008, "access token rejected")
    run(scenario)


# ---- Heartbeats.


def test_heartbeats_keep_an_echoing_client_connected():
    """The server beats "\\n"; a client that echoes stays connected through many beats."""
    async def scenario():
        async with running(heartbeat_interval=BEAT) as rig:
            line = await rig.agent()
            await line.send("register", media={"audio": True})
            while line.heartbeats < 8:
                await line.expect("ready")
                await line.send("register", media={"audio": True})
            assert len((await rig.state())["connections"]) == 1
    run(scenario)


def test_client_that_never_answers_heartbeats_is_closed():
    """A client silent for max_missed_heartbeats beats is closed with 1008."""
    async def scenario():
        async with running(heartbeat_interval=BEAT, max_missed_heartbeats=3) as rig:
            line = await rig.line()
            line.echo_heartbeats = False
            assert await line.closed() == (1008, "heartbeat timeout")
            assert line.heartbeats == 3
            await rig.until(lambda: _no_connections(rig))
    run(scenario)


def test_pause_heartbeats_silences_the_server_until_cleared():
    """pause_heartbeats stops the beats (and the silence check); clearing resumes them."""
    async def scenario():
        async with running(heartbeat_interval=BEAT, max_missed_heartbeats=1) as rig:
            line = await rig.line()
            line.echo_heartbeats = False
            assert await rig.emulator.inject(Fault.PAUSE_HEARTBEATS) == ["pause_heartbeats"]
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(line.ws.recv(), 10 * BEAT)
            assert await rig.emulator.clear(Fault.PAUSE_HEARTBEATS) == []
            assert await asyncio.wait_for(line.ws.recv(), TIMEOUT) == "\n"
    run(scenario)


# ---- Bad input.


@pytest.mark.parametrize(("data", "code", "reason"), [
    ("{not json", 1007, "frame is not JSON"),
    ('"just a string"', 1007, "frame is not a JSON object"),
    ("[" * 30000 + "]" * 30000, 1007, "frame is not JSON"),  # too deep to decode: not 1011
    ('{"type": "x", "payload": ' + '{"a":' * 6000 + "1" + "}" * 6001, 1007, "frame is not JSON"),
    (b"\x00binary", 1003, "binary frames are not supported"),
], ids=["not-json", "not-an-object", "deep-array", "deep-payload", "binary"])
def test_bad_frames_close_with_a_named_code(data, code, reason):
    """Non-JSON (even too deeply nested to decode), non-object and binary frames close the
    connection with 1007 or 1003, never 1011."""
    async def scenario():
        async with running() as rig:
            line = await rig.agent()
            await line.ws.send(data)
            assert await line.closed() == (code, reason)
            await rig.until(lambda: _no_connections(rig))
    run(scenario)


def test_oversized_frame_closes_with_1009():
    """A frame over max_message_size closes the connection with 1009."""
    async def scenario():
        async with running(max_message_size=1024) as rig:
            line = await rig.agent()
            await line.send("register", media={"audio": True}, padding="x" * 2048)
            code, _ = await line.closed()
            assert code == 1009
            await rig.until(lambda: _no_connections(rig))
    run(scenario)


def test_unknown_types_and_wrong_order_get_errors_and_the_line_stays_open():
    """An unknown type gets 31400, register before listen 31204; the connection stays usable."""
    async def scenario():
        async with running() as rig:
            line = await rig.line()
            await line.send("register", media={"audio": True})
            assert (await line.expect("error"))["error"]["code"] == 31204
            await line.send("teleport", to="mars")
            assert (await line.expect("error"))["error"]["code"] == 31400
            await line.send("listen", token=access_token(rig.credentials))
            await line.expect("connected")
    run(scenario)


def test_other_paths_are_refused_with_404():
    """Only /signal accepts WebSocket handshakes."""
    async def scenario():
        async with running() as rig:
            with pytest.raises(InvalidStatus) as caught:
                await connect(rig.url.replace("/signal", "/elsewhere"))
            assert caught.value.response.status_code == 404
    run(scenario)


def test_unexpected_exception_closes_with_internal_error_and_is_logged(caplog, monkeypatch):
    """A bug while handling a frame is logged and closes only that connection with 1011."""
    async def scenario():
        async with running() as rig:
            bystander = await rig.agent("bob")
            line = await rig.agent("alice")
            real = rig.emulator.switchboard.receive

            def explode(conn_id: int, data: str | bytes):
                if "boom" in str(data):
                    raise RuntimeError("boom")
                return real(conn_id, data)

            monkeypatch.setattr(rig.emulator.switchboard, "receive", explode)
            await line.send("boom")
            assert await line.closed() == (1011, "internal error")
            await bystander.send("register", media={"audio": True})
            await bystander.expect("ready")
    with caplog.at_level(logging.ERROR, logger="sandbox.signaling.emulator"):
        run(scenario)
    assert "connection 2 failed" in caplog.text
    assert "RuntimeError: boom" in caplog.text


# ---- Many connections, lost connections, stopping.


def test_many_connections_at_once_and_nothing_leaks():
    """Fifty devices register at once; after they close, no connection or identity is left."""
    async def scenario():
        async with running() as rig:
            lines = await asyncio.gather(*(rig.agent(f"agent_{n}") for n in range(50)))
            state = await rig.state()
            assert len(state["connections"]) == 50
            assert all(entry["registered"] for entry in state["identities"].values())
            await asyncio.gather(*(line.ws.close() for line in lines))
            await rig.until(lambda: _no_connections(rig))
            assert (await rig.state())["identities"] == {}
    run(scenario)


def test_drop_connections_cuts_sockets_without_a_close_frame():
    """drop_connections aborts every socket: clients see no close frame (1006)."""
    async def scenario():
        async with running() as rig:
            lines = [await rig.agent("alice"), await rig.agent("bob")]
            assert await rig.emulator.inject(Fault.DROP_CONNECTIONS) == []
            for line in lines:
                with pytest.raises(ConnectionClosed) as caught:
                    await line.recv()
                assert caught.value.rcvd is None  # no close frame: an abnormal closure
            await rig.until(lambda: _no_connections(rig))
            again = await rig.agent("alice")
            await again.send("register", media={"audio": True})
            await again.expect("ready")
    run(scenario)


def test_stop_closes_connections_with_going_away():
    """Stopping the emulator closes open connections with 1001."""
    async def scenario():
        async with running() as rig:
            line = await rig.agent()
            await rig.emulator.stop()
            code, _ = await line.closed()
            assert code == 1001
    run(scenario)


# ---- Calls over the wire, with a signed webhook.


def test_inbound_call_signed_webhook_invite_answer_and_far_hangup():
    """An injected call posts a valid signed webhook, invites the agent, and ends by hangup."""
    async def scenario():
        async with running("<Response><Dial><Client>alice</Client></Dial></Response>") as rig:
            line = await rig.agent("alice")
            call = await rig.emulator.place_call("+15557770001", rig.credentials.caller_id)
            invite = await line.expect("invite")
            (request,) = rig.webhook.requests
            assert request["valid"] is True
            assert request["form"]["From"] == "+15557770001"
            assert request["form"]["CallSid"] == call["sid"]
            assert invite["parameters"]["From"] == "+15557770001"
            await line.send("answer", callsid=invite["callsid"], sdp=OFFER)
            await rig.until(lambda: _status(rig, call["sid"], "in-progress"))
            await rig.emulator.hang_up(call["sid"])
            assert await line.expect("hangup") == {"callsid": invite["callsid"]}
            assert (await rig.emulator.call(call["sid"]))["status"] == "completed"
    run(scenario)


def test_inbound_call_nobody_answers_in_time():
    """A <Dial timeout> that passes cancels the agent's invite; the caller hears the <Say>."""
    twiml = ('<Response><Dial timeout="1"><Client>alice</Client></Dial>'
             "<Say>Nobody is available.</Say></Response>")
    async def scenario():
        async with running(twiml) as rig:
            line = await rig.agent("alice")
            call = await rig.emulator.place_call("+15557770001", rig.credentials.caller_id)
            invite = await line.expect("invite")
            assert await line.expect("cancel") == {"callsid": invite["callsid"]}
            ended = await rig.emulator.call(call["sid"])
            assert (ended["status"], ended["said"]) == ("no-answer", ["Nobody is available."])
    run(scenario)


def test_inbound_caller_abandons_before_answer():
    """The caller hanging up first cancels the agent's invite; the call is canceled."""
    async def scenario():
        async with running("<Response><Dial><Client>alice</Client></Dial></Response>") as rig:
            line = await rig.agent("alice")
            call = await rig.emulator.place_call("+15557770001", rig.credentials.caller_id)
            invite = await line.expect("invite")
            assert (await rig.emulator.hang_up(call["sid"]))["status"] == "canceled"
            assert await line.expect("cancel") == {"callsid": invite["callsid"]}
    run(scenario)


def test_outbound_call_rings_answers_records_dtmf_and_hangs_up():
    """An invite with To reaches the webhook; ringing then answer; dtmf is kept; hangup ends it."""
    twiml = ('<Response><Dial callerId="+15005550006"><Number>+15551234567</Number></Dial>'
             "</Response>")
    async def scenario():
        async with running(twiml, ring_seconds=0.05) as rig:
            line = await rig.agent("alice")
            await line.send("invite", callsid="TJS1", sdp=OFFER,
                            twilio={"params": "To=%2B15551234567&ticket=7"})
            sid = (await line.expect("ringing"))["callsid"]
            answer = await line.expect("answer")
            assert answer["callsid"] == sid and "a=setup:active" in answer["sdp"]
            (request,) = rig.webhook.requests
            assert request["valid"] is True
            assert (request["form"]["To"], request["form"]["ticket"]) == ("+15551234567", "7")
            await line.send("dtmf", callsid=sid, dtmf="123#")
            await line.send("hangup", callsid=sid)
            await rig.until(lambda: _status(rig, sid, "completed"))
            assert (await rig.emulator.call(sid))["dtmf"] == ["123#"]
    run(scenario)


def test_outbound_call_to_the_busy_number_hangs_up_with_486():
    """Dialling the busy number gets hangup with error 31486 and status busy."""
    async def scenario():
        twiml = f"<Response><Dial><Number>{BUSY_NUMBER}</Number></Dial></Response>"
        async with running(twiml) as rig:
            line = await rig.agent("alice")
            await line.send("invite", callsid="TJS2", sdp=OFFER, twilio={})
            hangup = await line.expect("hangup")
            assert (hangup["callsid"], hangup["error"]["code"]) == ("TJS2", 31486)
            assert (await rig.emulator.call("TJS2"))["status"] == "busy"
    run(scenario)


def test_webhook_refusing_the_signature_fails_the_call():
    """If the voice URL refuses the signature (403), the call fails with an application error."""
    async def scenario():
        async with running() as rig:
            rig.emulator.credentials = TwilioCredentials.generate()  # signs with the wrong token
            line = await rig.agent("alice")
            await line.send("invite", callsid="TJS3", sdp=OFFER, twilio={})
            hangup = await line.expect("hangup")
            assert hangup["error"] == {"code": 31000,
                                       "message": "Application error: webhook answered HTTP 403"}
            assert rig.webhook.requests[0]["valid"] is False
    run(scenario)


async def _no_connections(rig: Rig) -> bool:
    return (await rig.state())["connections"] == []


async def _status(rig: Rig, sid: str, status: str) -> bool:
    return (await rig.emulator.call(sid))["status"] == status
