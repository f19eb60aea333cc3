"""The toolbar's token service: a Flask app that issues Twilio Voice Access Tokens to agents.

Routes (relative to wherever the app is mounted, e.g. /api):

* GET /token: an Access Token for the agent named by a bearer JWT (tokens.py);
* POST /dial-check: whether the outbound policy lets the agent call a target (dial_check.py);
* GET /agents, POST /calls/<CallSid>/{hold,transfer,consult,leave}: call control
  (call_control.py);
* POST /voice and its callbacks: TwiML for Twilio's calls, signature-checked (voice.py);
* GET /healthz: liveness (health.py).

Public names: create_app.
"""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from server import call_control
from server import cors
from server import dial_check
from server import errors
from server import health
from server import logs
from server import ratelimit
from server import security
from server import signed_proxy
from server import tokens
from server import voice
from server.agents_auth import AgentVerifier
from server.call_events import CallEvents
from server.conference import Conferences
from server.config import Settings
from server.config import load_settings
from server.jwks import JwksCache
from server.twilio_rest import TwilioRest

# Twilio's webhook forms and the call-control bodies are a few KiB.
_MAX_CONTENT_LENGTH = 64 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app for settings, or for os.environ when settings is None.

    Does no I/O: the JWKS is fetched on the first /token request.

    Raises:
        ConfigError: settings is None and os.environ is missing or misstates a setting.
    """
    if settings is None:
        settings = load_settings(os.environ)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = _MAX_CONTENT_LENGTH

    logs.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    cors.init_app(app, settings.allowed_origins)
    limits = ratelimit.RequestLimits(settings)
    # The one REST client: every request to Twilio's REST API goes through it (twilio_rest.py).
    rest = app.extensions["twilio_rest"] = TwilioRest(settings)
    conferences = Conferences(settings, rest)

    keys = JwksCache(settings.jwks_url)
    verifier = AgentVerifier(
        keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        agents=settings.agents,
        agent_claim=settings.agent_claim,
    )
    app.register_blueprint(tokens.create_blueprint(settings, verifier, limits))
    app.register_blueprint(dial_check.create_blueprint(settings, verifier, limits))
    app.register_blueprint(call_control.create_blueprint(settings, verifier, limits, conferences))
    app.register_blueprint(voice.create_blueprint(settings, rest, CallEvents(conferences)))
    app.register_blueprint(health.bp)

    if settings.proxy_signing_secret:
        signed_proxy.init_app(app, settings.proxy_signing_secret, settings.trusted_proxies)
    elif settings.trusted_proxies:
        # Client address (rate limits) and scheme (HSTS) from the proxies' X-Forwarded-* headers;
        # trusting more hops than there are proxies would let clients pick their own address.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    return app
