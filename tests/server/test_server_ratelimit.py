"""Rate limits on /token: per address (every attempt) and per verified agent identity."""

import pytest


def _from(address: str) -> dict[str, object]:
    return {"environ_base": {"REMOTE_ADDR": address}}


@pytest.fixture
def tight(make_app):
    """An app allowing 2 tokens per agent and 4 requests per address a minute."""
    return make_app(
        TOOLBAR_RATE_LIMIT_IDENTITY="2/minute", TOOLBAR_RATE_LIMIT_ADDRESS="4/minute"
    ).test_client()


def test_ratelimit_identity_budget_is_per_agent(tight, idp, assert_error):
    """An agent past its budget gets a 429 with Retry-After; another agent is unaffected."""
    statuses = [
        tight.get("/token", headers=idp.bearer("alice"), **_from(f"10.0.0.{n}")).status_code
        for n in range(3)
    ]
    response = tight.get("/token", headers=idp.bearer("alice"), **_from("10.0.0.9"))

    assert statuses == [200, 200, 429]
    error = assert_error(response, 429, "rate_limited")
    assert error["message"] == "too many token requests for this agent; retry later"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert tight.get("/token", headers=idp.bearer("bob_2"), **_from("10.0.0.10")).status_code == 200


def test_ratelimit_junk_does_not_spend_an_agents_budget(tight, idp):
    """Refused tokens naming an agent never count against that agent."""
    for n in range(3):
        forged = idp.bearer("alice", signer="stranger")
        assert tight.get("/token", headers=forged, **_from(f"10.1.0.{n}")).status_code == 401

    ok = [tight.get("/token", headers=idp.bearer("alice"), **_from(f"10.2.0.{n}")).status_code
          for n in range(2)]  # fmt: skip

    assert ok == [200, 200]


def test_ratelimit_address_counts_failed_attempts(tight, idp, assert_error):
    """Failed attempts count against the address, and then even a valid token is refused."""
    statuses = [tight.get("/token", **_from("192.0.2.1")).status_code for _ in range(4)]
    response = tight.get("/token", headers=idp.bearer(), **_from("192.0.2.1"))

    assert statuses == [401] * 4
    error = assert_error(response, 429, "rate_limited")
    assert error["message"] == "too many token requests from this address; retry later"
    assert int(response.headers["Retry-After"]) >= 1
    assert tight.get("/token", headers=idp.bearer(), **_from("192.0.2.2")).status_code == 200


def test_ratelimit_preflights_are_free(tight):
    """CORS preflights do not use up the address's budget."""
    preflight = {"Origin": "https://fusion.example.test", "Access-Control-Request-Method": "GET"}
    for _ in range(10):
        assert tight.options("/token", headers=preflight, **_from("192.0.2.5")).status_code == 200

    assert tight.get("/token", **_from("192.0.2.5")).status_code == 401


def test_ratelimit_address_comes_from_trusted_proxy(make_app, idp):
    """Behind a trusted proxy, each X-Forwarded-For client has its own budget."""
    client = make_app(
        TOOLBAR_TRUSTED_PROXIES="1", TOOLBAR_RATE_LIMIT_ADDRESS="1/minute"
    ).test_client()

    def fetch(client_address: str) -> int:
        headers = {**idp.bearer(), "X-Forwarded-For": client_address}
        return client.get("/token", headers=headers, **_from("10.9.9.9")).status_code

    assert [fetch("198.51.100.1"), fetch("198.51.100.2"), fetch("198.51.100.1")] == [200, 200, 429]


def test_ratelimit_storage_outage_falls_back_to_memory(make_app, idp, caplog):
    """If redis is unreachable, limits are still enforced, from memory, and it is logged."""
    client = make_app(
        TOOLBAR_RATE_LIMIT_STORAGE="redis://127.0.0.1:1/0", TOOLBAR_RATE_LIMIT_IDENTITY="1/minute"
    ).test_client()

    with caplog.at_level("WARNING", logger="server.ratelimit"):
        statuses = [client.get("/token", headers=idp.bearer()).status_code for _ in range(2)]

    assert statuses == [200, 429]
    assert "rate-limit storage failed" in caplog.text
