"""``python -m server provision`` against the emulated TaskRouter, as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from rest_kit import product_rest
from rest_kit import sandbox_in_thread

from sandbox.runner import Sandbox
from server.provision import REASON_CODES
from tests.live import TIMEOUT


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    with sandbox_in_thread() as sandbox:
        yield sandbox


def provision(live: Sandbox, *args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server", "provision", *args],
                          env={**os.environ, **live.service_environ(), **environ},
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)


def sids(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if line.startswith("TWILIO_"))


def test_dry_run_then_twice_the_second_changes_nothing(live):
    rest = product_rest(live)
    dry = provision(live, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would create Workspace 'Twilio Voice Toolbar'" in dry.stdout
    assert rest.call(lambda c: c.taskrouter.v1.workspaces.list()) == []

    first = provision(live)
    assert first.returncode == 0, first.stderr
    created = sids(first.stdout)
    assert created["TWILIO_WORKSPACE_SID"].startswith("WS")
    assert created["TWILIO_WORKFLOW_SID"].startswith("WW")

    second = provision(live)
    assert second.returncode == 0, second.stderr
    assert "0 changes made" in second.stdout
    assert "created" not in second.stdout and "updated" not in second.stdout
    assert sids(second.stdout) == created

    ws = rest.client.taskrouter.v1.workspaces(created["TWILIO_WORKSPACE_SID"])
    activities = {a.friendly_name: a.available for a in rest.call(lambda c: ws.activities.list())}
    assert activities == {"Offline": False, "Available": True, "Unavailable": False,
                          "Wrap-up": False, **dict.fromkeys(REASON_CODES, False)}
    workspace = rest.call(lambda c: ws.fetch())
    assert workspace.timeout_activity_name == "Offline"
    workflow = rest.call(lambda c: ws.workflows(created["TWILIO_WORKFLOW_SID"]).fetch())
    assert workflow.assignment_callback_url == (
        live.config.service_url + "/taskrouter/assignment")
    for identity in live.agents.agents:
        (worker,) = rest.call(lambda c, name=identity: ws.workers.list(friendly_name=name))
        attributes = json.loads(rest.call(lambda c, sid=worker.sid: ws.workers(sid).fetch())
                                .attributes)
        assert attributes["contact_uri"] == f"client:{identity}"


def test_a_changed_worker_is_updated_and_skills_kept(live):
    rest = product_rest(live)
    first = sids(provision(live).stdout)
    ws = rest.client.taskrouter.v1.workspaces(first["TWILIO_WORKSPACE_SID"])
    identity = next(iter(live.agents.agents))
    (worker,) = rest.call(lambda c: ws.workers.list(friendly_name=identity))
    rest.call(lambda c: ws.workers(worker.sid).update(
        attributes=json.dumps({"contact_uri": "client:someone-else", "languages": ["es"]})))
    again = provision(live, "--dry-run")
    assert f"would update Worker '{identity}' (attributes)" in again.stdout
    provision(live)
    attributes = json.loads(rest.call(lambda c: ws.workers(worker.sid).fetch()).attributes)
    assert attributes["contact_uri"] == f"client:{identity}"
    assert attributes["languages"] == ["es"]


def test_twilio_unreachable_is_one_line_and_status_1(live):
    done = provision(live, TWILIO_REST_URL="http://127.0.0.1:9/sandbox/twilio/rest")
    assert done.returncode == 1
    assert done.stderr.startswith("Twilio refused or could not be reached")
    assert "Traceback" not in done.stderr
