"""GET /token: an agent with a valid JWT gets a Twilio Voice Access Token; anyone else a 401.

Every refusal is a 401 in the service's JSON error shape with
``WWW-Authenticate: Bearer error="invalid_token", error_description="<message>"``.
"""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client


def _segment(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _raw(value: str) -> dict[str, str]:
    return {"Authorization": value}


def _unsigned(idp, **header: object) -> dict[str, str]:
    """Return an Authorization header with an unsigned token: valid claims, the given header."""
    return _raw(f"Bearer {_segment(header)}.{_segment(idp.claims())}.")


def _hs256_with_public_key(idp) -> str:
    """Forge the classic confusion attack: HS256 keyed with the RSA public key's PEM."""
    pem = (
        idp.keys[idp.rsa_kid]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = f"{_segment({'alg': 'HS256', 'kid': idp.rsa_kid})}.{_segment(idp.claims())}"
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _twilio_claims(body: dict[str, object], environ: dict[str, str]) -> dict[str, object]:
    """Verify the Access Token's HS256 signature with the API key secret; return its claims."""
    header = jwt.get_unverified_header(body["token"])
    assert header["alg"] == "HS256"
    assert header["cty"] == "twilio-fpa;v=1"
    return jwt.decode(body["token"], environ["TWILIO_API_KEY_SECRET"], algorithms=["HS256"])


def test_token_rs256_agent_gets_voice_token(client, idp, environ):
    """An agent with a valid RS256 JWT gets a signed Access Token with a Voice grant."""
    response = client.get("/token", headers=idp.bearer("alice"))

    assert response.status_code == 200
    body = response.get_json()
    assert body["identity"] == "alice"
    assert body["ttl"] == 3600
    claims = _twilio_claims(body, environ)
    assert claims["iss"] == environ["TWILIO_API_KEY_SID"]
    assert claims["sub"] == environ["TWILIO_ACCOUNT_SID"]
    assert claims["grants"] == {
        "identity": "alice",
        "voice": {
            "incoming": {"allow": True},
            "outgoing": {"application_sid": environ["TWILIO_TWIML_APP_SID"]},
        },
    }
    assert claims["exp"] - claims["nbf"] == 3600
    assert abs(claims["nbf"] - time.time()) < 60


def test_token_es256_agent_gets_voice_token(client, idp, environ):
    """An ES256 JWT from a published P-256 key works as well as an RS256 one."""
    response = client.get("/token", headers=idp.bearer("bob_2", kid=idp.ec_kid))

    assert response.status_code == 200
    assert response.get_json()["identity"] == "bob_2"
    assert _twilio_claims(response.get_json(), environ)["grants"]["identity"] == "bob_2"


def test_token_ttl_follows_setting(make_app, idp, environ):
    """TOOLBAR_TOKEN_TTL sets both the answer's ttl and the token's lifetime."""
    client = make_app(TOOLBAR_TOKEN_TTL="600").test_client()

    body = client.get("/token", headers=idp.bearer()).get_json()

    assert body["ttl"] == 600
    claims = _twilio_claims(body, environ)
    assert claims["exp"] - claims["nbf"] == 600


def test_token_response_is_not_cacheable(client, idp):
    """A token answer tells every cache not to store it."""
    response = client.get("/token", headers=idp.bearer())

    assert response.headers["Cache-Control"] == "no-store"


def test_token_expired_within_leeway_is_accepted(client, idp):
    """A JWT that expired a few seconds ago still works (30 s of clock skew allowed)."""
    response = client.get("/token", headers=idp.bearer(exp=int(time.time()) - 10))

    assert response.status_code == 200


NOT_BEARER = "Authorization header is not 'Bearer <JWT>'"
WRONG_ALG = "token algorithm must be RS256 or ES256"


@pytest.mark.parametrize(
    ("make_headers", "message"),
    [
        pytest.param(lambda idp: {}, "missing bearer token", id="no-header"),
        pytest.param(lambda idp: _raw(""), "missing bearer token", id="empty-header"),
        pytest.param(lambda idp: _raw("Basic YWxpY2U6c2VjcmV0"), NOT_BEARER, id="basic-scheme"),
        pytest.param(lambda idp: _raw("Bearer"), NOT_BEARER, id="bearer-without-token"),
        pytest.param(lambda idp: _raw("Bearer a.b"), NOT_BEARER, id="two-segments"),
        pytest.param(lambda idp: _raw(f"Bearer {idp.token()} x"), NOT_BEARER, id="trailing-junk"),
        pytest.param(lambda idp: _raw(f"Bearer {'a' * 9000}.b.c"), NOT_BEARER, id="oversized"),
        pytest.param(lambda idp: _raw("Bearer abc.def.ghi"), "token is malformed", id="not-json"),
        pytest.param(lambda idp: idp.bearer(signer="stranger"), "token signature does not verify",
                     id="bad-signature"),
        pytest.param(lambda idp: idp.bearer(iss="https://evil.example.test/"),
                     "token is from another issuer", id="wrong-issuer"),
        pytest.param(lambda idp: idp.bearer(aud="someone-else"), "token is for another audience",
                     id="wrong-audience"),
        pytest.param(lambda idp: idp.bearer(exp=int(time.time()) - 120), "token has expired",
                     id="expired"),
        pytest.param(lambda idp: idp.bearer(nbf=int(time.time()) + 600), "token is not valid yet",
                     id="not-yet-valid"),
        pytest.param(lambda idp: idp.bearer(exp=None), "token has no exp claim", id="no-exp"),
        pytest.param(lambda idp: idp.bearer(sub=None), "token has no sub claim", id="no-sub"),
        pytest.param(lambda idp: idp.bearer(aud=None), "token has no aud claim", id="no-aud"),
        pytest.param(lambda idp: _unsigned(idp, alg="none", kid=idp.rsa_kid), WRONG_ALG,
                     id="alg-none"),
        pytest.param(lambda idp: _raw("Bearer " + _hs256_with_public_key(idp)), WRONG_ALG,
                     id="hs256-with-public-key"),
        pytest.param(lambda idp: _unsigned(idp, alg="RS256"), "token has no key id (kid)",
                     id="no-kid"),
        pytest.param(lambda idp: idp.bearer(kid="retired-2019", signer=idp.rsa_kid),
                     "token is signed with an unknown key", id="unknown-kid"),
        pytest.param(lambda idp: idp.bearer(kid=idp.ec_kid, signer=idp.rsa_kid),
                     "token algorithm does not match its key", id="alg-key-mismatch"),
    ],
)  # fmt: skip
def test_token_refusal_is_401_naming_the_reason(client, idp, assert_error, make_headers, message):
    """Each way a bearer token can be wrong gets a 401 saying which, and a Bearer challenge."""
    response = client.get("/token", headers=make_headers(idp))

    assert_error(response, 401, "invalid_token", message)
    assert response.headers["WWW-Authenticate"] == (
        f'Bearer error="invalid_token", error_description="{message}"'
    )


@pytest.mark.parametrize(
    "sub",
    ["alice.smith@example.com", "alice-smith", "álice", "a" * 122, "", "alice\n", 42],
    ids=["email", "hyphen", "non-ascii", "too-long", "empty", "newline", "number"],
)
def test_token_subject_outside_twilio_rules_is_refused(client, idp, assert_error, sub):
    """A sub that is not a Twilio identity is refused as it is, never rewritten."""
    response = client.get("/token", headers=idp.bearer(sub))

    error = assert_error(response, 401, "invalid_token")
    assert error["message"].startswith("token subject is not a Twilio identity")


def test_token_subject_of_121_characters_is_accepted(make_app, idp):
    """The longest identity Twilio allows goes through unchanged."""
    client = make_app(TOOLBAR_AGENTS="a" * 121).test_client()

    response = client.get("/token", headers=idp.bearer("a" * 121))

    assert response.get_json()["identity"] == "a" * 121


def test_token_refusal_is_logged_without_the_token(client, idp, caplog):
    """A refusal is logged with its reason, and the token never reaches the log."""
    token = idp.token(aud="someone-else")

    with caplog.at_level("INFO", logger="server.errors"):
        client.get("/token", headers={"Authorization": f"Bearer {token}"})

    assert "refused: token is for another audience" in caplog.text
    assert token not in caplog.text
    assert token.split(".")[2] not in caplog.text


def test_token_jwks_unreadable_is_503(make_app, idp, tmp_path, assert_error):
    """With no signing keys to check against, the answer is 503, not 401 or 500."""
    client = make_app(TOOLBAR_JWKS_URL=(tmp_path / "missing.json").as_uri()).test_client()

    response = client.get("/token", headers=idp.bearer())

    assert_error(response, 503, "keys_unavailable")


def test_token_works_under_a_script_root(app, idp):
    """Mounted under /api (as the sandbox and Netlify do), /api/token answers."""
    outer = Flask("outer")
    client = Client(DispatcherMiddleware(outer, {"/api": app}))

    response = client.get("/api/token", headers=idp.bearer())

    assert response.status_code == 200
    assert response.get_json()["identity"] == "alice"


def test_token_for_a_non_agent_is_refused(client, idp, assert_error):
    """A valid JWT whose sub is not an agent gets no Access Token at all."""
    response = client.get("/token", headers=idp.bearer("eve"))

    assert_error(response, 403, "not_an_agent")


@pytest.mark.parametrize("groups", ["cc_agents", ["sales", "cc_agents"]])
def test_token_agent_claim_admits_its_members(make_app, idp, groups):
    """With TOOLBAR_AGENT_CLAIM=groups=cc_agents, a JWT whose groups is (or lists) cc_agents
    gets a token though its sub is not in TOOLBAR_AGENTS."""
    client = make_app(TOOLBAR_AGENT_CLAIM="groups=cc_agents").test_client()

    response = client.get("/token", headers=idp.bearer("dave", groups=groups))

    assert response.status_code == 200
    assert response.get_json()["identity"] == "dave"


@pytest.mark.parametrize("groups", [None, "cc_agents_old", ["sales"], {"cc_agents": True}])
def test_token_agent_claim_refuses_the_others(make_app, idp, assert_error, groups):
    """Without the claim's value, a sub outside TOOLBAR_AGENTS is still refused."""
    client = make_app(TOOLBAR_AGENT_CLAIM="groups=cc_agents").test_client()

    response = client.get("/token", headers=idp.bearer("dave", groups=groups))

    assert_error(response, 403, "not_an_agent")
