"""TaskRouter's behaviour, sans-I/O: workspaces, routing, reservations and their timers.

What it mirrors (docs/twilio-rest.md, "TaskRouter"):

- A new Workspace has the activities Offline, Unavailable and Available; Offline is its
  default and its timeout activity.
- A Task goes through its Workflow: the first filter whose expression matches its attributes
  gives its targets (else the default filter); it waits in a target's TaskQueue until reserved,
  or until the target's ``timeout`` moves it to the next target; past the last, it is canceled.
- A Reservation goes to the eligible Worker idle longest: available Activity, no other
  pending or accepted reservation, matching the queue's ``target_workers`` and the target's
  expression, and not one who rejected the Task or let it time out. Higher ``priority`` and
  then older Tasks go first.
- Each reservation POSTs the Workflow's assignment callback (then its fallback if the first
  fails); its answer's instruction is carried out. With no usable answer the reservation stays
  pending until ``task_reservation_timeout``, then times out: the Worker moves to the
  Workspace's timeout activity and the Task is offered to the next Worker.
- A Task not assigned within its ``timeout`` (TTL) is canceled.

Voice instructions (conference, dequeue, call, redirect) are carried out by a
:class:`VoiceSide` (``voice.py``), which reports back how the calls went.

Public names: Instruction, VoiceSide, TaskRouter, DEFAULT_RESERVATION_TIMEOUT.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from typing import Protocol

from sandbox.signaling.effects import Outbox
from sandbox.signaling.effects import PostAssignment
from sandbox.signaling.effects import TimerKey
from sandbox.signaling.effects import TimerKind
from sandbox.taskrouter import workflows
from sandbox.taskrouter.expressions import ExpressionError
from sandbox.taskrouter.expressions import parse
from sandbox.taskrouter.model import Activity
from sandbox.taskrouter.model import Reservation
from sandbox.taskrouter.model import Task
from sandbox.taskrouter.model import TaskQueue
from sandbox.taskrouter.model import Worker
from sandbox.taskrouter.model import Workflow
from sandbox.taskrouter.model import Workspace
from sandbox.twilio_rest import errors
from sandbox.twilio_rest.errors import RestError
from sandbox.twilio_rest.errors import invalid

DEFAULT_RESERVATION_TIMEOUT = 120  # seconds, Twilio's TaskReservationTimeout
DEFAULT_TASK_TTL = 86_400
DEFAULT_ACTIVITIES = (("Offline", False), ("Unavailable", False), ("Available", True))
VOICE_INSTRUCTIONS = ("conference", "dequeue", "call", "redirect")
# A canceled or completed Task is deleted this long after it ends, as Twilio does.
ENDED_TASK_SECONDS = 300


@dataclass(frozen=True)
class Instruction:
    """``accept``, ``reject`` or a voice instruction, with its options in snake_case."""

    kind: str
    options: dict[str, Any]


class VoiceSide(Protocol):
    """What the calls side does for TaskRouter."""

    def execute(self, workspace: Workspace, task: Task, reservation: Reservation,
                instruction: Instruction) -> None:
        """Carry out a voice instruction; raises RestError if it cannot."""

    def withdraw(self, reservation: Reservation) -> None:
        """A reservation ended unaccepted: stop ringing its worker."""


class TaskRouter:
    """Every TaskRouter workspace of one emulator."""

    def __init__(self, outbox: Outbox, *, account_sid: str, clock: Callable[[], float],
                 new_sid: Callable[[str], str],
                 callback_fails: Callable[[], bool] = lambda: False) -> None:
        self._outbox = outbox
        self.account_sid = account_sid
        self.clock = self._clock = clock
        self._new_sid = new_sid
        self._callback_fails = callback_fails
        self.workspaces: dict[str, Workspace] = {}
        self._task_index: dict[str, Workspace] = {}
        self.voice: VoiceSide | None = None
        self.warnings: list[dict[str, Any]] = []

    # ---- Workspaces and activities.

    def create_workspace(self, friendly_name: str, *, event_callback_url: str | None = None,
                         multi_task_enabled: bool = True,
                         prioritize_queue_order: str = "FIFO") -> Workspace:
        now = self._clock()
        workspace = Workspace(self._new_sid("WS"), friendly_name, event_callback_url, None, None,
                              multi_task_enabled, prioritize_queue_order, now, now)
        for name, available in DEFAULT_ACTIVITIES:
            self.create_activity(workspace, name, available)
        offline = self.activity_named(workspace, "Offline")
        workspace.default_activity_sid = workspace.timeout_activity_sid = offline.sid
        self.workspaces[workspace.sid] = workspace
        return workspace

    def workspace(self, sid: str, path: str) -> Workspace:
        found = self.workspaces.get(sid)
        if found is None:
            raise errors.not_found(path)
        return found

    def update_workspace(self, workspace: Workspace, **changes: Any) -> None:
        for name in ("default_activity_sid", "timeout_activity_sid"):
            sid = changes.get(name)
            if sid is not None and sid not in workspace.activities:
                raise invalid(f"{name} {sid} is not an Activity of this Workspace")
        _apply(workspace, changes, self._clock())

    def delete_workspace(self, workspace: Workspace) -> None:
        for task in workspace.tasks.values():
            self._task_index.pop(task.sid, None)
        del self.workspaces[workspace.sid]

    def create_activity(self, workspace: Workspace, friendly_name: str,
                        available: bool) -> Activity:
        if any(a.friendly_name == friendly_name for a in workspace.activities.values()):
            raise invalid(f"An Activity named {friendly_name!r} already exists")
        now = self._clock()
        activity = Activity(self._new_sid("WA"), friendly_name, available, now, now)
        workspace.activities[activity.sid] = activity
        return activity

    def activity_named(self, workspace: Workspace, name: str) -> Activity:
        return next(a for a in workspace.activities.values() if a.friendly_name == name)

    def delete_activity(self, workspace: Workspace, activity: Activity) -> None:
        if activity.sid in (workspace.default_activity_sid, workspace.timeout_activity_sid) or any(
                w.activity_sid == activity.sid for w in workspace.workers.values()):
            raise invalid(f"Activity {activity.sid} is in use")
        del workspace.activities[activity.sid]

    # ---- Workers.

    def create_worker(self, workspace: Workspace, friendly_name: str, *,
                      activity_sid: str | None = None, attributes: str = "{}") -> Worker:
        if any(w.friendly_name == friendly_name for w in workspace.workers.values()):
            raise invalid(f"A Worker named {friendly_name!r} already exists")
        activity = self._activity(workspace, activity_sid or workspace.default_activity_sid)
        now = self._clock()
        worker = Worker(self._new_sid("WK"), friendly_name, attributes, _object(attributes),
                        activity.sid, now, now, now, now)
        workspace.workers[worker.sid] = worker
        self._route(workspace)
        return worker

    def update_worker(self, workspace: Workspace, worker: Worker, *,
                      activity_sid: str | None = None, attributes: str | None = None,
                      friendly_name: str | None = None,
                      reject_pending: bool = False) -> None:
        now = self._clock()
        if attributes is not None:
            worker.decoded, worker.attributes = _object(attributes), attributes
        if friendly_name is not None:
            worker.friendly_name = friendly_name
        if activity_sid is not None:
            activity = self._activity(workspace, activity_sid)
            if reject_pending and not activity.available:
                for task, reservation in self._reservations_of(workspace, worker, "pending"):
                    self._end_reservation(workspace, task, reservation, "rejected")
            self._move(workspace, worker, activity.sid)
        worker.updated_at = now
        self._route(workspace)

    def delete_worker(self, workspace: Workspace, worker: Worker) -> None:
        if self._busy_workers(workspace) & {worker.sid}:
            raise invalid(f"Worker {worker.sid} has a reservation")
        del workspace.workers[worker.sid]

    def available(self, workspace: Workspace, worker: Worker) -> bool:
        return workspace.activities[worker.activity_sid].available

    def _activity(self, workspace: Workspace, sid: str | None) -> Activity:
        activity = workspace.activities.get(sid or "")
        if activity is None:
            raise invalid(f"Activity {sid} is not in this Workspace")
        return activity

    def _move(self, workspace: Workspace, worker: Worker, activity_sid: str) -> None:
        if activity_sid == worker.activity_sid:
            return
        was_available = self.available(workspace, worker)
        worker.activity_sid = activity_sid
        worker.status_changed_at = self._clock()
        if self.available(workspace, worker) and not was_available:
            worker.idle_since = worker.status_changed_at

    # ---- Task queues and workflows.

    def create_queue(self, workspace: Workspace, friendly_name: str, *,
                     target_workers: str = "1==1", max_reserved_workers: int = 1,
                     task_order: str = "FIFO", reservation_activity_sid: str | None = None,
                     assignment_activity_sid: str | None = None) -> TaskQueue:
        if any(q.friendly_name == friendly_name for q in workspace.queues.values()):
            raise invalid(f"A TaskQueue named {friendly_name!r} already exists")
        for sid in (reservation_activity_sid, assignment_activity_sid):
            if sid is not None:
                self._activity(workspace, sid)
        now = self._clock()
        queue = TaskQueue(self._new_sid("WQ"), friendly_name, target_workers,
                          _expression(target_workers, "TargetWorkers"), max_reserved_workers,
                          task_order, reservation_activity_sid, assignment_activity_sid, now, now)
        workspace.queues[queue.sid] = queue
        return queue

    def update_queue(self, workspace: Workspace, queue: TaskQueue, **changes: Any) -> None:
        if changes.get("target_workers") is not None:
            changes["expression"] = _expression(changes["target_workers"], "TargetWorkers")
        _apply(queue, changes, self._clock())
        self._route(workspace)

    def delete_queue(self, workspace: Workspace, queue: TaskQueue) -> None:
        if any(t.open and t.queue_sid == queue.sid for t in workspace.tasks.values()):
            raise invalid(f"TaskQueue {queue.sid} holds tasks")
        del workspace.queues[queue.sid]

    def create_workflow(self, workspace: Workspace, friendly_name: str, configuration: str, *,
                        assignment_callback_url: str | None = None,
                        fallback_assignment_callback_url: str | None = None,
                        task_reservation_timeout: int = DEFAULT_RESERVATION_TIMEOUT) -> Workflow:
        filters, default = workflows.parse_configuration(configuration, workspace.queues)
        now = self._clock()
        workflow = Workflow(self._new_sid("WW"), friendly_name, configuration, filters, default,
                            assignment_callback_url, fallback_assignment_callback_url,
                            task_reservation_timeout, now, now)
        workspace.workflows[workflow.sid] = workflow
        return workflow

    def update_workflow(self, workspace: Workspace, workflow: Workflow, **changes: Any) -> None:
        if changes.get("configuration") is not None:
            changes["filters"], changes["default_target"] = workflows.parse_configuration(
                changes["configuration"], workspace.queues)
        _apply(workflow, changes, self._clock())

    def delete_workflow(self, workspace: Workspace, workflow: Workflow) -> None:
        if any(t.open and t.workflow_sid == workflow.sid for t in workspace.tasks.values()):
            raise invalid(f"Workflow {workflow.sid} routes tasks")
        del workspace.workflows[workflow.sid]

    # ---- Tasks.

    def create_task(self, workspace: Workspace, workflow_sid: str | None, *,
                    attributes: str = "{}", priority: int = 0,
                    timeout: int = DEFAULT_TASK_TTL) -> Task:
        workflow = workspace.workflows.get(workflow_sid or "")
        if workflow is None:
            raise invalid(f"WorkflowSid {workflow_sid} is not a Workflow of this Workspace")
        now = self._clock()
        task = Task(self._new_sid("WT"), workflow.sid, attributes, _object(attributes), priority,
                    timeout, now, now)
        task.targets = workflows.targets_for(workflow, task.decoded)
        workspace.tasks[task.sid] = task
        self._task_index[task.sid] = workspace
        self._outbox.start_timer(TimerKey(TimerKind.TASK_TTL, task.sid), timeout)
        if not task.targets:
            self._finish(workspace, task, "canceled", "Task matched no workflow target")
            return task
        self._enter_target(task)
        self._route(workspace)
        return task

    def task_workspace(self, task_sid: str) -> Workspace | None:
        return self._task_index.get(task_sid)

    def update_task(self, workspace: Workspace, task: Task, *, attributes: str | None = None,
                    assignment_status: str | None = None, reason: str | None = None,
                    priority: int | None = None) -> None:
        if attributes is not None:
            task.decoded, task.attributes = _object(attributes), attributes
        if priority is not None:
            task.priority = priority
        if assignment_status is not None:
            self._change_status(workspace, task, assignment_status, reason)
        task.updated_at = self._clock()
        self._route(workspace)

    def _change_status(self, workspace: Workspace, task: Task, status: str,
                       reason: str | None) -> None:
        allowed = {"canceled": ("pending", "reserved"), "wrapping": ("assigned",),
                   "completed": ("assigned", "wrapping")}
        if status not in allowed:
            raise invalid(f"AssignmentStatus cannot be set to {status!r}")
        if task.assignment_status not in allowed[status]:
            raise invalid(f"Task {task.sid} is {task.assignment_status}, it cannot become "
                          f"{status}")
        if status != "wrapping" and not reason:
            raise invalid(f"A Reason is required to set a Task {status}")
        if status == "wrapping":
            task.assignment_status = "wrapping"
            for reservation in task.reservations:
                if reservation.status == "accepted":
                    reservation.status, reservation.updated_at = "wrapping", self._clock()
            return
        self._finish(workspace, task, status, reason)

    def cancel_task(self, workspace: Workspace, task: Task, reason: str) -> None:
        """Cancel ``task`` if it is still open (a caller's hang-up, a workflow's end)."""
        if task.open:
            self._finish(workspace, task, "canceled", reason)
            self._route(workspace)

    def complete_task(self, workspace: Workspace, task: Task, reason: str) -> None:
        """Complete an assigned ``task`` (its conference or bridged call ended)."""
        if task.assignment_status in ("assigned", "wrapping"):
            self._finish(workspace, task, "completed", reason)
            self._route(workspace)

    def delete_task(self, workspace: Workspace, task: Task) -> None:
        if task.open:
            self._finish(workspace, task, "canceled", "Task deleted")
        del workspace.tasks[task.sid]
        self._task_index.pop(task.sid, None)
        self._route(workspace)

    def _finish(self, workspace: Workspace, task: Task, status: str, reason: str | None) -> None:
        now = self._clock()
        task.assignment_status, task.reason, task.updated_at = status, reason, now
        for reservation in task.reservations:
            if reservation.status == "pending":
                self._close_reservation(task, reservation, "canceled")
            elif reservation.status in ("accepted", "wrapping"):
                reservation.status, reservation.updated_at = "completed", now
                worker = workspace.workers.get(reservation.worker_sid)
                if worker is not None:
                    if reservation.post_work_activity_sid in workspace.activities:
                        self._move(workspace, worker, reservation.post_work_activity_sid)
                    worker.idle_since = now
        self._outbox.start_timer(TimerKey(TimerKind.TASK_TTL, task.sid, 1), ENDED_TASK_SECONDS)

    def _enter_target(self, task: Task) -> None:
        task.queue_entered_at = self._clock()
        target = task.targets[task.target_index]
        if target.priority is not None:
            task.priority = target.priority
        if target.timeout is not None:
            self._outbox.start_timer(
                TimerKey(TimerKind.TARGET_TIMEOUT, task.sid, task.target_index), target.timeout)

    # ---- Routing.

    def _busy_workers(self, workspace: Workspace) -> set[str]:
        return {r.worker_sid for t in workspace.tasks.values() for r in t.reservations
                if r.status in ("pending", "accepted", "wrapping")}

    def _reservations_of(self, workspace: Workspace, worker: Worker,
                         status: str) -> list[tuple[Task, Reservation]]:
        return [(t, r) for t in workspace.tasks.values() for r in t.reservations
                if r.worker_sid == worker.sid and r.status == status]

    def eligible(self, workspace: Workspace, task: Task, worker: Worker) -> bool:
        """Whether ``worker`` may be offered ``task`` in its current target (if free)."""
        target = task.targets[task.target_index]
        queue = workspace.queues.get(target.queue_sid)
        return (queue is not None and worker.sid not in task.passed_over
                and queue.expression.matches(worker.decoded)
                and (target.expression is None or target.expression.matches(
                    worker.decoded, worker=worker.decoded, task=task.decoded)))

    def _route(self, workspace: Workspace) -> None:
        """Reserve the longest-idle eligible free worker for each waiting task, in order."""
        busy = self._busy_workers(workspace)
        free = sorted((w for w in workspace.workers.values()
                       if w.sid not in busy and self.available(workspace, w)),
                      key=lambda w: w.idle_since)
        if not free:
            return
        waiting = sorted((t for t in workspace.tasks.values() if t.assignment_status == "pending"),
                         key=lambda t: (-t.priority, t.queue_entered_at or t.created_at,
                                        t.created_at))
        for task in waiting:
            chosen = next((w for w in free if self.eligible(workspace, task, w)), None)
            if chosen is not None:
                free.remove(chosen)
                self._reserve(workspace, task, chosen)
                if not free:
                    return

    def _reserve(self, workspace: Workspace, task: Task, worker: Worker) -> None:
        now = self._clock()
        workflow = workspace.workflows[task.workflow_sid]
        reservation = Reservation(self._new_sid("WR"), task.sid, worker.sid, "pending", now, now)
        task.reservations.append(reservation)
        task.assignment_status, task.updated_at = "reserved", now
        queue = workspace.queues[task.queue_sid or ""]
        if queue.reservation_activity_sid is not None:
            self._move(workspace, worker, queue.reservation_activity_sid)
        self._outbox.start_timer(TimerKey(TimerKind.RESERVATION_TIMEOUT, reservation.sid),
                                 workflow.task_reservation_timeout)
        self._post_assignment(workspace, task, reservation, fallback=False)

    def _post_assignment(self, workspace: Workspace, task: Task, reservation: Reservation, *,
                         fallback: bool) -> None:
        workflow = workspace.workflows[task.workflow_sid]
        url = (workflow.fallback_assignment_callback_url if fallback
               else workflow.assignment_callback_url)
        if url is None:
            return
        if self._callback_fails():
            # The fault: the callback is answered with an error, as a failing server would.
            self.assignment_answered(workspace.sid, reservation.sid, 500, "", fallback=fallback)
            return
        worker = workspace.workers[reservation.worker_sid]
        params = {
            "Timestamp": str(int(self._clock())), "AccountSid": self.account_sid,
            "WorkspaceSid": workspace.sid, "WorkflowSid": workflow.sid,
            "TaskQueueSid": task.queue_sid or "", "WorkerSid": worker.sid,
            "WorkerAttributes": worker.attributes, "TaskSid": task.sid,
            "TaskAttributes": task.attributes,
            "TaskAge": str(int(self._clock() - task.created_at)),
            "TaskPriority": str(task.priority), "ReservationSid": reservation.sid,
        }
        self._outbox.post_assignment(PostAssignment(url, params, workspace.sid, reservation.sid,
                                                    fallback))

    def assignment_answered(self, workspace_sid: str, reservation_sid: str, status: int | None,
                            body: str, *, fallback: bool) -> None:
        """The assignment callback answered; a failure tries the fallback URL, and then the
        reservation waits for REST or its timeout, as TaskRouter does."""
        found = self._find_reservation(workspace_sid, reservation_sid)
        if found is None or found[2].status != "pending":
            return
        workspace, task, reservation = found
        if status != 200:
            if not fallback:
                self._post_assignment(workspace, task, reservation, fallback=True)
            return
        if not body.strip():
            return  # "I will accept or reject later through REST"
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not isinstance(answer.get("instruction"), str):
            self.warnings.append({"code": 40005, "reservation_sid": reservation.sid,
                                  "message": "Assignment Callback response does not contain "
                                             "'instruction'"})
            return
        options = {k: v for k, v in answer.items() if k != "instruction"}
        try:
            self.carry_out(workspace, task, reservation, Instruction(answer["instruction"],
                                                                      options))
        except RestError as error:
            self.warnings.append({"code": error.code, "reservation_sid": reservation.sid,
                                  "message": error.message})

    def _find_reservation(self, workspace_sid: str,
                          reservation_sid: str) -> tuple[Workspace, Task, Reservation] | None:
        workspace = self.workspaces.get(workspace_sid)
        if workspace is None:
            return None
        for task in workspace.tasks.values():
            for reservation in task.reservations:
                if reservation.sid == reservation_sid:
                    return workspace, task, reservation
        return None

    # ---- Reservations: instructions, accept, reject, timeout.

    def carry_out(self, workspace: Workspace, task: Task, reservation: Reservation,
                  instruction: Instruction) -> None:
        """Act on an instruction for a pending reservation.

        Raises:
            RestError: not pending (40114-like), unknown instruction, or the voice side refused.
        """
        if reservation.status != "pending":
            raise invalid(f"Reservation {reservation.sid} is {reservation.status}, not pending")
        if instruction.kind == "accept":
            self.accept(workspace, task, reservation)
        elif instruction.kind == "reject":
            activity = instruction.options.get("activity_sid")
            if activity is not None:
                self._activity(workspace, activity)
            self._end_reservation(workspace, task, reservation, "rejected")
            worker = workspace.workers[reservation.worker_sid]
            if activity is not None:
                self._move(workspace, worker, activity)
            self._route(workspace)
        elif instruction.kind in VOICE_INSTRUCTIONS:
            if self.voice is None:
                raise invalid("voice instructions need the emulator's calls")
            self.voice.execute(workspace, task, reservation, instruction)
        else:
            raise invalid(f"Unknown instruction {instruction.kind!r}")

    def accept(self, workspace: Workspace, task: Task, reservation: Reservation) -> None:
        """The reservation is accepted: the task is assigned to its worker."""
        if reservation.status != "pending":
            return
        now = self._clock()
        reservation.status, reservation.updated_at = "accepted", now
        task.assignment_status, task.updated_at = "assigned", now
        queue = workspace.queues.get(task.queue_sid or "")
        worker = workspace.workers[reservation.worker_sid]
        if queue is not None and queue.assignment_activity_sid is not None:
            self._move(workspace, worker, queue.assignment_activity_sid)

    def _end_reservation(self, workspace: Workspace, task: Task, reservation: Reservation,
                         status: str) -> None:
        """The pending reservation is rejected or timed out: its task waits again."""
        self._close_reservation(task, reservation, status)
        task.passed_over.add(reservation.worker_sid)
        if task.open:
            task.assignment_status, task.updated_at = "pending", self._clock()

    def _close_reservation(self, task: Task, reservation: Reservation, status: str) -> None:
        reservation.status, reservation.updated_at = status, self._clock()
        if self.voice is not None:
            self.voice.withdraw(reservation)

    # ---- Timers.

    def timer_fired(self, key: TimerKey) -> None:
        if key.kind is TimerKind.RESERVATION_TIMEOUT:
            self._reservation_timed_out(key.sid)
            return
        workspace = self._task_index.get(key.sid)
        task = workspace.tasks.get(key.sid) if workspace is not None else None
        if workspace is None or task is None:
            return
        if key.kind is TimerKind.TASK_TTL and key.step == 1:
            self._forget(workspace, task)
        elif key.kind is TimerKind.TASK_TTL:
            self.cancel_task(workspace, task, "Task TTL Exceeded")
        elif key.kind is TimerKind.TARGET_TIMEOUT and task.open and task.target_index == key.step:
            self._next_target(workspace, task)

    def _reservation_timed_out(self, reservation_sid: str) -> None:
        for workspace in self.workspaces.values():
            found = self._find_reservation(workspace.sid, reservation_sid)
            if found is None:
                continue
            _, task, reservation = found
            if reservation.status == "pending":
                self._end_reservation(workspace, task, reservation, "timeout")
                worker = workspace.workers.get(reservation.worker_sid)
                if worker is not None and workspace.timeout_activity_sid is not None:
                    self._move(workspace, worker, workspace.timeout_activity_sid)
                self._route(workspace)
            return

    def _next_target(self, workspace: Workspace, task: Task) -> None:
        pending = task.pending_reservation()
        if pending is not None:
            self._close_reservation(task, pending, "canceled")
            task.assignment_status = "pending"
        if task.target_index + 1 >= len(task.targets):
            self.cancel_task(workspace, task, "Task fell out of its workflow")
            return
        task.target_index += 1
        task.passed_over.clear()
        self._enter_target(task)
        self._route(workspace)

    def _forget(self, workspace: Workspace, task: Task) -> None:
        if task.assignment_status in ("canceled", "completed"):
            workspace.tasks.pop(task.sid, None)
            self._task_index.pop(task.sid, None)

    # ---- Statistics and the control API.

    def queue_statistics(self, workspace: Workspace, queue: TaskQueue) -> dict[str, Any]:
        """TaskQueue real-time statistics: tasks by status, the longest wait, workers."""
        now = self._clock()
        tasks = [t for t in workspace.tasks.values()
                 if t.queue_sid == queue.sid and t.assignment_status in
                 ("pending", "reserved", "assigned", "wrapping")]
        by_status = {status: sum(t.assignment_status == status for t in tasks)
                     for status in ("pending", "reserved", "assigned", "wrapping")}
        waiting = sorted((t for t in tasks if t.open), key=lambda t: t.created_at)
        in_queue = sorted((t for t in tasks if t.open),
                          key=lambda t: t.queue_entered_at or t.created_at)
        eligible = [w for w in workspace.workers.values() if queue.expression.matches(w.decoded)]
        busy = self._busy_workers(workspace)
        activities = [{"sid": a.sid, "friendly_name": a.friendly_name,
                       "workers": sum(w.activity_sid == a.sid for w in eligible)}
                      for a in workspace.activities.values()]
        priorities: dict[str, int] = {}
        for task in tasks:
            priorities[str(task.priority)] = priorities.get(str(task.priority), 0) + 1
        return {
            "tasks_by_status": by_status, "total_tasks": len(tasks),
            "tasks_by_priority": priorities,
            "longest_task_waiting_age": int(now - waiting[0].created_at) if waiting else 0,
            "longest_task_waiting_sid": waiting[0].sid if waiting else None,
            "longest_relative_task_age_in_queue":
                int(now - (in_queue[0].queue_entered_at or now)) if in_queue else 0,
            "longest_relative_task_sid_in_queue": in_queue[0].sid if in_queue else None,
            "total_eligible_workers": len(eligible),
            "total_available_workers": sum(self.available(workspace, w) and w.sid not in busy
                                           for w in eligible),
            "activity_statistics": activities,
        }

    def snapshot(self) -> dict[str, Any]:
        """Workers and tasks of every workspace, for ``GET /sandbox/api/twilio``."""
        workers, tasks = [], []
        for workspace in self.workspaces.values():
            workers += [{"sid": w.sid, "friendly_name": w.friendly_name,
                         "activity_name": workspace.activities[w.activity_sid].friendly_name,
                         "available": self.available(workspace, w)}
                        for w in workspace.workers.values()]
            tasks += [{"sid": t.sid, "assignment_status": t.assignment_status,
                       "attributes": t.decoded,
                       "reservations": [{"sid": r.sid, "worker_sid": r.worker_sid,
                                         "reservation_status": r.status}
                                        for r in t.reservations]}
                      for t in workspace.tasks.values()]
        return {"workers": workers, "tasks": tasks}


def _object(attributes: str) -> dict[str, Any]:
    """Decode JSON attributes, which must be an object."""
    try:
        value = json.loads(attributes)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise invalid(f"Attributes must be a JSON object, not {attributes[:80]!r}")
    return value


def _expression(text: str, name: str) -> Any:
    try:
        return parse(text)
    except ExpressionError as error:
        raise invalid(f"{name} is not a valid expression: {error}") from None


def _apply(record: Any, changes: dict[str, Any], now: float) -> None:
    """Set the fields given (None means not given) and the update time."""
    for name, value in changes.items():
        if value is not None:
            setattr(record, name, value)
    record.updated_at = now
