"""The agent JWT Fusion hands the toolbar (faTrustToken) against the token service."""

from __future__ import annotations

import base64
import json

import pytest
from fusion_host import HostPage

pytestmark = pytest.mark.browser

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


def test_fa_trust_token_is_accepted_and_a_tampered_one_refused(browser, sandbox):
    """getConfigurationOperation's faTrustToken gets a Twilio token; the same JWT altered gets 401."""
    page = HostPage(browser, sandbox).open(agent="bob_agent")
    page.init()
    config = page.tb("publish", "getConfigurationOperation", {"setConfigType": "TOOLBAR"})["configuration"]
    assert config["agentId"] == "bob_agent"

    issued = fetch_token(page, config["faTrustToken"])
    assert issued["status"] == 200
    assert issued["body"]["identity"] == "bob_agent"
    assert issued["body"]["token"] and issued["body"]["ttl"] > 0

    browser.allow_console(r"/api/token .*401")  # the browser reports the refused fetch
    refused = fetch_token(page, impersonate(config["faTrustToken"], "alice_agent"))
    assert refused["status"] == 401
    assert refused["body"]["error"]["code"] == "invalid_token"
