"""Call-control routes: hold, transfer (blind or after a consultation), three-way, leave.

All take the same bearer JWT as /token, are rate-limited and CORS'd like it, and act only on a
conference the agent is in now, as Twilio reports it (conference.py): ``<CallSid>`` is the
agent's own call as the SDK knows it.

* ``GET /agents``: the transfer targets, ``{"agents": [{"identity", "name", "on_call"}]}``;
* ``POST /calls/<CallSid>/hold`` ``{"hold": true|false}``: the caller on or off hold (music);
* ``POST /calls/<CallSid>/transfer`` ``{"to": "<identity>|<E.164>", "mode": "blind|consult"}``:
  blind puts the caller on hold, rings the target, and releases the agent at once; consult
  puts the caller on hold and rings the target into the agent's call;
* ``POST /calls/<CallSid>/consult`` ``{"action": "complete|conference|cancel"}``: the agent
  leaves (caller and target talk), all three talk, or the target leaves (caller back);
* ``POST /calls/<CallSid>/leave``: the agent leaves; the others go on.

Refusals, in the JSON error shape: 400 bad_request (the body), 401/403 as /token, 404
unknown_call (no such call), 403 not_your_call (a call, but not in a conference of this agent),
403 with the outbound policy's code for a target it refuses (or not_an_agent, or
cannot_transfer_to_self), 409 conflict (no consultation to act on, or one already), 502/503 when Twilio fails: then nothing has changed
for the caller, who is never dropped. Every action logs one audit line (agent, call, action,
target, outcome), never a token.

Public names: create_blueprint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint
from flask import request
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import Conflict
from werkzeug.exceptions import NotFound

from server.agents_auth import AgentVerifier
from server.conference import CallView
from server.conference import Conferences
from server.conference import Member
from server.conference import Role
from server.conference import is_number
from server.config import Settings
from server.errors import Forbidden
from server.errors import ServiceError
from server.errors import TwilioRestError
from server.errors import error_code
from server.outbound_policy import CLIENT_PREFIX
from server.outbound_policy import OutboundPolicy
from server.ratelimit import RequestLimits
from server.tokens import verified_identity
from server.twilio_formats import is_call_sid

logger = logging.getLogger(__name__)

_SCOPE = "call-control"


def create_blueprint(settings: Settings, verifier: AgentVerifier, limits: RequestLimits,
                     conferences: Conferences) -> Blueprint:
    """Build the call-control blueprint around one app's collaborators."""
    bp = Blueprint("call_control", __name__)
    control = _Control(settings, conferences)

    @bp.get("/agents")
    def agents() -> dict[str, object]:
        """The agents a call can be transferred to, and whether each is on a call."""
        identity = verified_identity(verifier, limits, _SCOPE)
        busy = {m.party for view in conferences.live_views() for m in view.members
                if m.connected and m.role is not None and not is_number(m.party)}
        return {"agents": [{"identity": agent, "name": agent, "on_call": agent in busy}
                           for agent in settings.agents if agent != identity]}

    @bp.post("/calls/<call_sid>/<action>")
    def act(call_sid: str, action: str) -> dict[str, object]:
        """Run one call-control action on the agent's call."""
        handler = control.actions.get(action)
        if handler is None:
            raise NotFound("no such call-control action")
        identity = verified_identity(verifier, limits, _SCOPE)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            body = {} if action == "leave" and not request.get_data() else None
        if body is None:
            raise BadRequest("the body must be a JSON object")
        audit = {"event": "call_control", "agent": identity, "call": call_sid,
                 "action": action, "target": body.get("to") if isinstance(body.get("to"), str)
                 else None}
        try:
            view, member = control.own_call(identity, call_sid)
            result = handler(identity, view, member, body)
        except (ServiceError, BadRequest, Conflict, NotFound) as error:
            logger.info("call control refused", extra={**audit, "outcome": error_code(error)})
            raise
        logger.info("call control", extra={**audit, "outcome": "ok"})
        return {"call": call_sid, "action": action, **result}

    return bp


