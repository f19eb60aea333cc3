"""The JWKS cache: keys are fetched once, parsed once, refetched only when needed and allowed.

Time is a fake clock, so nothing sleeps. The https path shares its code with the loopback http
one exercised here (urllib); only the scheme check differs, and that is a config test.
"""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa

from server.errors import KeysUnavailable
from server.jwks import JwksCache


class Clock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class JwksServer(ThreadingHTTPServer):
    """A loopback HTTP server that serves one JWKS document and counts requests."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _JwksHandler)
        self.body = b"{}"
        self.status = 200
        self.location = ""
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/jwks.json"


class _JwksHandler(BaseHTTPRequestHandler):
    server: JwksServer

    def do_GET(self) -> None:
        self.server.requests += 1
        self.send_response(self.server.status)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    """A JWKS server on a free loopback port, in a thread."""
    server = JwksServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _publish(server: JwksServer, idp, *kids: str) -> None:
    server.body = json.dumps({"keys": [idp.jwk(kid) for kid in kids]}).encode()


def test_jwks_file_keys_are_found_by_kid(idp, clock):
    """Published RSA and EC keys come back bound to RS256 and ES256; others are None."""
    cache = JwksCache(idp.jwks_url, clock=clock)

    assert cache.get(idp.rsa_kid).algorithm_name == "RS256"
    assert cache.get(idp.ec_kid).algorithm_name == "ES256"
    assert cache.get("no-such-kid") is None


def test_jwks_http_fetched_once_for_many_lookups(jwks_server, idp, clock):
    """Lookups of known keys are served from the cache, without refetching."""
    _publish(jwks_server, idp, idp.rsa_kid)
    cache = JwksCache(jwks_server.url, clock=clock)

    for _ in range(50):
        assert cache.get(idp.rsa_kid) is not None
        clock.advance(60)

    assert jwks_server.requests == 1


def test_jwks_unknown_kid_refetches_once_interval_passed(jwks_server, idp, clock):
    """A new kid is looked up again, but not before the minimum refetch interval."""
    _publish(jwks_server, idp, idp.rsa_kid)
    cache = JwksCache(jwks_server.url, min_refetch_interval=15, clock=clock)
    cache.get(idp.rsa_kid)
    _publish(jwks_server, idp, idp.rsa_kid, idp.ec_kid)  # the issuer rotates in a new key

    assert cache.get(idp.ec_kid) is None
    clock.advance(15)
    assert cache.get(idp.ec_kid) is not None
    assert jwks_server.requests == 2


def test_jwks_unknown_kid_flood_fetches_once_per_interval(jwks_server, idp, clock):
    """Tokens with made-up kids cause at most one fetch per interval."""
    _publish(jwks_server, idp, idp.rsa_kid)
    cache = JwksCache(jwks_server.url, min_refetch_interval=15, clock=clock)

    for second in range(30):
        assert cache.get(f"made-up-{second}") is None
        clock.advance(1)

    assert jwks_server.requests == 2


def test_jwks_keys_older_than_max_age_are_refetched(idp, clock):
    """After max_age the document is read again, so retired keys stop working."""
    cache = JwksCache(idp.jwks_url, max_age=3600, clock=clock)
    assert cache.get(idp.rsa_kid) is not None
    idp.publish(idp.ec_kid)

    clock.advance(3599)
    assert cache.get(idp.rsa_kid) is not None
    clock.advance(1)
    assert cache.get(idp.rsa_kid) is None
    assert cache.get(idp.ec_kid) is not None


def test_jwks_failed_refetch_keeps_loaded_keys(idp, clock, caplog):
    """If the JWKS breaks later, the keys already loaded stay in use, and it is logged."""
    cache = JwksCache(idp.jwks_url, max_age=3600, clock=clock)
    cache.get(idp.rsa_kid)
    idp.path.write_text("<html>maintenance</html>")

    clock.advance(7200)
    with caplog.at_level("WARNING", logger="server.jwks"):
        assert cache.get(idp.rsa_kid) is not None

    assert f"cannot load JWKS from {idp.jwks_url}" in caplog.text


def test_jwks_never_loaded_is_unavailable_until_retry(idp, clock):
    """With no keys ever loaded, lookups raise; a fixed JWKS is picked up after the interval."""
    idp.path.unlink()
    cache = JwksCache(idp.jwks_url, min_refetch_interval=15, clock=clock)

    with pytest.raises(KeysUnavailable):
        cache.get(idp.rsa_kid)
    idp.publish(idp.rsa_kid)
    with pytest.raises(KeysUnavailable):
        cache.get(idp.rsa_kid)
    clock.advance(15)
    assert cache.get(idp.rsa_kid) is not None


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b"{}", b'{"keys": {}}', b'{"keys": []}', b'{"keys": [1, "a", null]}'],
    ids=["not-json", "list", "no-keys", "keys-not-a-list", "empty", "junk-entries"],
)
def test_jwks_document_without_keys_is_unavailable(jwks_server, clock, body):
    """A document that is not a JWKS, or lists no usable key, loads nothing."""
    jwks_server.body = body

    with pytest.raises(KeysUnavailable):
        JwksCache(jwks_server.url, clock=clock).get("any")


def _weak_rsa_jwk() -> dict[str, object]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)


def _p384_jwk() -> dict[str, object]:
    key = ec.generate_private_key(ec.SECP384R1())
    return jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)


@pytest.mark.parametrize(
    ("make_jwk"),
    [
        lambda idp: {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"},
        lambda idp: jwt.algorithms.RSAAlgorithm.to_jwk(idp.keys["stranger"], as_dict=True),
        lambda idp: {**idp.jwk(idp.rsa_kid), "use": "enc"},
        lambda idp: {**idp.jwk(idp.rsa_kid), "alg": "RS512"},
        lambda idp: {**idp.jwk(idp.rsa_kid), "alg": "HS256"},
        lambda idp: {**idp.jwk(idp.rsa_kid), "kty": ["RSA"], "crv": {}},
        lambda idp: {**idp.jwk(idp.rsa_kid), "n": 12345},
        lambda idp: _p384_jwk(),
        lambda idp: _weak_rsa_jwk(),
    ],
    ids=[
        "symmetric", "private", "encryption", "rs512", "hs256-alg", "junk-types", "junk-modulus",
        "p384", "rsa-1024",
    ],
)  # fmt: skip
def test_jwks_unusable_key_is_skipped(idp, clock, make_jwk):
    """Keys we must not verify with are ignored; the usable ones beside them still load."""
    bad = {**make_jwk(idp), "kid": "bad"}
    idp.path.write_text(json.dumps({"keys": [bad, idp.jwk(idp.rsa_kid)]}))
    cache = JwksCache(idp.jwks_url, clock=clock)

    assert cache.get("bad") is None
    assert cache.get(idp.rsa_kid) is not None


def test_jwks_key_without_kid_is_skipped(idp, clock):
    """A key must have a kid: tokens find their key by it."""
    anonymous = {k: v for k, v in idp.jwk(idp.rsa_kid).items() if k != "kid"}
    idp.path.write_text(json.dumps({"keys": [anonymous]}))

    with pytest.raises(KeysUnavailable):
        JwksCache(idp.jwks_url, clock=clock).get(idp.rsa_kid)


def test_jwks_redirect_is_not_followed(jwks_server, idp, clock):
    """A redirect is a failure, so a JWKS can never be fetched from a downgraded URL."""
    _publish(jwks_server, idp, idp.rsa_kid)
    jwks_server.status = 302
    jwks_server.location = jwks_server.url + "?moved"

    with pytest.raises(KeysUnavailable):
        JwksCache(jwks_server.url, clock=clock).get(idp.rsa_kid)
    assert jwks_server.requests == 1


def test_jwks_oversized_document_is_refused(idp, clock):
    """A document over max_bytes is not parsed."""
    with pytest.raises(KeysUnavailable):
        JwksCache(idp.jwks_url, max_bytes=100, clock=clock).get(idp.rsa_kid)


def test_jwks_http_loopback_serves_the_token_route(make_app, jwks_server, idp):
    """With the development opt-in, /token trusts an http://127.0.0.1 JWKS, fetched just once."""
    _publish(jwks_server, idp, idp.rsa_kid)
    client = make_app(
        TOOLBAR_JWKS_URL=jwks_server.url, TOOLBAR_JWKS_ALLOW_LOOPBACK_HTTP="true"
    ).test_client()

    statuses = [client.get("/token", headers=idp.bearer()).status_code for _ in range(5)]

    assert statuses == [200] * 5
    assert jwks_server.requests == 1
