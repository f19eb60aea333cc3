"""TaskRouter's sans-I/O engine: expressions, routing to the longest idle, timeouts, load."""

from __future__ import annotations

import random

import pytest
from taskrouter_kit import Clocked

from sandbox.taskrouter.expressions import ExpressionError
from sandbox.taskrouter.expressions import parse
from sandbox.twilio_rest.errors import RestError

ALICE = {"languages": ["en", "es"], "level": 3, "team": "sales", "contact_uri": "client:alice"}


@pytest.mark.parametrize(("text", "expected"), [
    ("1==1", True),
    ("1 == 2", False),
    ("team == 'sales'", True),
    ('team == "support"', False),
    ("team != 'support'", True),
    ("languages HAS 'es'", True),
    ("languages has 'fr'", False),
    ("team IN ['sales', 'support']", True),
    ("team NOT IN ['sales']", False),
    ("level >= 3 AND languages HAS 'en'", True),
    ("level > 3 OR team == 'sales'", True),
    ("level > 3 OR team == 'x'", False),
    ("NOT (team == 'x') and (level < 5)", True),
    ("missing == 'x'", False),
    ("missing != 'x'", False),
    ("worker.team == 'sales'", False),  # no worker scope given: an attribute named "worker"
    ("level > 'a'", False),
])
def test_expressions(text, expected):
    assert parse(text).matches(ALICE) is expected


def test_expression_scopes_read_worker_and_task():
    expression = parse("worker.languages HAS task.language")
    assert expression.matches({}, worker=ALICE, task={"language": "es"})
    assert not expression.matches({}, worker=ALICE, task={"language": "fr"})


@pytest.mark.parametrize("text", ["", "team ==", "team 'x'", "(1==1", "a == [1, b]", "a ~ 1",
                                  "1==1 1==1", "team HAS"])
def test_bad_expressions_are_refused(text):
    with pytest.raises(ExpressionError):
        parse(text)


def test_new_workspace_has_twilio_activities_and_offline_for_timeouts():
    tr = Clocked()
    names = {a.friendly_name: a.available for a in tr.ws.activities.values()}
    assert names == {"Offline": False, "Unavailable": False, "Available": True}
    assert tr.ws.timeout_activity_sid == tr.ws.default_activity_sid == tr.activity("Offline")


def test_a_task_goes_to_the_worker_idle_longest():
    tr = Clocked()
    bob = tr.worker("bob")
    tr.advance(5)
    tr.worker("carol")
    assert tr.reserved_worker(tr.task()) == "bob"
    tr.advance(1)
    tr.set_activity(bob, "Offline")  # rejects nothing: the reservation stays with bob
    assert tr.reserved_worker(tr.task()) == "carol"


def test_unavailable_or_ineligible_workers_are_never_offered():
    tr = Clocked()
    tr.engine.update_queue(tr.ws, tr.queue, target_workers="languages HAS 'es'")
    tr.worker("bob", languages=["en"])
    tr.worker("dave", available=False, languages=["es"])
    break_activity = tr.engine.create_activity(tr.ws, "Break", False)
    erin = tr.worker("erin", languages=["es"])
    tr.engine.update_worker(tr.ws, erin, activity_sid=break_activity.sid)
    task = tr.task()
    assert task.assignment_status == "pending" and tr.reserved_worker(task) is None
    tr.set_activity(erin, "Available")
    assert tr.reserved_worker(task) == "erin"


def test_each_reservation_posts_the_assignment_callback_with_twilio_parameters():
    tr = Clocked()
    tr.worker("bob")
    task = tr.task(call_sid="CA1", to="+15005550006")
    (posted,) = tr.posted
    assert posted.url == "http://127.0.0.1:9/assignment" and not posted.fallback
    assert set(posted.params) == {"Timestamp", "AccountSid", "WorkspaceSid", "WorkflowSid",
                                  "TaskQueueSid", "WorkerSid", "WorkerAttributes", "TaskSid",
                                  "TaskAttributes", "TaskAge", "TaskPriority", "ReservationSid"}
    assert posted.params["TaskSid"] == task.sid
    assert posted.params["ReservationSid"] == task.reservations[0].sid


