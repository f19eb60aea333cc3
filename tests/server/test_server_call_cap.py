"""TOOLBAR_MAX_CALLS_PER_AGENT: an agent's calls in progress, counted from Twilio's own records.

The whole path runs: the sandbox's token service answers the emulator's signed /voice and
counts the agent's live calls with the real twilio-python against the REST emulator; the agent
is a plain WebSocket client speaking the SDK's signaling protocol, as a script holding the
agent's Access Token would.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

import requests
from websockets.asyncio.client import connect

from sandbox.runner import Sandbox
from server.call_cap import CANNOT_COUNT
from server.call_cap import TOO_MANY_CALLS
from tests.live import free_port
from tests.live import scaled
from tests.live import wait_until_async
from tests.sandbox.signaling_kit import OFFER
from tests.sandbox.signaling_kit import frame
from tests.server.conftest import PUBLIC_URL
from tests.server.conftest import TwilioWebhooks
from tests.server.test_server_voice import refusal
from tests.server.test_server_voice import verbs

AGENT = "alice_agent"  # a sandbox agent, in its TOOLBAR_AGENTS
TIMEOUT = scaled(10)


def _access_token(sandbox: Sandbox) -> str:
    """The agent's Access Token, fetched as the toolbar fetches it (Fusion's JWT as Bearer)."""
    origin = sandbox.config.fusion_origin
    jwt = requests.post(f"{origin}/sandbox/api/agents/{AGENT}/token", timeout=TIMEOUT).json()
    answer = requests.get(f"{origin}/api/token", timeout=TIMEOUT,
                          headers={"Authorization": f"Bearer {jwt['token']}"})
    answer.raise_for_status()
    return answer.json()["token"]


def _emulator_call(sandbox: Sandbox, sid: str = "", *, to: str = "") -> dict[str, Any]:
    """The emulator's record of call ``sid`` (or of the one call to ``to``)."""
    state = requests.get(f"{sandbox.config.fusion_origin}/sandbox/api/twilio",
                         timeout=TIMEOUT).json()
    (call,) = [call for call in state["calls"] if call["sid"] == sid or call["to"] == to]
    return call


async def _completed(sandbox: Sandbox, sid: str) -> bool:
    return _emulator_call(sandbox, sid)["status"] == "completed"


class Device:
    """The agent's browser, reduced to the signaling frames the SDK sends."""

    def __init__(self, ws) -> None:
        self.ws = ws

    async def until(self, kind: str) -> dict[str, Any]:
        """Read frames (heartbeats answered) until one of type ``kind``; return its payload."""
        async with asyncio.timeout(TIMEOUT):
            while True:
                data = await self.ws.recv()
                if data == "\n":
                    await self.ws.send("\n")
                    continue
                message = json.loads(data)
                if message["type"] == kind:
                    return message["payload"]

    async def call(self, client_sid: str, to: str) -> str:
        """Place a call to ``to``; return its CallSid once Twilio answers it (the agent's call
        to a number joins its own conference at once)."""
        await self.ws.send(frame("invite", callsid=client_sid, sdp=OFFER,
                                 twilio={"params": urlencode({"To": to})}))
        return (await self.until("answer"))["callsid"]


def test_call_cap_refuses_a_second_concurrent_call_and_allows_one_after(twilio_emulator):
    """One call in progress: a second is refused with a reason; once it ended, one more goes."""
    sandbox = twilio_emulator
    token = _access_token(sandbox)

    async def scenario() -> None:
        async with connect(f"ws://{sandbox.config.signaling_address}/signal") as ws:
            device = Device(ws)
            await ws.send(frame("listen", token=token))
            await ws.send(frame("register", media={"audio": True}))
            first = await device.call("TJScap1", "+14155550101")
            await ws.send(frame("invite", callsid="TJScap2", sdp=OFFER,
                                twilio={"params": urlencode({"To": "+14155550102"})}))
            await device.until("hangup")
            refused = _emulator_call(sandbox, to="+14155550102")
            assert TOO_MANY_CALLS in refused["webhook"]["twiml"], refused
            assert refused["legs"] == [], "the refused call dialled nobody"
            assert _emulator_call(sandbox, first)["status"] == "in-progress"
            await ws.send(frame("hangup", callsid=first))
            await wait_until_async(lambda: _completed(sandbox, first), TIMEOUT,
                                   "the first call to end", changes=sandbox.emulator.changes)
            third = await device.call("TJScap3", "+14155550101")
            assert "<Dial" in _emulator_call(sandbox, third)["webhook"]["twiml"]
            await ws.send(frame("hangup", callsid=third))

    asyncio.run(scenario())


def test_call_cap_fails_closed_when_twilio_cannot_be_asked(make_app, environ, caplog):
    """Twilio unreachable while counting: the call is refused, the agent hears why, it is logged."""
    app = make_app(TWILIO_REST_URL=f"http://127.0.0.1:{free_port()}", TWILIO_REST_TIMEOUT="2")
    twilio = TwilioWebhooks(app.test_client(), environ["TWILIO_AUTH_TOKEN"], PUBLIC_URL + "/voice")
    with caplog.at_level("INFO", logger="server.voice"):
        response = twilio.post({"From": "client:alice", "To": "+14155550123",
                                "CallSid": "CA" + "2" * 32})
    assert verbs(response) == refusal(CANNOT_COUNT)
    (record,) = [r for r in caplog.records if r.name == "server.voice"]
    assert (record.event, record.reason) == ("call_refused", "calls_uncounted")
