"""``python -m sandbox --verbose`` logs every request and signaling message, and no secret.

A real sandbox process is driven as the toolbar and a caller would drive it (agent JWT, Access
Token, dial checks, signaling, an inbound call through the signed /voice webhook); then its
whole output is searched for the tokens it handed out and for anything shaped like a JWT.
"""

from __future__ import annotations

import json
import re

import pytest
from websockets.sync.client import connect

from tests.live import run_sandbox
from tests.live import wait_until
from tests.sandbox.signaling_kit import frame

JWT_SHAPE = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


@pytest.fixture(scope="module")
def verbose():
    with run_sandbox("--verbose") as live:
        yield live


def _until_type(ws, kind: str) -> dict:
    while True:
        message = ws.recv(timeout=10)
        if message != "\n" and json.loads(message)["type"] == kind:
            return json.loads(message)


def test_verbose_log_shows_the_traffic_but_no_token(verbose):
    agent_jwt = verbose.agent_token("alice_agent")
    bearer = {"Authorization": f"Bearer {agent_jwt}"}
    access_token = verbose.api("GET", "/api/token", headers=bearer).json()["token"]
    for number in ("+14155550123", "+19005550100"):
        verbose.api("POST", "/api/dial-check", json={"to": number}, headers=bearer)
    with connect(f"ws://127.0.0.1:{verbose.signaling_port}/signal") as ws:
        ws.send(frame("listen", token=access_token, browserinfo={}))
        _until_type(ws, "connected")
        ws.send(frame("register", media={"audio": True}))
        _until_type(ws, "ready")
        call = verbose.api("POST", "/sandbox/api/twilio/calls", json={"from": "+15557770001"})
        _until_type(ws, "invite")
        verbose.api("POST", f"/sandbox/api/twilio/calls/{call.json()['sid']}/hangup")

    log = wait_until(lambda: (text := verbose.log()) and "POST /voice 200" in text and text,
                     what="the /voice webhook in the verbose log", changes=verbose.output.changes)
    assert '"type": "listen"' in log and "/dial-check" in log  # it does log the traffic
    for secret in (agent_jwt, access_token):
        assert secret.split(".")[-1] not in log
    assert not JWT_SHAPE.search(log)
