"""TOOLBAR_PROXY_SIGNING_SECRET: only Netlify's signed proxy is served, and only it is believed.

X-Nf-Sign is made here as Netlify makes it (HS256 JWS, iss "netlify", exp five minutes on, the
site's claims), with real PyJWT.
"""

import time

import jwt
import pytest

SECRET = "netlify-proxy-secret-for-tests-0123456789"


def nf_sign(secret: str = SECRET, **overrides: object) -> str:
    """A signature as Netlify's proxy sends it, with claims overridden (None removes one)."""
    claims = {"deploy_context": "production", "netlify_id": "site-id",
              "site_url": "https://toolbar.example.test", "iss": "netlify",
              "exp": int(time.time()) + 300}  # fmt: skip
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, "HS256")


@pytest.fixture
def signed(make_app):
    """The service behind the signed proxy, allowing one token request per address a minute."""
    app = make_app(TOOLBAR_PROXY_SIGNING_SECRET=SECRET, TOOLBAR_RATE_LIMIT_ADDRESS="1/minute")
    return app.test_client()


def _token(client, idp, sign: str | None, forwarded_for: str):
    headers = {**idp.bearer(), "X-Forwarded-For": forwarded_for}
    if sign is not None:
        headers["X-Nf-Sign"] = sign
    return client.get("/token", headers=headers, environ_base={"REMOTE_ADDR": "10.9.9.9"})


def test_signed_proxy_spoofed_forwarded_for_without_signature_is_403(signed, idp, assert_error):
    """Reaching the service directly, with any X-Forwarded-For, is refused: no token, and no
    budget of the spoofed address is spent."""
    for n in range(5):
        response = _token(signed, idp, None, f"198.51.100.{n}")
        assert_error(response, 403, "invalid_proxy_signature",
                     "request did not come through the signed proxy (no X-Nf-Sign)")

    assert _token(signed, idp, nf_sign(), "198.51.100.1").status_code == 200


@pytest.mark.parametrize("sign", [
    nf_sign(secret="another-secret-entirely-0123456789abcdef"),
    nf_sign(iss="someone"),
    nf_sign(iss=None),
    nf_sign(exp=int(time.time()) - 120),
    nf_sign(exp=None),
    jwt.encode({"iss": "netlify", "exp": int(time.time()) + 300}, None, "none"),
    "not-a-jws",
], ids=["other-secret", "other-issuer", "no-issuer", "expired", "no-exp", "alg-none", "junk"])  # fmt: skip
def test_signed_proxy_bad_signature_is_403(signed, idp, assert_error, sign):
    """A forged, expired or malformed X-Nf-Sign is refused like a missing one."""
    response = _token(signed, idp, sign, "198.51.100.7")

    assert_error(response, 403, "invalid_proxy_signature", "X-Nf-Sign does not verify")


def test_signed_proxy_believes_forwarded_for_only_when_signed(signed, idp):
    """Signed requests are counted by their forwarded client address (one each, here)."""
    statuses = [_token(signed, idp, nf_sign(), address).status_code
                for address in ("203.0.113.1", "203.0.113.2", "203.0.113.1")]  # fmt: skip

    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(("method", "path"), [("POST", "/voice"), ("POST", "/dial-check"),
                                              ("GET", "/nowhere")])  # fmt: skip
def test_signed_proxy_guards_every_route(signed, assert_error, method, path):
    """Every route but /healthz needs the signature, webhooks and unknown paths included."""
    assert_error(signed.open(path, method=method), 403, "invalid_proxy_signature")


def test_signed_proxy_leaves_healthz_open(signed):
    """Load balancers probe /healthz directly; it answers without a signature."""
    assert signed.get("/healthz").get_json() == {"status": "ok"}
