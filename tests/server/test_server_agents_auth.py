"""AgentVerifier's memory of verified tokens: it saves work, and never outlives its bounds.

The verifier and its JWKS cache share one fake clock. To see whether a token was checked again
or answered from memory, the tests retire its signing key from the JWKS: a fresh check then
fails, a remembered answer does not.
"""

import time

import pytest

from server.agents_auth import AgentVerifier
from server.errors import InvalidToken
from server.jwks import JwksCache


class Clock:
    """A wall clock that starts at the real time (tokens are minted now) and then stands still."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(now=time.time())


_AGENTS = ("alice", "a1", "b2", "c3")


def _verifier(idp, clock, **options) -> AgentVerifier:
    # The JWKS is re-read after 5 s, so a retired key is noticed quickly.
    keys = JwksCache(idp.jwks_url, max_age=5, min_refetch_interval=5, clock=clock)
    return AgentVerifier(
        keys, issuer=idp.issuer, audience=idp.audience, agents=_AGENTS, clock=clock, **options
    )


def _retire_rsa_key(idp, clock) -> None:
    idp.publish(idp.ec_kid)
    clock.now += 10  # past the JWKS max_age


def test_auth_verified_token_is_remembered(idp, clock):
    """Within remember_for, a verified token is answered from memory without a new check."""
    verifier = _verifier(idp, clock, remember_for=60)
    header = f"Bearer {idp.token('alice')}"
    assert verifier.identity(header) == "alice"

    _retire_rsa_key(idp, clock)

    assert verifier.identity(header) == "alice"


def test_auth_remembered_token_is_checked_again_after_remember_for(idp, clock):
    """After remember_for the token is verified again, so a retired key stops working."""
    verifier = _verifier(idp, clock, remember_for=60)
    header = f"Bearer {idp.token('alice')}"
    verifier.identity(header)

    _retire_rsa_key(idp, clock)
    clock.now += 60

    with pytest.raises(InvalidToken, match="unknown key"):
        verifier.identity(header)


def test_auth_token_is_not_remembered_past_its_expiry(idp, clock):
    """A token is never remembered past exp plus leeway, even if remember_for is longer."""
    verifier = _verifier(idp, clock, remember_for=3600, leeway=30)
    header = f"Bearer {idp.token('alice', exp=int(clock.now) + 5)}"
    verifier.identity(header)

    _retire_rsa_key(idp, clock)
    clock.now += 30  # 10 + 30 s: past exp + leeway

    with pytest.raises(InvalidToken, match="unknown key"):
        verifier.identity(header)


def test_auth_oldest_token_is_forgotten_first(idp, clock):
    """With remember_max tokens remembered, a new one makes the oldest be checked again."""
    verifier = _verifier(idp, clock, remember_max=2)
    oldest, middle, newest = (f"Bearer {idp.token(name)}" for name in ("a1", "b2", "c3"))
    for header in (oldest, middle, newest):
        verifier.identity(header)

    _retire_rsa_key(idp, clock)

    assert [verifier.identity(middle), verifier.identity(newest)] == ["b2", "c3"]
    with pytest.raises(InvalidToken, match="unknown key"):
        verifier.identity(oldest)


def test_auth_refusal_is_not_remembered(idp, clock):
    """A refused token is checked afresh each time: once its key appears, it verifies."""
    idp.publish(idp.ec_kid)
    verifier = _verifier(idp, clock)
    header = f"Bearer {idp.token('alice')}"
    with pytest.raises(InvalidToken):
        verifier.identity(header)

    idp.publish(idp.rsa_kid, idp.ec_kid)
    clock.now += 10

    assert verifier.identity(header) == "alice"
