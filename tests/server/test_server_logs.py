"""Logs: one JSON line per request with its id, a line per refusal and call, and no secret ever.

The lines are captured as production writes them (server.logs.json_handler on the root logger).
"""

import io
import json
import logging
import re

import pytest

from server import logs
from tests.server.test_server_signed_proxy import nf_sign

NF_SECRET = "netlify-proxy-secret-for-logs-0123456789"
JWT_SHAPE = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


@pytest.fixture
def captured():
    """Everything logged (DEBUG and up) as JSON lines; read() returns the parsed lines."""
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    stream.read_lines = lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _request_lines(captured) -> list[dict]:
    return [line for line in captured.read_lines() if line.get("event") == "request"]


def test_logs_one_json_line_per_request(client, idp, captured):
    """A request's line has its time, id (the caller's, echoed), method, path without the query,
    status, duration, identity and client address."""
    response = client.get("/token?x=1", headers={**idp.bearer(), "X-Request-Id": "fusion-42"},
                          environ_base={"REMOTE_ADDR": "192.0.2.44"})  # fmt: skip

    assert response.headers["X-Request-Id"] == "fusion-42"
    (line,) = _request_lines(captured)
    assert {k: line[k] for k in ("request_id", "method", "path", "status", "identity", "client")} \
        == {"request_id": "fusion-42", "method": "GET", "path": "/token", "status": 200,
            "identity": "alice", "client": "192.0.2.44"}  # fmt: skip
    assert line["duration_ms"] >= 0 and line["time"].startswith("20")


@pytest.mark.parametrize("offered", [None, "", "two words", "x" * 129, "id;forged"])
def test_logs_request_id_generated_when_missing_or_implausible(client, captured, offered):
    """Without a plausible X-Request-Id the service makes one, and logs and echoes the same."""
    headers = {} if offered is None else {"X-Request-Id": offered}

    response = client.get("/healthz", headers=headers)

    (line,) = _request_lines(captured)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert line["identity"] is None


def test_logs_refusal_has_its_reason_and_request_id(client, idp, captured):
    """A refusal is a line of its own, with the reason and the request's id."""
    response = client.get("/token", headers=idp.bearer("eve"))

    refusal = next(line for line in captured.read_lines() if line["logger"] == "server.errors")
    assert refusal["code"] == "not_an_agent"
    assert refusal["request_id"] == response.headers["X-Request-Id"]


def test_logs_never_carry_a_secret(make_app, environ, idp, captured, twilio):
    """Every route, allowed and refused, directly and through the signed proxy: no API key
    secret, auth token, proxy secret, JWT, Access Token or full signature reaches the log."""
    app = make_app(TOOLBAR_PROXY_SIGNING_SECRET=NF_SECRET)
    proxied = app.test_client()
    sign = nf_sign(NF_SECRET)
    agent_jwt = idp.token("alice")
    bearer = {"Authorization": f"Bearer {agent_jwt}", "X-Nf-Sign": sign}
    foreign_jwt = idp.token("alice", signer="stranger")
    access_token = proxied.get("/token", headers=bearer).get_json()["token"]
    proxied.get("/token", headers={"Authorization": f"Bearer {foreign_jwt}", "X-Nf-Sign": sign})
    proxied.get("/token", headers={"Authorization": f"Bearer {agent_jwt}", "X-Nf-Sign": "x.y.z"})
    proxied.post("/dial-check", json={"to": "+14155550123"}, headers=bearer)
    proxied.post("/dial-check", json={"to": "+19005550100"}, headers=bearer)
    proxied.post("/calls/CA-not-a-call/hold", json={"hold": True}, headers=bearer)
    signatures = []
    for params, path in [({"From": "client:alice", "To": "+14155550123"}, "/voice"),
                         ({"From": "client:alice", "To": "+882134000001"}, "/voice"),
                         ({"From": "+14155550123", "To": environ["TWILIO_CALLER_ID"]}, "/voice"),
                         ({"DialCallStatus": "completed"}, "/voice/dial-complete"),
                         ({"StatusCallbackEvent": "participant-join", "ConferenceSid": "CF-gone"},
                          "/voice/conference")]:
        twilio.voice_url = "https://toolbar.example.test/api" + path
        signature = twilio.validator.compute_signature(twilio.voice_url, params)
        signatures.append(signature)
        twilio.client.post(path, data=params,
                           headers={"X-Twilio-Signature": signature, "X-Nf-Sign": sign})
    twilio.client.get("/healthz")
    twilio.client.get("/nowhere", headers=bearer)

    text = captured.getvalue()
    assert len(_request_lines(captured)) >= 13
    audit = next(line for line in captured.read_lines() if line.get("event") == "call_control")
    assert {k: audit[k] for k in ("agent", "call", "action", "target", "outcome")} == {
        "agent": "alice", "call": "CA-not-a-call", "action": "hold", "target": None,
        "outcome": "not_found"}
    secrets = [environ["TWILIO_API_KEY_SECRET"], environ["TWILIO_AUTH_TOKEN"], NF_SECRET,
               agent_jwt, foreign_jwt, access_token, sign, *signatures]
    for secret in secrets:
        assert secret not in text
        assert secret.split(".")[-1] not in text  # not even a JWT's signature part
    assert not JWT_SHAPE.search(text)
