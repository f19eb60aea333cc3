"""The agent JWT Fusion hands the toolbar (faTrustToken) against the token service."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import jwt
import pytest
from fusion_host import HostPage

from sandbox.__main__ import parse_args
from sandbox.agents import AUDIENCE
from tests.live import LiveSandbox
from tests.live import run_sandbox

# Short enough to tell from the default hour, long enough for the test to use the tokens.
FA_TOKEN_TTL = 120

# As the toolbar calls the token service: same origin (/api is proxied), bearer JWT.
FETCH_TOKEN = """
return fetch('/api/token', {headers: {Authorization: 'Bearer ' + args[0], Accept: 'application/json'}})
  .then(async (response) => ({status: response.status, body: await response.json()}));
"""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def impersonate(token: str, agent_id: str) -> str:
    """The same JWT with its ``sub`` changed and the original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = agent_id
    return ".".join([header, _b64(json.dumps(claims).encode()), signature])


def fetch_token(page: HostPage, jwt: str) -> dict:
    return page.in_toolbar(f"(() => {{ {FETCH_TOKEN} }})()", jwt)


@pytest.fixture(scope="module")
def short_lived() -> Iterator[LiveSandbox]:
    """A sandbox whose agent JWTs live FA_TOKEN_TTL seconds."""
    with run_sandbox("--fa-token-ttl", str(FA_TOKEN_TTL)) as live:
        yield live


def get_configuration(page: HostPage) -> dict:
    result = page.tb("publish", "getConfigurationOperation", {"setConfigType": "TOOLBAR"})
    assert result["ok"] and result["success"], result
    return result["configuration"]


def verified_claims(sandbox: LiveSandbox, token: str) -> dict:
    """The JWT's claims, checked against the sandbox's JWKS, issuer and audience."""
    key = jwt.PyJWKSet.from_dict(sandbox.api("GET", "/sandbox/jwks.json").json()).keys[0].key
    return jwt.decode(token, key, algorithms=["RS256"], audience=AUDIENCE,
                      issuer=f"{sandbox.fusion_origin}/sandbox")


@pytest.mark.browser
def test_every_get_configuration_gets_a_fresh_fa_trust_token(browser, short_lived):
    """Asked twice, Fusion answers two different JWTs, each valid for --fa-token-ttl seconds and
    each accepted by /api/token: a toolbar whose token nears expiry can ask again."""
    page = HostPage(browser, short_lived).open()
    page.init()
    tokens = [get_configuration(page)["faTrustToken"] for _ in range(2)]
    assert tokens[0] != tokens[1]
    claims = [verified_claims(short_lived, token) for token in tokens]
    assert [c["exp"] - c["iat"] for c in claims] == [FA_TOKEN_TTL, FA_TOKEN_TTL]
    assert [c["sub"] for c in claims] == ["alice_agent", "alice_agent"]
    assert claims[0]["jti"] != claims[1]["jti"]
    for token in tokens:
        issued = fetch_token(page, token)
        assert (issued["status"], issued["body"]["identity"]) == (200, "alice_agent")
    assert page.state()["agent"]["faTrustToken"] == tokens[1]
    assert [entry["method"] for entry in page.log()] == ["getConfiguration"] * 4


def test_agent_token_route_uses_the_configured_lifetime(short_lived):
    """POST /sandbox/api/agents/<id>/token mints with --fa-token-ttl too, and says so."""
    body = short_lived.api("POST", "/sandbox/api/agents/bob_agent/token").json()
    assert body["ttl"] == FA_TOKEN_TTL
    claims = verified_claims(short_lived, body["token"])
    assert (claims["sub"], claims["exp"] - claims["iat"]) == ("bob_agent", FA_TOKEN_TTL)


def test_fa_token_ttl_defaults_to_an_hour_and_reads_the_environment(monkeypatch):
    """--fa-token-ttl: 3600 by default, SANDBOX_FA_TOKEN_TTL when set, the flag above both."""
    monkeypatch.delenv("SANDBOX_FA_TOKEN_TTL", raising=False)
    assert parse_args([]).fa_token_ttl == 3600
    monkeypatch.setenv("SANDBOX_FA_TOKEN_TTL", "900")
    assert parse_args([]).fa_token_ttl == 900
    assert parse_args(["--fa-token-ttl", "60"]).fa_token_ttl == 60


@pytest.mark.browser
def test_fa_trust_token_is_accepted_and_a_tampered_one_refused(browser, sandbox):
    """getConfigurationOperation's faTrustToken gets a Twilio token; the same JWT altered gets 401."""
    page = HostPage(browser, sandbox).open(agent="bob_agent")
    page.init()
    config = get_configuration(page)
    assert config["agentId"] == "bob_agent"

    issued = fetch_token(page, config["faTrustToken"])
    assert issued["status"] == 200
    assert issued["body"]["identity"] == "bob_agent"
    assert issued["body"]["token"] and issued["body"]["ttl"] > 0

    browser.allow_console(r"/api/token .*401")  # the browser reports the refused fetch
    refused = fetch_token(page, impersonate(config["faTrustToken"], "alice_agent"))
    assert refused["status"] == 401
    assert refused["body"]["error"]["code"] == "invalid_token"