def test_accept_instruction_assigns_and_completion_frees_the_worker():
    tr = Clocked()
    bob = tr.worker("bob")
    first, second = tr.task(), tr.task()
    tr.engine.assignment_answered(tr.ws.sid, first.reservations[0].sid, 200,
                                  '{"instruction": "accept"}', fallback=False)
    assert first.assignment_status == "assigned"
    assert second.assignment_status == "pending"  # bob is busy
    tr.engine.update_task(tr.ws, first, assignment_status="completed", reason="done")
    assert first.reservations[0].status == "completed"
    assert tr.reserved_worker(second) == "bob" and tr.activity_of(bob) == "Available"


def test_reject_moves_the_task_to_the_next_worker_and_never_back():
    tr = Clocked()
    tr.worker("bob")
    tr.advance(1)
    tr.worker("carol")
    task = tr.task()
    tr.engine.assignment_answered(tr.ws.sid, task.reservations[0].sid, 200,
                                  '{"instruction": "reject"}', fallback=False)
    assert [r.status for r in task.reservations] == ["rejected", "pending"]
    assert tr.reserved_worker(task) == "carol"


def test_reservation_timeout_sets_the_worker_offline_and_offers_the_next():
    tr = Clocked(reservation_timeout=20)
    bob = tr.worker("bob")
    tr.advance(1)
    tr.worker("carol")
    task = tr.task()
    tr.advance(19)
    assert tr.reserved_worker(task) == "bob"
    tr.advance(1)
    assert task.reservations[0].status == "timeout"
    assert tr.activity_of(bob) == "Offline"
    assert tr.reserved_worker(task) == "carol"


def test_a_failing_callback_tries_the_fallback_then_waits_for_the_timeout():
    tr = Clocked()
    tr.engine.update_workflow(tr.ws, tr.workflow,
                              fallback_assignment_callback_url="http://127.0.0.1:9/fallback")
    tr.worker("bob")
    task = tr.task()
    tr.engine.assignment_answered(tr.ws.sid, task.reservations[0].sid, 500, "", fallback=False)
    tr.drain()
    assert [p.url for p in tr.posted] == ["http://127.0.0.1:9/assignment",
                                          "http://127.0.0.1:9/fallback"]
    tr.engine.assignment_answered(tr.ws.sid, task.reservations[0].sid, None, "", fallback=True)
    assert task.reservations[0].status == "pending"
    tr.advance(20)
    assert task.reservations[0].status == "timeout"


def test_the_fault_answers_every_callback_with_an_error():
    tr = Clocked(callback_fails=True)
    tr.worker("bob")
    task = tr.task()
    assert tr.posted == [] and task.reservations[0].status == "pending"
    tr.advance(20)
    assert task.reservations[0].status == "timeout"


def test_a_callback_without_instruction_is_warning_40005():
    tr = Clocked()
    tr.worker("bob")
    task = tr.task()
    tr.engine.assignment_answered(tr.ws.sid, task.reservations[0].sid, 200, '{"x": 1}',
                                  fallback=False)
    assert tr.engine.warnings[-1]["code"] == 40005
    assert task.reservations[0].status == "pending"


def test_target_timeouts_move_the_task_then_falling_off_cancels_it():
    tr = Clocked()
    other = tr.engine.create_queue(tr.ws, "Spanish", target_workers="languages HAS 'es'")
    tr.engine.update_workflow(tr.ws, tr.workflow, configuration=(
        '{"task_routing": {"filters": [{"expression": "1==1", "targets": ['
        f'{{"queue": "{other.sid}", "timeout": 30}}, {{"queue": "{tr.queue.sid}", "timeout": 60}}'
        ']}]}}'))
    task = tr.task()
    assert task.queue_sid == other.sid
    tr.advance(30)
    assert task.queue_sid == tr.queue.sid
    tr.advance(60)
    assert task.assignment_status == "canceled"


