"""The two rate limits on GET /token, counted in the app's flask-limiter storage.

* per client address: counted before the token is looked at, so failed attempts count too;
* per agent identity: counted only once the token has verified, so junk sent in an agent's
  name cannot spend that agent's budget.

Each app gets its own flask-limiter ``Limiter``, which owns the counters' storage
(TOOLBAR_RATE_LIMIT_STORAGE: memory:// per worker, redis:// shared by workers) and the
fixed-window strategy. The view counts explicitly through ``Limiter.limiter`` rather than with
``@limiter.limit``: a decorator counts before the view body runs, when the identity is not yet
known, and its generic resolution costs about 60 µs a check, half the time of a whole /token
answer. If the storage fails (redis down), counting falls back to this worker's memory. A
breach raises RateLimited: 429 in the JSON error shape, with Retry-After.

Public names: TokenLimits.
"""

import logging
import math
import time

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from server.config import Settings
from server.errors import RateLimited

logger = logging.getLogger(__name__)

_KEY_PREFIX = "toolbar"  # keeps our counters apart in a redis shared with other apps


class TokenLimits:
    """Counts one app's /token requests per address and per identity."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self._limiter = Limiter(
            get_remote_address,
            storage_uri=settings.rate_limit_storage,
            # Storage failures arrive as limits' StorageError, whatever the backend.
            storage_options={"wrap_exceptions": True},
            strategy="fixed-window",
        )
        self._limiter.init_app(app)
        self._fallback = FixedWindowRateLimiter(MemoryStorage())
        self._per_address = parse_many(settings.rate_limit_address)
        self._per_identity = parse_many(settings.rate_limit_identity)

    def count_address(self, address: str) -> None:
        """Count one request from address.

        Raises:
            RateLimited: address is over its budget (this request counts too).
        """
        message = "too many token requests from this address; retry later"
        self._count(self._per_address, ("address", address), message)

    def count_identity(self, identity: str) -> None:
        """Count one token request by the verified identity.

        Raises:
            RateLimited: identity is over its budget (this request counts too).
        """
        message = "too many token requests for this agent; retry later"
        self._count(self._per_identity, ("identity", identity), message)

    def _count(self, items: list[RateLimitItem], key: tuple[str, str], message: str) -> None:
        identifiers = (_KEY_PREFIX, *key)
        for item in items:
            backend: RateLimiter = self._limiter.limiter
            try:
                allowed = backend.hit(item, *identifiers)
            except StorageError as error:
                logger.warning(
                    "rate-limit storage failed (%s); counting in memory", error.storage_error
                )
                backend = self._fallback
                allowed = backend.hit(item, *identifiers)
            if not allowed:
                raise RateLimited(message, retry_after=_retry_after(backend, item, identifiers))


def _retry_after(backend: RateLimiter, item: RateLimitItem, identifiers: tuple[str, ...]) -> int:
    """Return the whole seconds until item's window resets (at least 1)."""
    try:
        reset_time = backend.get_window_stats(item, *identifiers).reset_time
    except StorageError:
        return item.get_expiry()  # a whole window is never too early
    return max(1, math.ceil(reset_time - time.time()))
