"""Junk at every route: whatever arrives, the answer is never a 500.

The app is built once per test and reused across Hypothesis examples on purpose (examples only
read it), hence the suppressed function_scoped_fixture health check. Rate limits are raised so
that examples reach the code behind them.
"""

import base64
import json
import time
import xml.etree.ElementTree as ET

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from server.twilio_formats import is_call_sid
from server.twilio_formats import is_e164
from server.twilio_formats import is_identity

JUNK = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ROUTES = ["/token", "/voice", "/healthz", "/", "/token/", "//token", "/api/token", "/static/x"]
HEADER_NAMES = [
    "Authorization", "Origin", "X-Twilio-Signature", "Content-Type", "X-Forwarded-For",
    "X-Forwarded-Proto", "Access-Control-Request-Method", "Accept", "Cookie", "Host",
]  # fmt: skip

# Header values a client can send (latin-1, no control characters), plus near-misses.
header_values = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=200
) | st.sampled_from(["Bearer a.b.c", "Bearer " + "x" * 9000])
# WSGI servers pass the raw path and query on as latin-1 text.
raw_text = st.text(st.characters(min_codepoint=0x21, max_codepoint=0xFF), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


@pytest.fixture
def junk_client(make_app):
    """The service with limits high enough that junk reaches every check."""
    return make_app(
        TOOLBAR_RATE_LIMIT_IDENTITY="1000000/minute", TOOLBAR_RATE_LIMIT_ADDRESS="1000000/minute"
    ).test_client()


@JUNK
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"])
    | st.from_regex(r"[A-Z]{1,12}", fullmatch=True),
    path=st.sampled_from(ROUTES) | raw_text.map("/{}".format),
    query=st.just("") | raw_text,
    headers=st.dictionaries(st.sampled_from(HEADER_NAMES), header_values, max_size=6),
    body=st.binary(max_size=2048),
)
def test_junk_request_never_gets_a_500(junk_client, method, path, query, headers, body):
    """Any method, path, query, headers and body get a deliberate answer, never a server error."""
    # Set in the WSGI environ directly, as a server would: the test client would otherwise
    # parse a path such as "//host:port" as a URL.
    raw = {"PATH_INFO": path, "QUERY_STRING": query}
    response = junk_client.open(
        "/", method=method, headers=headers, data=body, environ_overrides=raw
    )

    assert response.status_code < 500


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """Sign as RS256 or ES256 would (ES256 signatures are r || s, 32 bytes each)."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, object]) -> object:
    """Draw valid with some entries removed or replaced by junk, or, rarely, junk outright."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    result = dict(valid)
    for name in draw(st.sets(st.sampled_from([*valid, "crit", "b64", "nbf"]))):
        replacement = draw(st.none() | json_values | st.integers())
        if replacement is None:
            result.pop(name, None)
        else:
            result[name] = replacement
    return result


@JUNK
@given(data=st.data(), signer=st.sampled_from(["rsa-2026", "ec-2026", "stranger", None]))
def test_junk_signed_tokens_get_200_or_401(junk_client, signing_keys, assert_error, data, signer):
    """Signed tokens with junk among valid headers and claims get a 200 or a 401, nothing else."""
    now = int(time.time())
    alg, kid = ("ES256", "ec-2026") if signer == "ec-2026" else ("RS256", "rsa-2026")
    header = data.draw(mutated({"alg": alg, "kid": kid, "typ": "JWT"}))
    claims = data.draw(mutated({
        "iss": "https://idp.example.test/", "aud": "twilio-fusion-toolbar",
        "sub": "alice", "exp": now + 300, "iat": now,
    }))  # fmt: skip
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = _sign(signing_keys[signer], signing_input.encode()) if signer else b""
    token = f"{signing_input}.{_b64(signature)}"

    response = junk_client.get("/token", headers={"Authorization": f"Bearer {token}"})

    if response.status_code != 200:
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


targets = (
    st.sampled_from(["+15005550006", "+15551234567", "client:alice", "client:bob_2", "client:"])
    | st.from_regex(r"\+[0-9 ()\-١]{0,17}", fullmatch=True)
    | st.from_regex(r"client:[A-Za-z0-9_.\-é ]{0,12}", fullmatch=True)
    | st.text(max_size=30)
)


@JUNK
@given(
    params=st.fixed_dictionaries(
        {},
        optional={"To": targets, "From": st.just("client:alice") | targets, "CallSid": st.text()},
    ),
    extra=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=3),
)
def test_junk_signed_webhook_gets_valid_twiml_dialling_only_valid_targets(twilio, params, extra):
    """A genuine Twilio request with any To/From gets TwiML that dials only E.164 or identities."""
    response = twilio.post({**extra, **params})

    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    assert all(is_e164(number.text) for number in root.iter("Number"))
    assert all(is_identity(client.text) for client in root.iter("Client"))
    assert all(is_call_sid(room.text) for room in root.iter("Conference"))
