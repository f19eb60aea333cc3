"""POST /dial-check: may this agent call that target? The toolbar asks before it dials.

``{"to": "+442071838750"}`` (or ``"client:<identity>"``), with the same bearer JWT as /token,
answers 200 ``{"allowed": true, "to": …}``, or 403 in the JSON error shape whose code names the
reason (outbound_policy.py lists them), so the toolbar can tell the agent why in words. /voice
applies the same policy to the call itself. Rate-limited and CORS as /token; a body that is not
``{"to": "<string>"}`` is 400 bad_request.

Public names: create_blueprint.
"""

import logging

from flask import Blueprint
from flask import request
from werkzeug.exceptions import BadRequest

from server.agents_auth import AgentVerifier
from server.config import Settings
from server.errors import Forbidden
from server.outbound_policy import OutboundPolicy
from server.ratelimit import RequestLimits
from server.tokens import verified_identity

logger = logging.getLogger(__name__)


def create_blueprint(
    settings: Settings, verifier: AgentVerifier, limits: RequestLimits
) -> Blueprint:
    """Build the dial-check blueprint around one app's policy, verifier and rate limits."""
    bp = Blueprint("dial_check", __name__)
    policy = OutboundPolicy(settings)

    @bp.post("/dial-check")
    def dial_check() -> dict[str, object]:
        """Answer whether the verified agent may call the body's "to"."""
        identity = verified_identity(verifier, limits, "dial-check")
        body = request.get_json(silent=True)
        target = body.get("to") if isinstance(body, dict) else None
        if not isinstance(target, str):
            raise BadRequest('the body must be a JSON object {"to": "<number or client:id>"}')
        refusal = policy.refusal(target)
        if refusal is not None:
            raise Forbidden(refusal.code, refusal.message)
        logger.info("dial allowed", extra={"event": "dial_allowed", "caller": identity, "to": target})
        return {"allowed": True, "to": target}

    return bp