class _Control:
    """The actions, each a function of (agent, conference, agent's participant, body)."""

    def __init__(self, settings: Settings, conferences: Conferences) -> None:
        self._settings = settings
        self._conferences = conferences
        self._policy = OutboundPolicy(settings)
        self.actions: dict[str, Callable[[str, CallView, Member, dict], dict[str, object]]] = {
            "hold": self.hold, "transfer": self.transfer, "consult": self.consult,
            "leave": self.leave}

    def own_call(self, identity: str, call_sid: str) -> tuple[CallView, Member]:
        """The conference ``call_sid`` is in, if it is this agent's call there.

        Raises:
            NotFound: no such call; Forbidden: not_your_call.
        """
        if not is_call_sid(call_sid):
            raise NotFound("no such call")
        view = self._conferences.of_call(call_sid)
        if view is None:
            try:
                self._conferences.fetch_call(call_sid)
            except TwilioRestError as error:
                if error.twilio_code == 20404:
                    raise NotFound("no such call") from None
                raise
            raise Forbidden("not_your_call", "this call is not in a conference of yours")
        member = view.member(call_sid)
        if member is None or member.role is None or member.party != identity:
            raise Forbidden("not_your_call", "this call is not in a conference of yours")
        return view, member

    def hold(self, identity: str, view: CallView, member: Member, body: dict) -> dict[str, object]:
        hold = body.get("hold")
        if not isinstance(hold, bool):
            raise BadRequest('the body must be {"hold": true} or {"hold": false}')
        self._conferences.hold(view, hold)
        return {"hold": hold}

    def transfer(self, identity: str, view: CallView, member: Member,
                 body: dict) -> dict[str, object]:
        target, mode = body.get("to"), body.get("mode")
        if not isinstance(target, str) or mode not in ("blind", "consult"):
            raise BadRequest('the body must be {"to": "<agent or +number>", '
                             '"mode": "blind" or "consult"}')
        self._check_target(identity, target)
        if any(m.role is Role.CONSULT for m in view.others(member.call_sid)) or \
                view.customer() is None:
            raise Conflict("this call already has a transfer in progress, or no caller")
        role = Role.BLIND if mode == "blind" else Role.CONSULT
        self._conferences.hold(view, True)
        try:
            target_call = self._conferences.invite(
                view, role, target, timeout=self._settings.transfer_timeout,
                transferred_by=identity)
        except TwilioRestError:
            self._safely(lambda: self._conferences.hold(view, False))
            raise
        if role is Role.BLIND:
            self._conferences.remove(view, member.call_sid)
        return {"mode": mode, "to": target, "target_call": target_call}

    def consult(self, identity: str, view: CallView, member: Member,
                body: dict) -> dict[str, object]:
        action = body.get("action")
        if action not in ("complete", "conference", "cancel"):
            raise BadRequest('the body must be {"action": "complete", "conference" or "cancel"}')
        targets = [m for m in view.others(member.call_sid) if m.role is Role.CONSULT]
        if not targets:
            raise Conflict("this call has no consultation in progress")
        if action == "cancel":
            for target in targets:
                self._conferences.remove(view, target.call_sid)
        self._conferences.hold(view, False)
        if action == "complete":
            self._conferences.remove(view, member.call_sid)
        return {"consult": action}

    def leave(self, identity: str, view: CallView, member: Member, body: dict) -> dict[str, object]:
        self._conferences.remove(view, member.call_sid)
        return {"left": True}

    def _check_target(self, identity: str, target: str) -> None:
        if target == identity:
            raise Forbidden("cannot_transfer_to_self", "you cannot transfer a call to yourself")
        address = target if is_number(target) else CLIENT_PREFIX + target
        refusal = self._policy.refusal(address)
        if refusal is not None:
            raise Forbidden(refusal.code, refusal.message)

    @staticmethod
    def _safely(undo: Callable[[], None]) -> None:
        """Undo a half-done change; if Twilio fails again, the caller is on hold, not lost."""
        try:
            undo()
        except TwilioRestError:
            logger.warning("could not take the caller off hold after a failed transfer",
                           extra={"event": "call_control_undo_failed"})

