"""TaskRouter in the emulator, through the real twilio-python and the product's REST client.

As in test_twilio_rest.py, every request goes the production way (``TWILIO_REST_URL``);
assignment callbacks land on a loopback stub that checks ``X-Twilio-Signature``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from rest_kit import product_rest
from rest_kit import sandbox_in_thread
from signaling_kit import WebhookStub

from sandbox.runner import Sandbox
from sandbox.signaling.switchboard import Fault
from server.errors import TwilioRestError
from server.twilio_rest import TwilioRest
from tests.live import wait_until


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    with sandbox_in_thread() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def rest(live) -> TwilioRest:
    return product_rest(live)


@pytest.fixture
def stub(live) -> Iterator[WebhookStub]:
    with WebhookStub(live.credentials.auth_token, twiml="") as webhook:
        yield webhook


@pytest.fixture(autouse=True)
def no_faults(live) -> Iterator[None]:
    yield
    live.run_on_loop(live.emulator.clear())


@pytest.fixture
def ws(rest):
    """A fresh workspace (its client context), deleted afterwards."""
    workspace = rest.call(lambda c: c.taskrouter.v1.workspaces.create(friendly_name="Test"))
    yield rest.client.taskrouter.v1.workspaces(workspace.sid)
    rest.call(lambda c: c.taskrouter.v1.workspaces(workspace.sid).delete())


def activities(ws) -> dict[str, str]:
    return {a.friendly_name: a.sid for a in ws.activities.list()}


def routing(queue_sid: str, **target) -> str:
    return json.dumps({"task_routing": {"filters": [
        {"filter_friendly_name": "Spanish", "expression": "language == 'es'",
         "targets": [{"queue": queue_sid, "expression": "worker.languages HAS 'es'", **target}]}],
        "default_filter": {"queue": queue_sid}}})


def refused(rest: TwilioRest, request) -> TwilioRestError:
    """The error the product's client raises for ``request()``."""
    with pytest.raises(TwilioRestError) as caught:
        rest.call(lambda _client: request())
    return caught.value


def test_workspaces_come_with_twilio_activities(rest, ws):
    workspace = ws.fetch()
    assert workspace.default_activity_name == workspace.timeout_activity_name == "Offline"
    assert activities(ws).keys() == {"Offline", "Unavailable", "Available"}
    listed = rest.call(lambda c: c.taskrouter.v1.workspaces.list(friendly_name="Test"))
    assert workspace.sid in [w.sid for w in listed]
    lunch = ws.activities.create(friendly_name="LUNCH", available=False)
    assert (lunch.friendly_name, lunch.available) == ("LUNCH", False)
    updated = ws.update(timeout_activity_sid=lunch.sid, friendly_name="Renamed")
    assert (updated.timeout_activity_name, updated.friendly_name) == ("LUNCH", "Renamed")
    assert [a.friendly_name for a in ws.activities.list(available="true")] == ["Available"]


def test_workers_follow_their_activity_and_hide_attributes_in_lists(rest, ws):
    names = activities(ws)
    worker = ws.workers.create(friendly_name="alice",
                               attributes=json.dumps({"contact_uri": "client:alice"}))
    assert (worker.activity_name, worker.available) == ("Offline", False)
    worker = ws.workers(worker.sid).update(activity_sid=names["Available"])
    assert (worker.activity_name, worker.available) == ("Available", True)
    assert json.loads(worker.attributes) == {"contact_uri": "client:alice"}
    (listed,) = ws.workers.list(available="true")
    assert listed.sid == worker.sid and listed.attributes is None
    assert ws.workers.list(activity_name="Offline") == []
    error = refused(rest, lambda: ws.workers.create(friendly_name="bob", attributes="[1]"))
    assert error.twilio_code == 20001


def test_queues_workflows_and_tasks_route_by_expression(ws):
    names = activities(ws)
    queue = ws.task_queues.create(friendly_name="Main", target_workers="1==1")
    workflow = ws.workflows.create(friendly_name="Inbound", configuration=routing(queue.sid),
                                   task_reservation_timeout=20)
    assert workflow.task_reservation_timeout == 20
    assert json.loads(workflow.configuration)["task_routing"]["default_filter"] == {
        "queue": queue.sid}
    english = ws.workers.create(friendly_name="en", activity_sid=names["Available"],
                                attributes=json.dumps({"languages": ["en"]}))
    spanish = ws.workers.create(friendly_name="es", activity_sid=names["Available"],
                                attributes=json.dumps({"languages": ["es", "en"]}))
    task = ws.tasks.create(workflow_sid=workflow.sid, attributes=json.dumps({"language": "es"}))
    (reservation,) = ws.tasks(task.sid).reservations.list()
    assert (reservation.worker_sid, reservation.reservation_status) == (spanish.sid, "pending")
    assert ws.tasks(task.sid).fetch().assignment_status == "reserved"
    other = ws.tasks.create(workflow_sid=workflow.sid, attributes="{}")
    (offered,) = ws.workers(english.sid).reservations.list()
    assert offered.task_sid == other.sid
    statistics = ws.task_queues(queue.sid).real_time_statistics().fetch()
    assert statistics.tasks_by_status["reserved"] == 2
    assert statistics.total_eligible_workers == 2 and statistics.total_available_workers == 0
    assert [t.sid for t in ws.tasks.list(assignment_status="reserved")] == [task.sid, other.sid]


