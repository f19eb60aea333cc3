"""TaskRouter's calls side: ``<Enqueue workflowSid>`` and the ``conference`` instruction.

- ``<Enqueue>`` makes the call a Task in the workspace that owns the workflow; its attributes
  are the call's parameters in snake_case (``call_sid``, ``from``, ``to``, ``direction``…)
  merged with the ``<Task>`` JSON. The caller waits (its ``waitUrl`` is recorded as played).
- A caller who hangs up while waiting cancels the Task (reason ``hangup``), which withdraws
  any offer; once assigned, the caller's hang-up completes it.
- ``conference`` dials the worker (``to``, else ``contact_uri``; ``from``, else the number the
  caller called) into a conference named after the Task, for ``timeout`` seconds (60). When
  the worker answers, the caller joins the same conference, the reservation is accepted and
  the Task's attributes gain ``conference`` (``sid``, ``participants``: ``customer``,
  ``worker``). An unanswered worker leg leaves the reservation pending until it times out; a
  reservation that ends unaccepted stops the worker's phone ringing.

``dequeue``, ``call`` and ``redirect`` are refused (20001): not emulated yet.

Public names: TaskRouterVoice.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.signaling.calls import ApiOrder
from sandbox.signaling.calls import Call
from sandbox.signaling.calls import CallRegistry
from sandbox.signaling.routing import CallRouter
from sandbox.signaling.webhook import Conference
from sandbox.signaling.webhook import Dial
from sandbox.signaling.webhook import Enqueue
from sandbox.taskrouter.engine import Instruction
from sandbox.taskrouter.engine import TaskRouter
from sandbox.taskrouter.model import Reservation
from sandbox.taskrouter.model import Task
from sandbox.taskrouter.model import Workspace
from sandbox.taskrouter.model import snake_case
from sandbox.twilio_rest.errors import invalid

DEFAULT_WORKER_TIMEOUT = 60  # seconds, the conference instruction's default
_TRUE = ("true", True)


class TaskRouterVoice:
    """Connects the TaskRouter engine to the emulator's calls and conferences."""

    def __init__(self, engine: TaskRouter, router: CallRouter, calls: CallRegistry) -> None:
        self._engine = engine
        self._router = router
        self._calls = calls
        self._task_of_call: dict[str, str] = {}  # caller's call → task
        self._offers: dict[str, tuple[str, str]] = {}  # worker leg → (task, reservation)
        engine.voice = self
        router.enqueue = self.enqueue
        router.observers.append(self)

    # ---- The caller enters the queue.

    def enqueue(self, call: Call, verb: Enqueue) -> bool:
        """Make ``call`` a Task; return whether it now waits (False: no such workflow)."""
        workspace = next((ws for ws in self._engine.workspaces.values()
                          if verb.workflow_sid in ws.workflows), None)
        if workspace is None:
            return False
        params = call.webhook["params"] if call.webhook is not None else {}
        attributes = {snake_case(name): value for name, value in params.items()}
        try:
            extra = json.loads(verb.task)
        except ValueError:
            extra = {}
        if isinstance(extra, dict):
            attributes.update(extra)
        if verb.wait_url is not None:
            call.played.append({"url": verb.wait_url, "as": "wait", "at": self._engine.clock()})
        options: dict[str, Any] = {}
        if verb.priority is not None:
            options["priority"] = verb.priority
        if verb.timeout is not None:
            options["timeout"] = verb.timeout
        task = self._engine.create_task(workspace, verb.workflow_sid,
                                        attributes=json.dumps(attributes), **options)
        self._task_of_call[call.sid] = task.sid
        return True

    # ---- Instructions (VoiceSide).

    def execute(self, workspace: Workspace, task: Task, reservation: Reservation,
                instruction: Instruction) -> None:
        if instruction.kind != "conference":
            raise invalid(f"The {instruction.kind} instruction is not emulated")
        options = instruction.options
        caller_sid = task.decoded.get("call_sid")
        caller = self._calls.find(caller_sid) if isinstance(caller_sid, str) else None
        if caller is None or caller.ended:
            raise invalid("The conference instruction needs the Task's live call (call_sid)")
        worker = workspace.workers[reservation.worker_sid]
        to = options.get("to") or worker.decoded.get("contact_uri")
        if not isinstance(to, str):
            raise invalid("No 'to' and no contact_uri in the Worker's attributes")
        caller_id = options.get("from") or task.decoded.get("to") or caller.called
        timeout = int(options.get("timeout") or DEFAULT_WORKER_TIMEOUT)
        room = Conference(task.sid, end_on_exit=options.get("end_conference_on_exit") in _TRUE)
        leg = self._router.place_api(str(caller_id), to,
                                     ApiOrder(program=(Dial((), conference=room),),
                                              timeout=timeout))
        reservation.worker_call_sid = leg.sid
        post_work = options.get("post_work_activity_sid")
        if isinstance(post_work, str):
            reservation.post_work_activity_sid = post_work
        self._offers[leg.sid] = (task.sid, reservation.sid)

    def withdraw(self, reservation: Reservation) -> None:
        leg = self._calls.find(reservation.worker_call_sid or "")
        if leg is not None and not leg.ended and leg.answered_at is None:
            self._router.end_api(leg, "canceled")

    # ---- What the calls do (CallObserver).

    def call_answered(self, call: Call) -> None:
        offer = self._offers.pop(call.sid, None)
        if offer is None:
            return
        found = self._find(*offer)
        if found is None or found[2].status != "pending":
            self._router.end_api(call, "completed")  # the offer was withdrawn meanwhile
            return
        workspace, task, reservation = found
        caller = self._calls.find(task.decoded.get("call_sid", ""))
        if caller is None or caller.ended:
            self._router.end_api(call, "completed")
            return
        self._router.redirect(caller, url=None,
                              program=(Dial((), conference=Conference(task.sid)),))
        room = self._router.conferences.active(task.sid)
        self._engine.accept(workspace, task, reservation)
        task.decoded["conference"] = {"sid": room.sid if room else None,
                                      "participants": {"customer": caller.sid,
                                                       "worker": call.sid}}
        task.attributes = json.dumps(task.decoded)

    def call_ended(self, call: Call) -> None:
        task_sid = self._task_of_call.pop(call.sid, None)
        workspace = self._engine.task_workspace(task_sid) if task_sid else None
        task = workspace.tasks.get(task_sid or "") if workspace is not None else None
        if workspace is None or task is None:
            return
        if task.open:
            self._engine.cancel_task(workspace, task, "hangup")
        else:
            self._engine.complete_task(workspace, task, "call ended")

    def _find(self, task_sid: str,
              reservation_sid: str) -> tuple[Workspace, Task, Reservation] | None:
        workspace = self._engine.task_workspace(task_sid)
        task = workspace.tasks.get(task_sid) if workspace is not None else None
        if workspace is None or task is None:
            return None
        reservation = next((r for r in task.reservations if r.sid == reservation_sid), None)
        return (workspace, task, reservation) if reservation is not None else None
