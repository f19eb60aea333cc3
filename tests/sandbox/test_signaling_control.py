"""The control API: routes, bodies and error shapes, against a real emulator on a loop thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from signaling_kit import WebhookStub

from sandbox.credentials import TwilioCredentials
from sandbox.signaling.calls import NO_ANSWER_NUMBER
from sandbox.signaling.control import bp
from sandbox.signaling.emulator import Emulator
from server import errors
from tests.error_shape import assert_error
from tests.live import scaled
from tests.live import wait_until

API = "/sandbox/api/twilio"


@dataclass
class Control:
    client: FlaskClient
    emulator: Emulator
    webhook: WebhookStub
    caller_id: str

    def call_status(self, sid: str) -> str:
        return self.client.get(f"{API}/calls/{sid}").get_json()["status"]

    def wait_for_status(self, sid: str, status: str) -> None:
        wait_until(lambda: self.call_status(sid) == status, timeout=5,
                   what=f"call {sid} to become {status}", changes=self.emulator.changes)


@pytest.fixture
def control() -> Iterator[Control]:
    """The blueprint in a bare Flask app; the emulator runs on its own loop, as in the sandbox."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def run_on_loop(coro, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    credentials = TwilioCredentials.generate()
    with WebhookStub(credentials.auth_token) as webhook:
        emulator = Emulator(credentials, webhook_url=webhook.url)
        run_on_loop(emulator.start("127.0.0.1", 0))
        app = Flask(__name__)
        app.extensions["sandbox"] = SimpleNamespace(emulator=emulator, run_on_loop=run_on_loop)
        errors.init_app(app)
        app.register_blueprint(bp)
        try:
            yield Control(app.test_client(), emulator, webhook, credentials.caller_id)
        finally:
            run_on_loop(emulator.stop())
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()


def test_state_lists_everything(control):
    """GET returns connections, identities, calls, TaskRouter, faults and the message log."""
    response = control.client.get(API)
    assert response.status_code == 200
    assert response.get_json() == {"connections": [], "identities": {}, "calls": [],
                                   "conferences": [], "faults": [],
                                   "taskrouter": {"workers": [], "tasks": []},
                                   "messages": {"received": [], "sent": []}}


def test_place_call_returns_201_and_runs_the_webhook(control):
    """POST /calls starts an inbound call, which then follows the webhook's TwiML."""
    response = control.client.post(f"{API}/calls", json={"from": "+15557770001",
                                                         "to": control.caller_id})
    assert response.status_code == 201
    call = response.get_json()
    assert (call["from"], call["to"], call["direction"]) == (
        "+15557770001", control.caller_id, "inbound")
    control.wait_for_status(call["sid"], "completed")
    assert control.webhook.requests[0]["valid"] is True


def test_place_call_defaults_to_the_sandbox_number(control):
    """Without "to" the call goes to the sandbox's caller id."""
    response = control.client.post(f"{API}/calls", json={"from": "+15557770001"})
    assert response.get_json()["to"] == control.caller_id


@pytest.mark.parametrize(("body", "code", "message"), [
    ("not json", "invalid_json", "the body must be a JSON object"),
    ([1], "invalid_json", "the body must be a JSON object"),
    ({}, "invalid_from", "'from' must be an E.164 number like +15551234567"),
    ({"from": "5551234"}, "invalid_from", "'from' must be an E.164 number like +15551234567"),
    ({"from": 15551234567}, "invalid_from", "'from' must be an E.164 number like +15551234567"),
])
def test_place_call_refuses_bad_bodies(control, body, code, message):
    """Bad JSON or a bad "from" is 400 in the shared error shape."""
    kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, str) \
        else {"json": body}
    assert_error(control.client.post(f"{API}/calls", **kwargs), 400, code, message)


def test_place_call_refuses_other_numbers(control):
    """A call to a number the sandbox does not own is 400."""
    response = control.client.post(f"{API}/calls", json={"from": "+15557770001",
                                                         "to": "+15550001111"})
    assert_error(response, 400, "invalid_to",
                 f"'to' must be the sandbox's number {control.caller_id}")


