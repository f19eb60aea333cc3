"""A cache of the signing keys published at a JWKS URL.

Keys are fetched once, parsed into PyJWK objects once, and then looked up by ``kid`` with a dict
read per request. The document is fetched again when it is older than ``max_age``, and when a
token names a ``kid`` the cache lacks (the issuer may have rotated keys) — but never more often
than every ``min_refetch_interval``, so tokens with made-up ``kid``s cannot turn into a stream of
fetches. If a refetch fails, the keys already loaded stay in use.

Only public RS256 and ES256 (P-256) signing keys with a ``kid`` are kept; RSA keys shorter than
2048 bits are dropped.

Public names: JwksCache.
"""

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable

import jwt

from server.errors import KeysUnavailable

logger = logging.getLogger(__name__)

# (kty, crv) of the keys we accept, and the one algorithm each may verify.
_ALGORITHMS = ((("RSA", None), "RS256"), (("EC", "P-256"), "ES256"))
_MIN_RSA_BITS = 2048


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A JWKS URL is configured as its final address; following redirects could downgrade
    # https:// to http:// or leave the issuer's host.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


class JwksCache:
    """Signing keys from one JWKS URL (https://, file://, or http:// if the caller allows it).

    get() is safe to call from many threads at once; at most one of them fetches.
    """

    def __init__(
        self,
        url: str,
        *,
        # Timeouts
        max_age: float = 3600.0,
        min_refetch_interval: float = 15.0,
        fetch_timeout: float = 5.0,
        # Limits
        max_bytes: int = 512 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._max_age = max_age
        self._min_refetch_interval = min_refetch_interval
        self._fetch_timeout = fetch_timeout
        self._max_bytes = max_bytes
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._loaded_at: float | None = None  # last successful fetch
        self._tried_at: float | None = None  # last fetch, successful or not
        self._lock = threading.Lock()

    def get(self, kid: str) -> jwt.PyJWK | None:
        """Return the key with this kid, or None if the JWKS does not publish it.

        May fetch the JWKS first (see the module docstring); blocks for at most the fetch timeout.

        Raises:
            KeysUnavailable: no JWKS has been loaded yet and the last attempt failed.
        """
        now = self._clock()
        if self._loaded_at is None or now - self._loaded_at >= self._max_age:
            self._refresh(now)
        key = self._keys.get(kid)
        if key is None:
            self._refresh(now)
            key = self._keys.get(kid)
        if self._loaded_at is None:
            raise KeysUnavailable("the agents' signing keys cannot be loaded; try again later")
        return key

    def _refresh(self, now: float) -> None:
        """Fetch and parse the JWKS unless another attempt happened too recently."""
        with self._lock:
            # Threads queued on the lock find the first one's attempt here and return.
            if self._tried_at is not None and now - self._tried_at < self._min_refetch_interval:
                return
            self._tried_at = now
            try:
                keys = _parse(self._fetch())
            except (OSError, ValueError) as error:
                # OSError: unreachable, HTTP error status, timeout, missing file;
                # ValueError: not JSON, not a JWKS, or no usable keys.
                logger.warning("cannot load JWKS from %s: %s", self._url, error)
                return
            self._keys = keys
            self._loaded_at = now
            logger.info("loaded %d signing keys from %s", len(keys), self._url)

    def _fetch(self) -> bytes:
        with _opener.open(self._url, timeout=self._fetch_timeout) as response:
            body: bytes = response.read(self._max_bytes + 1)
        if len(body) > self._max_bytes:
            raise ValueError(f"JWKS is larger than {self._max_bytes} bytes")
        return body


def _parse(body: bytes) -> dict[str, jwt.PyJWK]:
    """Return the usable signing keys in a JWKS document, by kid.

    Raises:
        ValueError: the document is not a JWKS or has no usable key.
    """
    match json.loads(body):
        case {"keys": list(entries)}:
            pass
        case _:
            raise ValueError('not a JWKS document (no "keys" list)')
    keys = {}
    for jwk in entries:
        key = _signing_key(jwk)
        if key is not None:
            keys[jwk["kid"]] = key
    if not keys:
        raise ValueError("JWKS has no RS256 or ES256 signing key with a kid")
    return keys


def _signing_key(jwk: object) -> jwt.PyJWK | None:
    """Return jwk as a PyJWK bound to its one algorithm, or None if we must not use it."""
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
        return None
    # "d" is private key material: a JWKS that leaks it is misconfigured, not a source of keys.
    if jwk.get("use", "sig") != "sig" or "d" in jwk:
        return None
    # Compared, not looked up: a JWK's values may be unhashable JSON (lists, objects).
    shape = (jwk.get("kty"), jwk.get("crv"))
    algorithm = next((alg for accepted, alg in _ALGORITHMS if shape == accepted), None)
    if algorithm is None or jwk.get("alg", algorithm) != algorithm:
        return None
    try:
        key = jwt.PyJWK(jwk, algorithm)
    except jwt.PyJWTError:
        return None
    # PyJWT would warn about a short RSA key on every verification; refuse it once here.
    if algorithm == "RS256" and key.key.key_size < _MIN_RSA_BITS:
        return None
    return key
