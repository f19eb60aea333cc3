"""An in-process sandbox for the REST tests, and the product's own REST client against it.

The sandbox runs exactly as ``python -m sandbox`` runs it (``Sandbox.serve``), on its own
event loop in a thread, so tests can read the throw-away credentials it generated and build
the token service's settings from ``Sandbox.service_environ()``, ``TWILIO_REST_URL``
included: the product's client then reaches the emulator as it would reach Twilio.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

from sandbox.config import SandboxConfig
from sandbox.runner import Sandbox
from server.config import ConfigError
from server.config import Settings
from server.config import load_settings
from server.twilio_rest import TwilioRest
from tests.live import TEST_PAGES
from tests.live import free_port


@contextlib.contextmanager
def sandbox_in_thread() -> Iterator[Sandbox]:
    """A running Sandbox on free ports; stopped however the block ends."""
    sandbox = Sandbox(SandboxConfig(port=free_port(), signaling_port=free_port(),
                                    test_pages=TEST_PAGES))
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    failure: list[Exception] = []

    def run() -> None:
        try:
            loop.run_until_complete(sandbox.serve(stop, on_ready=ready.set))
        except (ConfigError, OSError) as error:  # as python -m sandbox reports them
            failure.append(error)
            ready.set()

    thread = threading.Thread(target=run, name="sandbox-loop", daemon=True)
    thread.start()
    ready.wait(30)
    if failure:
        raise failure[0]
    try:
        yield sandbox
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()


def product_settings(sandbox: Sandbox, **overrides: str) -> Settings:
    """The token service's settings for ``sandbox``, with ``overrides`` (setting names)."""
    return load_settings({**sandbox.service_environ(), **overrides})


def product_rest(sandbox: Sandbox, **overrides: str) -> TwilioRest:
    """The product's REST client, built from the sandbox's settings as the service builds it."""
    return TwilioRest(product_settings(sandbox, **overrides))