def test_hangup_before_answer_cancels_and_twice_is_409(control):
    """Hanging up a ringing call cancels it; hanging it up again is 409."""
    control.webhook.twiml = f"<Response><Dial><Number>{NO_ANSWER_NUMBER}</Number></Dial></Response>"
    sid = control.client.post(f"{API}/calls", json={"from": "+15557770001"}).get_json()["sid"]
    control.wait_for_status(sid, "ringing")
    response = control.client.post(f"{API}/calls/{sid}/hangup")
    assert (response.status_code, response.get_json()["status"]) == (200, "canceled")
    assert_error(control.client.post(f"{API}/calls/{sid}/hangup"), 409, "call_ended",
                 f"call {sid} has already ended")


@pytest.mark.parametrize("method, path", [("get", "/calls/CA404"), ("post", "/calls/CA404/hangup")])
def test_unknown_calls_are_404(control, method, path):
    """A sid that names no call is 404."""
    response = getattr(control.client, method)(API + path)
    assert_error(response, 404, "call_not_found", "no call CA404")


def test_faults_are_set_listed_and_cleared(control):
    """POST /faults sets one; DELETE /faults/<name> and DELETE /faults clear."""
    post = control.client.post
    assert post(f"{API}/faults", json={"fault": "pause_heartbeats"}).get_json() == {
        "faults": ["pause_heartbeats"]}
    assert post(f"{API}/faults", json={"fault": "reject_tokens"}).get_json() == {
        "faults": ["pause_heartbeats", "reject_tokens"]}
    assert post(f"{API}/faults", json={"fault": "drop_connections"}).get_json() == {
        "faults": ["pause_heartbeats", "reject_tokens"]}
    assert control.client.get(API).get_json()["faults"] == ["pause_heartbeats", "reject_tokens"]
    assert control.client.delete(f"{API}/faults/reject_tokens").get_json() == {
        "faults": ["pause_heartbeats"]}
    assert control.client.delete(f"{API}/faults").get_json() == {"faults": []}


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("post", "/faults", {"json": {"fault": "earthquake"}}),
    ("post", "/faults", {"json": {}}),
    ("delete", "/faults/earthquake", {}),
])
def test_unknown_faults_are_400(control, method, path, kwargs):
    """A fault name that is not one of the seven is 400, listing them."""
    response = getattr(control.client, method)(API + path, **kwargs)
    assert_error(response, 400, "invalid_fault",
                 "'fault' must be one of: drop_connections, pause_heartbeats, reject_tokens, "
                 "forge_webhook_signatures, rest_unavailable, rest_slow, "
                 "assignment_callback_fails")


def test_changes_answers_at_once_when_the_state_has_moved_past_after(control):
    """GET /changes gives the state's version; a fault set since then has moved it on."""
    version = control.client.get(f"{API}/changes").get_json()["version"]
    control.client.post(f"{API}/faults", json={"fault": "pause_heartbeats"})
    answer = control.client.get(f"{API}/changes?after={version}&wait=30").get_json()
    assert answer["version"] > version


def test_changes_holds_a_waiter_until_the_state_changes(control):
    """A long poll waiting past the current version returns when a call is placed."""
    version = control.client.get(f"{API}/changes").get_json()["version"]
    answers: list[int] = []
    waiter = threading.Thread(target=lambda: answers.append(control.client.get(
        f"{API}/changes?after={version}&wait=30").get_json()["version"]))
    waiter.start()
    control.client.post(f"{API}/calls", json={"from": "+15557770001"})
    waiter.join(scaled(10))
    assert not waiter.is_alive(), "the long poll did not return when the state changed"
    assert answers[0] > version


def test_changes_gives_the_same_version_when_nothing_changed(control):
    """A short long poll with nothing happening returns the version it was given."""
    version = control.client.get(f"{API}/changes").get_json()["version"]
    assert control.client.get(f"{API}/changes?after={version}&wait=0.05").get_json() == {
        "version": version}


@pytest.mark.parametrize(("query", "message"), [
    ("after=soon", "'after' must be a number"),
    ("wait=later", "'wait' must be a number"),
    ("wait=31", "'wait' must be 0 to 30 seconds"),
    ("wait=-1", "'wait' must be 0 to 30 seconds"),
    ("wait=nan", "'wait' must be 0 to 30 seconds"),
])
def test_changes_refuses_bad_queries(control, query, message):
    """A query that is not a version and a wait of 0 to 30 s is 400."""
    assert_error(control.client.get(f"{API}/changes?{query}"), 400, "invalid_query", message)
