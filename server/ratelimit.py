"""The two rate limits on GET /token and POST /dial-check, counted in the storage
TOOLBAR_RATE_LIMIT_STORAGE names. Each route (its scope) has budgets of its own, so an agent
checking many numbers never loses the token refresh that keeps it available.

* per client address: counted before the token is looked at, so failed attempts count too;
* per agent identity: counted only once the token has verified, so junk sent in an agent's
  name cannot spend that agent's budget.

Each app gets its own counters, in a ``limits`` storage (memory:// per worker, redis:// shared
by workers) with the fixed-window strategy, and the view counts explicitly: a decorator would
count before the view body runs, when the identity is not yet known. No flask-limiter
``Limiter`` is attached to the app: its before- and after-request hooks ran on every request
(about 50 µs, a quarter of a whole /token answer) to enforce limits this app never declares.
If the storage fails (redis down), counting falls back to this worker's memory, logged once
until the storage answers again. A breach raises RateLimited: 429 in the JSON error shape,
with Retry-After.

Public names: RequestLimits.
"""

import logging
import math
import threading
import time

from limits import RateLimitItem
from limits import parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from limits.strategies import RateLimiter

from server.config import Settings
from server.errors import RateLimited

logger = logging.getLogger(__name__)

_KEY_PREFIX = "toolbar"  # keeps our counters apart in a redis shared with other apps


class RequestLimits:
    """Counts one app's requests per scope (route), per address and per identity."""

    def __init__(self, settings: Settings) -> None:
        # Storage failures arrive as limits' StorageError, whatever the backend.
        storage = storage_from_string(settings.rate_limit_storage, wrap_exceptions=True)
        self._limiter = FixedWindowRateLimiter(storage)
        self._fallback = FixedWindowRateLimiter(MemoryStorage())
        self._per_address = parse_many(settings.rate_limit_address)
        self._per_identity = parse_many(settings.rate_limit_identity)
        self._storage_failed = False
        self._lock = threading.Lock()

    def count_address(self, scope: str, address: str) -> None:
        """Count one scope request (e.g. "token") from address.

        Raises:
            RateLimited: address is over its budget (this request counts too).
        """
        message = f"too many {scope} requests from this address; retry later"
        self._count(self._per_address, (scope, "address", address), message)

    def count_identity(self, scope: str, identity: str) -> None:
        """Count one scope request by the verified identity.

        Raises:
            RateLimited: identity is over its budget (this request counts too).
        """
        message = f"too many {scope} requests for this agent; retry later"
        self._count(self._per_identity, (scope, "identity", identity), message)

    def _count(self, items: list[RateLimitItem], key: tuple[str, ...], message: str) -> None:
        identifiers = (_KEY_PREFIX, *key)
        for item in items:
            backend: RateLimiter = self._limiter
            try:
                allowed = backend.hit(item, *identifiers)
            except StorageError as error:
                self._note_storage(error)
                backend = self._fallback
                allowed = backend.hit(item, *identifiers)
            else:
                self._note_storage(None)
            if not allowed:
                raise RateLimited(message, retry_after=_retry_after(backend, item, identifiers))

    def _note_storage(self, error: StorageError | None) -> None:
        """Log the storage failing, and coming back, once each: not once per request."""
        if self._storage_failed == (error is not None):
            return
        with self._lock:
            if self._storage_failed == (error is not None):
                return
            self._storage_failed = error is not None
        if error is not None:
            logger.warning(
                "rate-limit storage failed (%s); counting in memory", error.storage_error
            )
        else:
            logger.warning("rate-limit storage answers again; counting there")


def _retry_after(backend: RateLimiter, item: RateLimitItem, identifiers: tuple[str, ...]) -> int:
    """Return the whole seconds until item's window resets (at least 1)."""
    try:
        reset_time = backend.get_window_stats(item, *identifiers).reset_time
    except StorageError:
        return item.get_expiry()  # a whole window is never too early
    return max(1, math.ceil(reset_time - time.time()))
