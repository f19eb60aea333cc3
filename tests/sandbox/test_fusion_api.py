"""The Fusion host simulator's JSON API and files: agents, their JWTs, directory, config."""

from __future__ import annotations

import jwt
import pytest

from sandbox.agents import AUDIENCE
from sandbox.fusion.directory import DIALABLE
from sandbox.signaling.calls import BUSY_NUMBER
from sandbox.signaling.calls import NO_ANSWER_NUMBER


def test_agents_lists_the_demo_agents(sandbox):
    """GET /sandbox/api/agents lists the three demo agents with their names."""
    response = sandbox.api("GET", "/sandbox/api/agents")
    assert response.status_code == 200
    assert response.json() == {"agents": [
        {"id": "alice_agent", "name": "Alice Adams"},
        {"id": "bob_agent", "name": "Bob Brown"},
        {"id": "carol_agent", "name": "Carol Chen"},
    ]}


@pytest.mark.parametrize("agent_id", ["alice_agent", "bob_agent", "carol_agent"])
def test_agent_token_verifies_with_the_sandbox_jwks(sandbox, agent_id):
    """An agent's JWT is RS256, signed by the key in /sandbox/jwks.json, for that agent."""
    token = sandbox.agent_token(agent_id)
    keys = sandbox.api("GET", "/sandbox/jwks.json").json()["keys"]
    key = next(k for k in keys if k["kid"] == jwt.get_unverified_header(token)["kid"])
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=AUDIENCE,
                        issuer=f"{sandbox.fusion_origin}/sandbox")
    assert claims["sub"] == agent_id


def test_agent_token_for_an_unknown_agent_is_404(sandbox):
    """POST /sandbox/api/agents/<unknown>/token answers the sandbox's JSON error shape."""
    response = sandbox.api("POST", "/sandbox/api/agents/mallory/token")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "no demo agent 'mallory'"},
    }


def test_directory_lists_dialable_numbers_and_contacts(sandbox):
    """GET /sandbox/api/directory has every dialable number, special ones included, and contacts."""
    directory = sandbox.api("GET", "/sandbox/api/directory").json()
    numbers = [entry["number"] for entry in directory["dialable"]]
    assert numbers == [entry.number for entry in DIALABLE]
    assert {BUSY_NUMBER, NO_ANSWER_NUMBER, "555-CALL-NOW"} <= set(numbers)
    assert directory["contacts"][0] == {
        "contactId": "300100126721684", "name": "Virginia Kohl", "phone": "+14155550101",
        "account": "Pinnacle Technologies", "accountId": "300100126720011", "jobTitle": "IT Director",
        "email": "virginia.kohl@example.com",
    }


def test_config_names_both_origins(sandbox):
    """GET /sandbox/api/config tells the host page where the toolbar lives."""
    assert sandbox.api("GET", "/sandbox/api/config").json() == {
        "fusionOrigin": sandbox.fusion_origin,
        "toolbarOrigin": sandbox.toolbar_origin,
        "toolbarUrl": f"{sandbox.toolbar_origin}/toolbar/",
        "interpreter": "pyodide",
    }


@pytest.mark.parametrize(("path", "content_type"), [
    ("/", "text/html"),
    ("/sandbox/fusion/js/main.js", "text/javascript"),
    ("/sandbox/uef/ui-events-framework-client.js", "text/javascript"),
])
def test_host_files_are_served(sandbox, path, content_type):
    """The host page, its modules and the UEF stand-in are served from the Fusion origin."""
    response = sandbox.api("GET", path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(content_type)
