"""A version number that tells waiters something may have changed.

The emulator bumps one after everything it does (a message, a timer, a REST request, a
fault), and the control API's ``GET /sandbox/api/twilio/changes`` long-polls it, so a
script or a test waiting for the emulator's state to reach a condition looks again when
that state changes instead of at a fixed interval. Tests use the same class for state of
their own (a webhook stub's requests, a process's output).
"""

from __future__ import annotations

import threading


class Changes:
    """A counter that only grows, and waits for it to grow; safe across threads."""

    def __init__(self) -> None:
        self._version = 0
        self._condition = threading.Condition()

    def version(self) -> int:
        with self._condition:
            return self._version

    def bump(self) -> None:
        """Something changed: wake every waiter."""
        with self._condition:
            self._version += 1
            self._condition.notify_all()

    def wait(self, after: int, timeout: float) -> int:
        """Return the version once it is past ``after``, or after ``timeout`` seconds."""
        with self._condition:
            self._condition.wait_for(lambda: self._version > after, max(timeout, 0.0))
            return self._version
