"""GET /token: a Twilio Voice Access Token for the agent named by a bearer JWT.

Answers ``{"identity": …, "token": …, "ttl": …}``. The token's Voice grant lets the agent's
browser receive calls (``incoming_allow``) and place them through the TwiML App. Refusals are
401 (bad token, see agents_auth.py), 403 not_an_agent, 429 (see ratelimit.py) or 503 (no signing keys), all in the
JSON error shape of errors.py.

Public names: create_blueprint, verified_identity, voice_token.
"""

from flask import Blueprint
from flask import request
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from server import logs
from server.agents_auth import AgentVerifier
from server.config import Settings
from server.ratelimit import RequestLimits


def create_blueprint(settings: Settings, verifier: AgentVerifier, limits: RequestLimits) -> Blueprint:
    """Build the tokens blueprint around one app's settings, verifier and rate limits.

    A factory rather than a module-level ``bp``, so the view closes over its app's collaborators
    instead of looking them up per request.
    """
    bp = Blueprint("tokens", __name__)

    @bp.get("/token")
    def token() -> dict[str, object]:
        """Return a Voice Access Token for the agent whose JWT verifies."""
        # The peer's address; behind trusted proxies, ProxyFix has put the client's there.
        identity = verified_identity(verifier, limits, "token")
        return {
            "identity": identity,
            "token": voice_token(settings, identity),
            "ttl": settings.token_ttl,
        }

    return bp


def verified_identity(verifier: AgentVerifier, limits: RequestLimits, scope: str) -> str:
    """Return the agent identity of this request's bearer JWT, counting the request.

    Raises:
        RateLimited, InvalidToken, Forbidden, KeysUnavailable: see the module docstring.
    """
    # The peer's address; behind trusted proxies, ProxyFix has put the client's there.
    limits.count_address(scope, request.remote_addr or "127.0.0.1")
    identity = verifier.identity(request.headers.get("Authorization"))
    logs.note_identity(identity)
    # Counted against the agent only now that the JWT has verified.
    limits.count_identity(scope, identity)
    return identity


def voice_token(settings: Settings, identity: str) -> str:
    """Return a signed Access Token for identity, valid for settings.token_ttl seconds."""
    token = AccessToken(
        settings.twilio_account_sid,
        settings.twilio_api_key_sid,
        settings.twilio_api_key_secret,
        identity=identity,
        ttl=settings.token_ttl,
    )
    grant = VoiceGrant(incoming_allow=True, outgoing_application_sid=settings.twilio_twiml_app_sid)
    token.add_grant(grant)
    return token.to_jwt()
