"""The sandbox's own HTTP APIs: the service's JSON error shape, a body limit, its own names only.

Against the live sandbox (``python -m sandbox``); errors are checked with the same helper as
the token service's (tests/error_shape.py).
"""

from __future__ import annotations

import pytest

from tests.error_shape import assert_error

API = "/sandbox/api/twilio"


def test_unknown_paths_and_methods_get_the_json_error_shape(sandbox):
    """A 404 and a 405 are JSON, not Flask's HTML; the 405 still says what is allowed."""
    assert_error(sandbox.api("GET", f"{API}/nope"), 404, "not_found")
    response = sandbox.api("PUT", f"{API}/faults")
    assert_error(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"POST", "DELETE"}
    assert_error(sandbox.api("GET", "/sandbox/api/agents/nobody/token"), 405,
                 "method_not_allowed")


def test_bodies_past_the_limit_are_413(sandbox):
    """A body larger than 64 KiB is refused in the JSON shape before it is read."""
    calls_before = len(sandbox.twilio_state()["calls"])
    response = sandbox.api("POST", f"{API}/calls", data="x" * 70_000,
                           headers={"Content-Type": "application/json"})
    assert_error(response, 413, "request_entity_too_large")
    assert len(sandbox.twilio_state()["calls"]) == calls_before


@pytest.mark.parametrize("path", ["/", "/toolbar/", "/api/healthz", API, f"{API}/faults",
                                  "/sandbox/twilio/rest/api/2010-04-01/Accounts/AC1/Calls.json"])
@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example:8000",
                                  "localhost.attacker.test"])
def test_requests_for_other_host_names_are_refused(sandbox, path, host):
    """A page whose name was rebound to loopback gets 400, whatever it asks for."""
    response = sandbox.api("GET", path, headers={"Host": host})
    assert_error(response, 400, "bad_request", f"Host {host!r} is not trusted.")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_sandbox_answers_its_own_names(sandbox, host):
    """Both loopback names (the Fusion and the toolbar origins) are served, with any port."""
    response = sandbox.api("GET", "/api/healthz", headers={"Host": f"{host}:{sandbox.port}"})
    assert response.status_code == 200
