"""Fixtures for the token service tests: real keys, a real JWKS, real agent JWTs.

Nothing is mocked. ``idp`` plays the agents' identity provider (Fusion): it holds RSA and EC
keys, publishes the public halves as a JWKS file, and mints JWTs; Twilio's REST API is the
sandbox's emulator (``twilio_emulator``). ``make_app`` builds the service
from an environment dict, as the entry points do; ``client`` is its test client.
"""

import json
import os
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

# pytest puts tests/ on sys.path (no __init__.py files, "prepend" import mode), where this very
# folder would be found as a namespace package "server" before the editable install's real one.
# Putting the repository root first makes "import server" mean the service.
_ROOT = str(Path(__file__).resolve().parents[2])
if sys.path[0] != _ROOT:
    sys.path.insert(0, _ROOT)

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import Client
from werkzeug.test import TestResponse

from sandbox.runner import Sandbox
from server import create_app
from server.config import load_settings
from tests.error_shape import assert_error as check_error_shape
from tests.sandbox.rest_kit import sandbox_in_thread

ISSUER = "https://idp.example.test/"
AUDIENCE = "twilio-fusion-toolbar"
AUTH_TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90"  # placeholder, 32 hex characters
TWIML_APP_SID = "AP" + "00112233445566778899aabbccddeeff"
CALLER_ID = "+15005550006"
TOOLBAR_ORIGIN = "https://fusion.example.test"
PUBLIC_URL = "https://toolbar.example.test/api"
AGENTS = ("alice", "bob_2")
RSA_KID = "rsa-2026"
EC_KID = "ec-2026"


def _algorithm(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"


class IdentityProvider:
    """Mints agent JWTs with real keys and publishes their JWKS at a file:// URL."""

    issuer = ISSUER
    audience = AUDIENCE
    rsa_kid = RSA_KID
    ec_kid = EC_KID

    def __init__(self, keys: dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey], path: Path):
        self.keys = keys
        self.path = path
        self.publish(*keys)

    @property
    def jwks_url(self) -> str:
        return self.path.as_uri()

    def publish(self, *kids: str) -> None:
        """Make the JWKS list exactly the public keys named by kids."""
        self.path.write_text(json.dumps({"keys": [self.jwk(kid) for kid in kids]}))

    def jwk(self, kid: str) -> dict[str, object]:
        """Return the public JWK of the key named kid."""
        key = self.keys[kid]
        rsa_key = isinstance(key, rsa.RSAPrivateKey)
        codec = jwt.algorithms.RSAAlgorithm if rsa_key else jwt.algorithms.ECAlgorithm
        public = codec.to_jwk(key.public_key(), as_dict=True)
        return {**public, "kid": kid, "use": "sig", "alg": _algorithm(key)}

    def claims(self, sub: str = "alice", **overrides: object) -> dict[str, object]:
        """Return valid claims for sub, with overrides (None removes a claim)."""
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": now, "exp": now + 300}
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def token(
        self,
        sub: str = "alice",
        *,
        kid: str = RSA_KID,
        signer: str | None = None,
        **overrides: object,
    ) -> str:
        """Return a JWT for sub, headed with kid and signed by the key signer (default: kid)."""
        key = self.keys[signer or kid]
        return jwt.encode(self.claims(sub, **overrides), key, _algorithm(key), headers={"kid": kid})

    def bearer(self, sub: str = "alice", **options: object) -> dict[str, str]:
        """Return an Authorization header carrying token(sub, **options)."""
        return {"Authorization": f"Bearer {self.token(sub, **options)}"}


@pytest.fixture(scope="session")
def signing_keys() -> dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey]:
    """Real keys, generated once: two published (RSA, EC) and one the JWKS never lists."""
    return {
        RSA_KID: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        EC_KID: ec.generate_private_key(ec.SECP256R1()),
        "stranger": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


@pytest.fixture
def idp(signing_keys, tmp_path: Path) -> IdentityProvider:
    """An identity provider publishing the RSA and EC keys in tmp_path/jwks.json."""
    return IdentityProvider(signing_keys, tmp_path / "jwks.json")


@pytest.fixture(scope="session")
def twilio_emulator() -> Iterator[Sandbox]:
    """A sandbox, for its Twilio REST emulator: the service's Twilio (/voice counts an agent's
    calls in progress over REST), reached through TWILIO_REST_URL as in the sandbox."""
    with sandbox_in_thread() as sandbox:
        yield sandbox


@pytest.fixture
def environ(idp: IdentityProvider, twilio_emulator: Sandbox) -> dict[str, str]:
    """A complete, valid environment for the service, trusting idp's JWKS, its Twilio account
    the emulator's."""
    account = twilio_emulator.credentials
    return {
        "TWILIO_ACCOUNT_SID": account.account_sid,
        "TWILIO_API_KEY_SID": account.api_key_sid,
        "TWILIO_API_KEY_SECRET": account.api_key_secret,
        "TWILIO_REST_URL": twilio_emulator.config.rest_url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_TWIML_APP_SID": TWIML_APP_SID,
        "TWILIO_CALLER_ID": CALLER_ID,
        "TOOLBAR_JWKS_URL": idp.jwks_url,
        "TOOLBAR_JWT_ISSUER": ISSUER,
        "TOOLBAR_JWT_AUDIENCE": AUDIENCE,
        "TOOLBAR_ALLOWED_ORIGINS": TOOLBAR_ORIGIN,
        "TOOLBAR_AGENTS": ",".join(AGENTS),
        "TOOLBAR_PUBLIC_URL": PUBLIC_URL,
    }


@pytest.fixture
def make_app(environ: dict[str, str]) -> Callable[..., Flask]:
    """Build an app from environ with some settings overridden, e.g. make_app(TOOLBAR_…="…")."""

    def make(**overrides: str) -> Flask:
        app = create_app(load_settings({**environ, **overrides}))
        app.testing = True
        return app

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The service with the default test environment."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of app."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own TWILIO_*/TOOLBAR_* variables out of every test."""
    for name in list(os.environ):
        if name.startswith(("TWILIO_", "TOOLBAR_")):
            monkeypatch.delenv(name)


@pytest.fixture
def assert_error() -> Callable[..., dict[str, object]]:
    """Return the helper that checks the one JSON error shape (shared with the sandbox's tests)."""
    return check_error_shape


class TwilioWebhooks:
    """Posts to /voice as Twilio does, with a real X-Twilio-Signature."""

    def __init__(self, client: FlaskClient, auth_token: str, voice_url: str) -> None:
        self.client = client
        self.validator = RequestValidator(auth_token)
        self.voice_url = voice_url

    def post(
        self,
        params: dict[str, str],
        *,
        query: str = "",
        path: str = "/voice",
        signature: str | None = None,
        via: Client | None = None,
    ) -> TestResponse:
        """POST params to path (plus ?query) through via (default: client).

        The signature is Twilio's for the public voice URL, unless one is given.
        """
        url = f"{self.voice_url}?{query}" if query else self.voice_url
        if signature is None:
            signature = self.validator.compute_signature(url, params)
        target = f"{path}?{query}" if query else path
        headers = {"X-Twilio-Signature": signature}
        return (via or self.client).post(target, data=params, headers=headers)


@pytest.fixture
def twilio(client: FlaskClient, environ: dict[str, str]) -> TwilioWebhooks:
    """Twilio's side of /voice, posting through client."""
    return TwilioWebhooks(client, environ["TWILIO_AUTH_TOKEN"], PUBLIC_URL + "/voice")
