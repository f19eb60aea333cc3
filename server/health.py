"""GET /healthz: a liveness probe for load balancers and the sandbox.

Public names: bp.
"""

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Report that the process answers; checks nothing else (no JWKS, no Twilio)."""
    return {"status": "ok"}
