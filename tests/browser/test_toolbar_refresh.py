"""Token refresh: with 15 s Access Tokens, the toolbar renews them and stays available."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import finish
from tests.browser.conftest import prepare
from tests.live import LiveSandbox
from tests.live import run_sandbox
from tests.live import scaled
from tests.live import wait_until

pytestmark = pytest.mark.browser

TOKEN_TTL = 15  # the SDK asks for a new token 10 s (tokenRefreshMs) before expiry: every ~5 s


@pytest.fixture(scope="module")
def short_ttl_sandbox() -> Iterator[LiveSandbox]:
    with run_sandbox("--token-ttl", str(TOKEN_TTL)) as live:
        yield live


def _listens(sandbox: LiveSandbox, connection: int) -> int:
    """The listen messages (a token each) the emulator received on ``connection``."""
    received = sandbox.twilio_state()["messages"]["received"]
    return sum(1 for message in received
               if message["type"] == "listen" and message["connection"] == connection)


def _check_available_throughout(page, connection: int) -> None:
    """Still registered on the same connection, available, and Fusion never told otherwise."""
    assert page.registration() == {"registered": True, "connections": [connection]}
    state = page.state()
    assert state["label"] == "Available" and state["tone"] == "ok", state
    assert page.phone() == "available"
    assert page.availability_published() == [False, True]


def test_toolbar_refreshes_its_token(browser, short_ttl_sandbox, interpreter):
    """tokenWillExpire → a new token → updateToken, again and again, on the same socket."""
    page = prepare(browser, short_ttl_sandbox, interpreter).open()
    try:
        page.go_available()
        (connection,) = page.registration()["connections"]

        # The first listen registered the Device; each further one is a refreshed token.
        wait_until(lambda: _listens(short_ttl_sandbox, connection) >= 3,
                   timeout=scaled(TOKEN_TTL * 2),
                   what="two token refreshes on the Device's connection",
                   changes=short_ttl_sandbox.changes)
        _check_available_throughout(page, connection)
    finally:
        finish(page)


def test_toolbar_refresh_failure_goes_unavailable_before_expiry(browser, short_ttl_sandbox,
                                                                interpreter, network):
    """No new token to be had: the agent is told and unavailable before the old one expires."""
    page = prepare(browser, short_ttl_sandbox, interpreter).open()
    try:
        page.go_available()
        registered_at = page.agent_states()[-1]["at"]
        network.block("*/api/token*")
        state = page.wait(
            lambda s: s["failure"] == "refresh-failed" and s["phase"] == "unavailable",
            "the refresh failure to show", timeout=scaled(TOKEN_TTL))
        assert "could not be renewed" in state["status"] and state["label"] == "Unavailable"
        page.wait_phone("unavailable")
        page.wait_registered(False)
        unavailable_at = page.agent_states()[-1]["at"]
        assert page.availability_published() == [False, True, False]
        assert unavailable_at - registered_at < TOKEN_TTL  # before the token expired
    finally:
        finish(page)


FA_TOKEN_TTL = 15  # the agent JWT (faTrustToken): renewed a third of its life before exp


@pytest.fixture(scope="module")
def short_fa_token_sandbox() -> Iterator[LiveSandbox]:
    with run_sandbox("--token-ttl", str(TOKEN_TTL), "--fa-token-ttl", str(FA_TOKEN_TTL)) as live:
        yield live


def test_toolbar_renews_fusions_token_and_stays_available(browser, short_fa_token_sandbox,
                                                          interpreter):
    """15 s agent JWTs: the toolbar asks Fusion for new ones before each expires, and the
    Access Token refreshes that follow keep working; Fusion never hears UNAVAILABLE."""
    page = prepare(browser, short_fa_token_sandbox, interpreter).open()
    try:
        page.go_available()
        (connection,) = page.registration()["connections"]

        def configurations() -> int:
            return sum(1 for record in page.driver.execute_script(
                "return window.fusionHost.messages()")
                if record["direction"] == "in" and record["method"] == "getConfiguration")

        # Start-up's token, then three renewals (one every ~10 s); the SDK meanwhile updates
        # its Access Token every ~5 s on the same connection.
        wait_until(lambda: configurations() >= 4
                   and _listens(short_fa_token_sandbox, connection) >= 6,
                   timeout=scaled(FA_TOKEN_TTL * 4), what="three renewals of Fusion's token",
                   changes=short_fa_token_sandbox.changes)
        _check_available_throughout(page, connection)
    finally:
        finish(page)