def test_reservations_accept_reject_and_tasks_complete(rest, ws):
    names = activities(ws)
    queue = ws.task_queues.create(friendly_name="Main")
    workflow = ws.workflows.create(friendly_name="Inbound", configuration=routing(queue.sid))
    alice = ws.workers.create(friendly_name="alice", activity_sid=names["Available"])
    bob = ws.workers.create(friendly_name="bob", activity_sid=names["Available"])
    task = ws.tasks.create(workflow_sid=workflow.sid, attributes="{}")
    (first,) = ws.tasks(task.sid).reservations.list()
    assert first.worker_sid == alice.sid  # idle longer
    rejected = ws.tasks(task.sid).reservations(first.sid).update(
        reservation_status="rejected", worker_activity_sid=names["Unavailable"])
    assert rejected.reservation_status == "rejected"
    assert ws.workers(alice.sid).fetch().activity_name == "Unavailable"
    second = ws.workers(bob.sid).reservations.list(reservation_status="pending")[0]
    accepted = ws.workers(bob.sid).reservations(second.sid).update(reservation_status="accepted")
    assert accepted.reservation_status == "accepted"
    error = refused(rest, lambda: ws.tasks(task.sid).reservations(second.sid).update(
        reservation_status="rejected"))
    assert error.twilio_code == 20001
    error = refused(rest, lambda: ws.tasks(task.sid).update(assignment_status="completed"))
    assert "Reason" in str(error)
    done = ws.tasks(task.sid).update(assignment_status="completed", reason="call ended")
    assert (done.assignment_status, done.reason) == ("completed", "call ended")


def test_a_canceled_task_cancels_its_pending_reservation(ws):
    names = activities(ws)
    queue = ws.task_queues.create(friendly_name="Main")
    workflow = ws.workflows.create(friendly_name="Inbound", configuration=routing(queue.sid))
    ws.workers.create(friendly_name="alice", activity_sid=names["Available"])
    task = ws.tasks.create(workflow_sid=workflow.sid, attributes="{}")
    ws.tasks(task.sid).update(assignment_status="canceled", reason="hangup")
    (reservation,) = ws.tasks(task.sid).reservations.list()
    assert reservation.reservation_status == "canceled"


def test_bad_workflows_and_expressions_are_400(rest, ws):
    error = refused(rest, lambda: ws.task_queues.create(friendly_name="Q", target_workers="a HAS"))
    assert error.twilio_code == 20001
    error = refused(rest, lambda: ws.workflows.create(friendly_name="W", configuration="{}"))
    assert "task_routing" in str(error)
    error = refused(rest, lambda: ws.workflows.create(friendly_name="W",
                                                configuration=routing("WQ" + "0" * 32)))
    assert "TaskQueue" in str(error)
    assert refused(rest, lambda: ws.tasks("WT" + "0" * 32).fetch()).twilio_code == 20404


def test_lists_page_on_twilio_urls_through_the_client(ws):
    for number in range(5):
        ws.activities.create(friendly_name=f"Reason{number}", available=False)
    names = [a.friendly_name for a in ws.activities.list(page_size=2)]
    assert len(names) == 8 and names[:3] == ["Offline", "Unavailable", "Available"]


def test_the_assignment_callback_is_signed_and_its_instruction_followed(live, ws, stub):
    names = activities(ws)
    queue = ws.task_queues.create(friendly_name="Main")
    workflow = ws.workflows.create(friendly_name="Inbound", configuration=routing(queue.sid),
                                   assignment_callback_url=stub.base + "/assignment")
    stub.twiml = json.dumps({"instruction": "accept"})
    worker = ws.workers.create(friendly_name="alice", activity_sid=names["Available"],
                               attributes=json.dumps({"contact_uri": "client:alice"}))
    task = ws.tasks.create(workflow_sid=workflow.sid, attributes=json.dumps({"from": "+1555"}))
    wait_until(lambda: ws.tasks(task.sid).fetch().assignment_status == "assigned",
               changes=live.emulator.changes)
    (form,) = stub.signed_forms("/assignment")
    assert (form["TaskSid"], form["WorkerSid"]) == (task.sid, worker.sid)
    assert json.loads(form["TaskAttributes"]) == {"from": "+1555"}
    assert json.loads(form["WorkerAttributes"]) == {"contact_uri": "client:alice"}
    state = live.run_on_loop(live.emulator.state())["taskrouter"]
    (shown,) = [t for t in state["tasks"] if t["sid"] == task.sid]
    assert shown["assignment_status"] == "assigned"
    assert shown["reservations"][0]["worker_sid"] == worker.sid
    assert {"sid": worker.sid, "friendly_name": "alice", "activity_name": "Available",
            "available": True} in state["workers"]


def test_assignment_callback_fails_leaves_the_reservation_to_time_out(live, ws, stub):
    names = activities(ws)
    live.run_on_loop(live.emulator.inject(Fault.ASSIGNMENT_CALLBACK_FAILS))
    queue = ws.task_queues.create(friendly_name="Main")
    workflow = ws.workflows.create(friendly_name="Inbound", configuration=routing(queue.sid),
                                   assignment_callback_url=stub.base + "/assignment",
                                   task_reservation_timeout=1)
    stub.twiml = json.dumps({"instruction": "accept"})
    alice = ws.workers.create(friendly_name="alice", activity_sid=names["Available"])
    task = ws.tasks.create(workflow_sid=workflow.sid, attributes="{}")
    wait_until(lambda: ws.tasks(task.sid).reservations.list()[0].reservation_status == "timeout",
               changes=live.emulator.changes)
    assert ws.workers(alice.sid).fetch().activity_name == "Offline"
    assert stub.requests == []