def test_a_caller_hanging_up_cancels_the_task_and_its_reservation():
    tr = Clocked()
    tr.worker("bob")
    task = tr.task()
    tr.engine.cancel_task(tr.ws, task, "hangup")
    assert (task.assignment_status, task.reason) == ("canceled", "hangup")
    assert task.reservations[0].status == "canceled"


def test_task_ttl_cancels_and_ended_tasks_go_after_five_minutes():
    tr = Clocked()
    task = tr.engine.create_task(tr.ws, tr.workflow.sid, timeout=60)
    tr.drain()
    tr.advance(60)
    assert task.assignment_status == "canceled"
    assert task.sid in tr.ws.tasks
    tr.advance(300)
    assert task.sid not in tr.ws.tasks


def test_statuses_only_change_as_twilio_allows():
    tr = Clocked()
    task = tr.task()
    with pytest.raises(RestError):
        tr.engine.update_task(tr.ws, task, assignment_status="completed", reason="x")
    with pytest.raises(RestError):
        tr.engine.update_task(tr.ws, task, assignment_status="canceled")  # no reason


def test_queue_statistics_count_waiting_tasks_and_the_longest_wait():
    tr = Clocked()
    tr.task()
    tr.advance(40)
    tr.task()
    tr.advance(2)
    stats = tr.engine.queue_statistics(tr.ws, tr.queue)
    assert stats["tasks_by_status"]["pending"] == 2
    assert stats["longest_task_waiting_age"] == 42 and stats["total_available_workers"] == 0


def test_routing_under_load_loses_no_caller_and_offers_none_twice_at_once():
    """200 queued callers, 50 simulated workers who accept, reject, time out or go on a break;
    callers hang up now and then. Every caller is answered or abandoned, and no worker or task
    ever holds two live reservations."""
    random.seed(14)
    tr = Clocked(reservation_timeout=20)
    workers = [tr.worker(f"agent{n}") for n in range(50)]
    tasks = [tr.task(caller=n) for n in range(200)]
    for _ in range(4000):
        live = [(t, r) for t in tasks for r in t.reservations
                if r.status in ("pending", "accepted")]
        busy = [r.worker_sid for _, r in live]
        assert len(busy) == len(set(busy)), "a worker holds two reservations"
        for task in tasks:
            assert sum(r.status in ("pending", "accepted") for r in task.reservations) <= 1
        if all(t.assignment_status in ("completed", "canceled") for t in tasks):
            break
        roll = random.random()
        pending = [(t, r) for t, r in live if r.status == "pending"]
        accepted = [t for t, r in live if r.status == "accepted"]
        if pending and roll < 0.45:
            task, reservation = random.choice(pending)
            answer = random.choice(['{"instruction": "accept"}'] * 4 + ['{"instruction": "reject"}'])
            tr.engine.assignment_answered(tr.ws.sid, reservation.sid, 200, answer, fallback=False)
        elif accepted and roll < 0.8:
            tr.engine.update_task(tr.ws, random.choice(accepted), assignment_status="completed",
                                  reason="call ended")
        elif roll < 0.83:
            waiting = [t for t in tasks if t.open]
            if waiting:
                tr.engine.cancel_task(tr.ws, random.choice(waiting), "hangup")
        elif roll < 0.9:
            worker = random.choice(workers)
            tr.set_activity(worker, random.choice(["Available", "Available", "Offline"]))
        else:
            tr.advance(5)
        tr.drain()
        offline = [w for w in workers if tr.activity_of(w) == "Offline"]
        for worker in offline[:3]:
            tr.set_activity(worker, "Available")
    assert {t.assignment_status for t in tasks} <= {"completed", "canceled"}
    answered = sum(t.assignment_status == "completed" for t in tasks)
    abandoned = [t for t in tasks if t.assignment_status == "canceled"]
    assert {t.reason for t in abandoned} <= {"hangup"}, "a caller was dropped, not abandoned"
    assert answered + len(abandoned) == 200
    assert answered > 100
