"""The emulator's JSON control API, under ``/sandbox/api/twilio`` (see README).

- ``GET ""``: connections, registrations per identity, calls, conferences, faults, last messages.
- ``GET /changes?after=<version>&wait=<seconds>``: ``{"version": n}`` once the state's version
  is past ``after`` (at most ``wait`` seconds, 0 to 30): a long poll for whoever waits on the state.
- ``GET /rest-requests``: the last REST requests (method, path, parameters with secrets
  redacted, status).
- ``GET /calls/<sid>``: one call, by its CallSid, a leg's or the SDK's ``TJS…`` id.
- ``POST /calls`` ``{"from": "+1…", "to": "<caller id>"}``: a phone calls the number.
- ``POST /calls/<sid>/hangup``: the far end hangs up (before an answer: abandons).
- ``POST /faults`` ``{"fault": "<name>"}``; ``DELETE /faults[/<name>]`` clears.

Errors are ``{"error": {"status", "code", "message"}}`` with 400, 404 or 409, through
the token service's handlers (``server.errors``, installed by ``sandbox/web.py``). The
handlers run in the web server's threads; the emulator lives on the sandbox's event
loop, reached through ``run_on_loop``.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Coroutine
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request

from sandbox.signaling.calls import CallNotFound
from sandbox.signaling.emulator import Emulator
from sandbox.signaling.routing import CallEnded
from sandbox.signaling.switchboard import Fault
from server.errors import ServiceError
from server.twilio_formats import is_e164

bp = Blueprint("twilio_control", __name__, url_prefix="/sandbox/api/twilio")
MAX_CHANGES_WAIT = 30  # seconds a long poll of /changes may hold a web thread


class ControlError(ServiceError):
    """A request the control API refuses; the service's own handler renders it."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status  # type: ignore[misc]
        self.code = code  # type: ignore[misc]


def _run(action: Callable[[Emulator], Coroutine[Any, Any, Any]]) -> Any:
    """Run ``action(emulator)`` on the emulator's loop; map its lookups to 404/409."""
    sandbox = current_app.extensions["sandbox"]
    try:
        return sandbox.run_on_loop(action(sandbox.emulator))
    except CallNotFound as missing:
        raise ControlError(404, "call_not_found", f"no call {missing}") from None
    except CallEnded as ended:
        raise ControlError(409, "call_ended", f"call {ended} has already ended") from None


def _json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ControlError(400, "invalid_json", "the body must be a JSON object")
    return body


@bp.get("")
def state() -> Response:
    return jsonify(_run(lambda emulator: emulator.state()))


@bp.get("/changes")
def changes() -> Response:
    after = _query_number("after", int, -1)
    wait = _query_number("wait", float, 0.0)
    if not 0 <= wait <= MAX_CHANGES_WAIT:
        raise ControlError(400, "invalid_query", f"'wait' must be 0 to {MAX_CHANGES_WAIT} seconds")
    feed = current_app.extensions["sandbox"].emulator.changes
    return jsonify(version=feed.wait(after, wait))


def _query_number(name: str, kind: type[int | float], default: float) -> Any:
    text = request.args.get(name)
    if text is None:
        return default
    try:
        return kind(text)
    except ValueError:
        raise ControlError(400, "invalid_query", f"'{name}' must be a number") from None


@bp.get("/rest-requests")
def rest_requests() -> Response:
    return jsonify(requests=_run(lambda emulator: emulator.rest_requests()))


@bp.get("/calls/<sid>")
def get_call(sid: str) -> Response:
    return jsonify(_run(lambda emulator: emulator.call(sid)))


@bp.post("/calls")
def place_call() -> tuple[Response, int]:
    body = _json_object()
    caller_id = current_app.extensions["sandbox"].emulator.credentials.caller_id
    caller = body.get("from")
    called = body.get("to", caller_id)
    if not isinstance(caller, str) or not is_e164(caller):
        raise ControlError(400, "invalid_from", "'from' must be an E.164 number like +15551234567")
    if called != caller_id:
        raise ControlError(400, "invalid_to", f"'to' must be the sandbox's number {caller_id}")
    return jsonify(_run(lambda emulator: emulator.place_call(caller, called))), 201


@bp.post("/calls/<sid>/hangup")
def hang_up(sid: str) -> Response:
    return jsonify(_run(lambda emulator: emulator.hang_up(sid)))


@bp.post("/faults")
def inject_fault() -> Response:
    fault = _fault(_json_object().get("fault"))
    return jsonify(faults=_run(lambda emulator: emulator.inject(fault)))


@bp.delete("/faults")
def clear_faults() -> Response:
    return jsonify(faults=_run(lambda emulator: emulator.clear()))


@bp.delete("/faults/<name>")
def clear_fault(name: str) -> Response:
    fault = _fault(name)
    return jsonify(faults=_run(lambda emulator: emulator.clear(fault)))


def _fault(name: object) -> Fault:
    try:
        return Fault(name)
    except ValueError:
        known = ", ".join(fault.value for fault in Fault)
        raise ControlError(400, "invalid_fault", f"'fault' must be one of: {known}") from None
