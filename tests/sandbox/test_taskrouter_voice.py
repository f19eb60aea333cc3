"""TaskRouter's calls side, sans-I/O: <Enqueue> makes a Task, ``conference`` connects."""

from __future__ import annotations

import json

from signaling_kit import Board
from signaling_kit import kinds
from signaling_kit import sent

from sandbox.signaling.effects import PostAssignment
from sandbox.signaling.effects import StartTimer
from sandbox.signaling.effects import TimerKey
from sandbox.signaling.effects import TimerKind


class Queueing:
    """A board with one workspace whose workflow sends every Task to one queue."""

    def __init__(self, *agents: str) -> None:
        self.board = Board()
        engine = self.engine = self.board.switchboard.taskrouter
        self.ws = engine.create_workspace("Main")
        queue = engine.create_queue(self.ws, "Main")
        self.workflow = engine.create_workflow(
            self.ws, "Inbound", json.dumps({"task_routing": {
                "filters": [], "default_filter": {"queue": queue.sid}}}),
            assignment_callback_url="http://127.0.0.1:9/taskrouter/assignment",
            task_reservation_timeout=20)
        self.conns = {name: self.board.agent(name) for name in agents}
        for name in agents:
            self.worker(name)

    def worker(self, name: str) -> None:
        worker = self.engine.create_worker(self.ws, name, attributes=json.dumps(
            {"contact_uri": f"client:{name}"}))
        self.engine.update_worker(self.ws, worker, activity_sid=self.engine.activity_named(
            self.ws, "Available").sid)

    def call_in(self):
        twiml = (f'<Response><Enqueue workflowSid="{self.workflow.sid}" waitUrl="http://x/wait">'
                 '<Task priority="5">{"language": "es"}</Task></Enqueue></Response>')
        sid, effects = self.board.inbound(twiml)
        (task,) = [t for t in self.ws.tasks.values() if t.decoded.get("call_sid") == sid]
        return sid, task, effects

    def instruct(self, effects, instruction: dict) -> list:
        """Answer the assignment callback; let the worker's call leave Twilio's queue."""
        (post,) = [e for e in effects if isinstance(e, PostAssignment)]
        effects = self.board.switchboard.assignment_answered(post, 200, json.dumps(instruction))
        (start,) = [e.key for e in effects if isinstance(e, StartTimer)
                    and e.key.kind is TimerKind.API_CALL_STARTS]
        return self.board.switchboard.timer_fired(start)


def test_enqueue_makes_a_task_from_the_call_and_the_task_element():
    q = Queueing()
    sid, task, _ = q.call_in()
    assert task.assignment_status == "pending" and task.priority == 5
    assert task.decoded["language"] == "es"
    assert task.decoded["from"] == "+15557770001" and task.decoded["call_sid"] == sid
    call = q.board.call(sid)
    assert call["status"] == "in-progress"
    assert call["played"][0]["url"] == "http://x/wait"


def test_conference_instruction_rings_the_worker_then_bridges_in_a_conference():
    q = Queueing("alice")
    sid, task, effects = q.call_in()
    offline = q.engine.activity_named(q.ws, "Offline").sid
    effects = q.instruct(effects, {"instruction": "conference", "from": "+15005550006",
                                   "post_work_activity_sid": offline})
    (invite,) = [m for m in sent(effects) if m[1] == "invite"]
    assert invite[0] == q.conns["alice"]
    assert task.assignment_status == "reserved"
    q.board.send(q.conns["alice"], "answer", callsid=invite[2]["callsid"], sdp="x")
    assert task.assignment_status == "assigned"
    conference = task.decoded["conference"]
    assert conference["participants"]["customer"] == sid
    assert q.board.call(sid)["conference"] == conference["sid"]
    q.board.switchboard.hang_up(sid)
    assert task.assignment_status == "completed"
    (alice,) = q.ws.workers.values()
    assert alice.activity_sid == offline


def test_a_caller_hanging_up_while_queued_cancels_the_task_and_nobody_rings():
    q = Queueing()
    sid, task, _ = q.call_in()
    q.board.switchboard.hang_up(sid)
    assert (task.assignment_status, task.reason) == ("canceled", "hangup")
    q.board.agent("late")
    q.worker("late")
    assert task.reservations == []


def test_a_timed_out_offer_stops_the_worker_ringing_and_sets_it_offline():
    q = Queueing("alice")
    _, task, effects = q.call_in()
    q.instruct(effects, {"instruction": "conference"})
    (reservation,) = task.reservations
    effects = q.board.switchboard.timer_fired(
        TimerKey(TimerKind.RESERVATION_TIMEOUT, reservation.sid))
    assert reservation.status == "timeout" and task.assignment_status == "pending"
    assert (q.conns["alice"], "cancel") in kinds(effects)
    (alice,) = q.ws.workers.values()
    assert q.ws.activities[alice.activity_sid].friendly_name == "Offline"
