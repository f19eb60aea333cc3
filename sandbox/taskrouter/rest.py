"""TaskRouter's REST resources (``taskrouter/v1/Workspaces/…``), routed by the REST core.

Each handler reads Twilio's form parameters, calls the :class:`TaskRouter` engine and
answers Twilio's JSON; :class:`~sandbox.twilio_rest.api.RestApi` authenticates, dispatches
and logs, as for the 2010 API.

Public names: TaskRouterRest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandbox.taskrouter import resources
from sandbox.taskrouter.engine import DEFAULT_RESERVATION_TIMEOUT
from sandbox.taskrouter.engine import DEFAULT_TASK_TTL
from sandbox.taskrouter.engine import VOICE_INSTRUCTIONS
from sandbox.taskrouter.engine import Instruction
from sandbox.taskrouter.engine import TaskRouter
from sandbox.taskrouter.model import ASSIGNMENT_STATUSES
from sandbox.taskrouter.model import RESERVATION_STATUSES
from sandbox.taskrouter.model import Task
from sandbox.taskrouter.model import Workspace
from sandbox.taskrouter.model import snake_case
from sandbox.twilio_rest import errors
from sandbox.twilio_rest.errors import invalid
from sandbox.twilio_rest.params import Params

Json = dict[str, Any]
Handler = Callable[..., tuple[int, Json | None]]
_PREFIXED = re.compile(r"(Dequeue|Call|Redirect)(?=[A-Z])")
_MAX_TTL = 1_209_600


class TaskRouterRest:
    """The handlers; :meth:`routes` gives their paths (regular expressions) and methods."""

    def __init__(self, engine: TaskRouter, *, clock: Callable[[], float]) -> None:
        self._engine = engine
        self._clock = clock

    def routes(self) -> list[tuple[str, dict[str, Handler]]]:
        ws = r"taskrouter/v1/Workspaces/(?P<ws>[^/]+)"
        return [
            (r"taskrouter/v1/Workspaces", {"GET": self._list_workspaces,
                                           "POST": self._create_workspace}),
            (ws, {"GET": self._fetch_workspace, "POST": self._update_workspace,
                  "DELETE": self._delete_workspace}),
            (ws + r"/Activities", {"GET": self._list_activities, "POST": self._create_activity}),
            (ws + r"/Activities/(?P<sid>[^/]+)", {"GET": self._fetch_activity,
                                                  "POST": self._update_activity,
                                                  "DELETE": self._delete_activity}),
            (ws + r"/Workers", {"GET": self._list_workers, "POST": self._create_worker}),
            (ws + r"/Workers/(?P<sid>[^/]+)", {"GET": self._fetch_worker,
                                               "POST": self._update_worker,
                                               "DELETE": self._delete_worker}),
            (ws + r"/Workers/(?P<sid>[^/]+)/Reservations",
             {"GET": self._list_worker_reservations}),
            (ws + r"/Workers/(?P<sid>[^/]+)/Reservations/(?P<reservation>[^/]+)",
             {"GET": self._fetch_worker_reservation, "POST": self._update_worker_reservation}),
            (ws + r"/TaskQueues", {"GET": self._list_queues, "POST": self._create_queue}),
            (ws + r"/TaskQueues/(?P<sid>[^/]+)", {"GET": self._fetch_queue,
                                                  "POST": self._update_queue,
                                                  "DELETE": self._delete_queue}),
            (ws + r"/TaskQueues/(?P<sid>[^/]+)/RealTimeStatistics",
             {"GET": self._queue_statistics}),
            (ws + r"/Workflows", {"GET": self._list_workflows, "POST": self._create_workflow}),
            (ws + r"/Workflows/(?P<sid>[^/]+)", {"GET": self._fetch_workflow,
                                                 "POST": self._update_workflow,
                                                 "DELETE": self._delete_workflow}),
            (ws + r"/Tasks", {"GET": self._list_tasks, "POST": self._create_task}),
            (ws + r"/Tasks/(?P<sid>[^/]+)", {"GET": self._fetch_task, "POST": self._update_task,
                                             "DELETE": self._delete_task}),
            (ws + r"/Tasks/(?P<sid>[^/]+)/Reservations", {"GET": self._list_reservations}),
            (ws + r"/Tasks/(?P<sid>[^/]+)/Reservations/(?P<reservation>[^/]+)",
             {"GET": self._fetch_reservation, "POST": self._update_reservation}),
        ]

    # ---- Helpers.

    @property
    def _account(self) -> str:
        return self._engine.account_sid

    def _workspace(self, sid: str, path: str) -> Workspace:
        return self._engine.workspace(sid, path)

    @staticmethod
    def _one(records: dict[str, Any], sid: str, path: str) -> Any:
        found = records.get(sid)
        if found is None:
            raise errors.not_found(path)
        return found

    @staticmethod
    def _page(params: Params, records: list[Json], key: str, path: str,
              filters: dict[str, str]) -> tuple[int, Json]:
        size = params.integer("PageSize", 50, 1, 1000)
        number = params.integer("Page", 0, 0, 1_000_000)
        return 200, resources.page(records, key, path, filters, page_number=number,
                                   page_size=size)

    @staticmethod
    def _filters(params: Params, *names: str) -> dict[str, str]:
        return {name: value for name in names if (value := params.text(name)) is not None}

    @staticmethod
    def _required(params: Params, name: str) -> str:
        value = params.text(name)
        if value is None:
            raise invalid(f"Missing required parameter {name} in the post body")
        return value

    # ---- Workspaces.

    def _list_workspaces(self, params: Params, *, path: str) -> tuple[int, Json]:
        filters = self._filters(params, "FriendlyName")
        records = [resources.workspace_json(self._account, w)
                   for w in self._engine.workspaces.values()
                   if filters.get("FriendlyName", w.friendly_name) == w.friendly_name]
        return self._page(params, records, "workspaces", path, filters)

    def _create_workspace(self, params: Params, *, path: str) -> tuple[int, Json]:
        template = params.choice("Template", ("NONE", "FIFO"))
        del template  # FIFO's extra queue and workflow are not emulated: provision makes them
        workspace = self._engine.create_workspace(
            self._required(params, "FriendlyName"),
            event_callback_url=params.url("EventCallbackUrl"),
            multi_task_enabled=params.flag("MultiTaskEnabled", True),
            prioritize_queue_order=params.choice("PrioritizeQueueOrder", ("LIFO", "FIFO"))
            or "FIFO")
        return 201, resources.workspace_json(self._account, workspace)

    def _fetch_workspace(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        return 200, resources.workspace_json(self._account, self._workspace(ws, path))

    def _update_workspace(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        self._engine.update_workspace(
            workspace, friendly_name=params.text("FriendlyName"),
            event_callback_url=params.url("EventCallbackUrl"),
            default_activity_sid=params.text("DefaultActivitySid"),
            timeout_activity_sid=params.text("TimeoutActivitySid"),
            multi_task_enabled=params.boolean("MultiTaskEnabled"),
            prioritize_queue_order=params.choice("PrioritizeQueueOrder", ("LIFO", "FIFO")))
        return 200, resources.workspace_json(self._account, workspace)

    def _delete_workspace(self, params: Params, *, path: str, ws: str) -> tuple[int, None]:
        self._engine.delete_workspace(self._workspace(ws, path))
        return 204, None

    # ---- Activities.

    def _list_activities(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        filters = self._filters(params, "FriendlyName", "Available")
        available = params.boolean("Available")
        records = [resources.activity_json(self._account, workspace, a)
                   for a in workspace.activities.values()
                   if filters.get("FriendlyName", a.friendly_name) == a.friendly_name
                   and available in (None, a.available)]
        return self._page(params, records, "activities", path, filters)

    def _create_activity(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        activity = self._engine.create_activity(
            workspace, self._required(params, "FriendlyName"),
            _yes(params, "Available"))
        return 201, resources.activity_json(self._account, workspace, activity)

    def _fetch_activity(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        activity = self._one(workspace.activities, sid, path)
        return 200, resources.activity_json(self._account, workspace, activity)

    def _update_activity(self, params: Params, *, path: str, ws: str,
                         sid: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        activity = self._one(workspace.activities, sid, path)
        name = params.text("FriendlyName")
        if name is not None:
            activity.friendly_name, activity.updated_at = name, self._clock()
        return 200, resources.activity_json(self._account, workspace, activity)

    def _delete_activity(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, None]:
        workspace = self._workspace(ws, path)
        self._engine.delete_activity(workspace, self._one(workspace.activities, sid, path))
        return 204, None

    # ---- Workers.

    def _list_workers(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        filters = self._filters(params, "ActivitySid", "ActivityName", "Available",
                                "FriendlyName", "TaskQueueSid", "TaskQueueName")
        available = params.boolean("Available")
        queue = None
        if "TaskQueueSid" in filters or "TaskQueueName" in filters:
            queue = next((q for q in workspace.queues.values()
                          if q.sid == filters.get("TaskQueueSid", q.sid)
                          and q.friendly_name == filters.get("TaskQueueName", q.friendly_name)),
                         None)
        records = []
        for worker in workspace.workers.values():
            activity = workspace.activities[worker.activity_sid]
            if (filters.get("ActivitySid", activity.sid) != activity.sid
                    or filters.get("ActivityName", activity.friendly_name)
                    != activity.friendly_name
                    or available not in (None, activity.available)
                    or filters.get("FriendlyName", worker.friendly_name) != worker.friendly_name
                    or (queue is None and ("TaskQueueSid" in filters
                                           or "TaskQueueName" in filters))
                    or (queue is not None and not queue.expression.matches(worker.decoded))):
                continue
            records.append(resources.worker_json(self._account, workspace, worker, listed=True))
        return self._page(params, records, "workers", path, filters)

    def _create_worker(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        worker = self._engine.create_worker(
            workspace, self._required(params, "FriendlyName"),
            activity_sid=params.text("ActivitySid"),
            attributes=params.text("Attributes") or "{}")
        return 201, resources.worker_json(self._account, workspace, worker, listed=False)

    def _fetch_worker(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        worker = self._one(workspace.workers, sid, path)
        return 200, resources.worker_json(self._account, workspace, worker, listed=False)

    def _update_worker(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        worker = self._one(workspace.workers, sid, path)
        self._engine.update_worker(
            workspace, worker, activity_sid=params.text("ActivitySid"),
            attributes=params.text("Attributes"), friendly_name=params.text("FriendlyName"),
            reject_pending=params.flag("RejectPendingReservations", False))
        return 200, resources.worker_json(self._account, workspace, worker, listed=False)

    def _delete_worker(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, None]:
        workspace = self._workspace(ws, path)
        self._engine.delete_worker(workspace, self._one(workspace.workers, sid, path))
        return 204, None

    # ---- Task queues.

    def _list_queues(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        filters = self._filters(params, "FriendlyName")
        records = [resources.queue_json(self._account, workspace, q)
                   for q in workspace.queues.values()
                   if filters.get("FriendlyName", q.friendly_name) == q.friendly_name]
        return self._page(params, records, "task_queues", path, filters)

    def _create_queue(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        queue = self._engine.create_queue(
            workspace, self._required(params, "FriendlyName"),
            target_workers=params.text("TargetWorkers") or "1==1",
            max_reserved_workers=params.integer("MaxReservedWorkers", 1, 1, 50),
            task_order=params.choice("TaskOrder", ("FIFO", "LIFO")) or "FIFO",
            reservation_activity_sid=params.text("ReservationActivitySid"),
            assignment_activity_sid=params.text("AssignmentActivitySid"))
        return 201, resources.queue_json(self._account, workspace, queue)

    def _fetch_queue(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        return 200, resources.queue_json(self._account, workspace,
                                         self._one(workspace.queues, sid, path))

    def _update_queue(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        queue = self._one(workspace.queues, sid, path)
        self._engine.update_queue(
            workspace, queue, friendly_name=params.text("FriendlyName"),
            target_workers=params.text("TargetWorkers"),
            max_reserved_workers=params.integer("MaxReservedWorkers",
                                                queue.max_reserved_workers, 1, 50),
            task_order=params.choice("TaskOrder", ("FIFO", "LIFO")),
            reservation_activity_sid=params.text("ReservationActivitySid"),
            assignment_activity_sid=params.text("AssignmentActivitySid"))
        return 200, resources.queue_json(self._account, workspace, queue)

    def _delete_queue(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, None]:
        workspace = self._workspace(ws, path)
        self._engine.delete_queue(workspace, self._one(workspace.queues, sid, path))
        return 204, None

    def _queue_statistics(self, params: Params, *, path: str, ws: str,
                          sid: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        queue = self._one(workspace.queues, sid, path)
        return 200, resources.statistics_json(self._account, workspace, queue,
                                              self._engine.queue_statistics(workspace, queue))

    # ---- Workflows.

    def _list_workflows(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        filters = self._filters(params, "FriendlyName")
        records = [resources.workflow_json(self._account, workspace, w)
                   for w in workspace.workflows.values()
                   if filters.get("FriendlyName", w.friendly_name) == w.friendly_name]
        return self._page(params, records, "workflows", path, filters)

    def _create_workflow(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        workflow = self._engine.create_workflow(
            workspace, self._required(params, "FriendlyName"),
            self._required(params, "Configuration"),
            assignment_callback_url=params.url("AssignmentCallbackUrl"),
            fallback_assignment_callback_url=params.url("FallbackAssignmentCallbackUrl"),
            task_reservation_timeout=params.integer("TaskReservationTimeout",
                                                    DEFAULT_RESERVATION_TIMEOUT, 1, 86_400))
        return 201, resources.workflow_json(self._account, workspace, workflow)

    def _fetch_workflow(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        return 200, resources.workflow_json(self._account, workspace,
                                            self._one(workspace.workflows, sid, path))

    def _update_workflow(self, params: Params, *, path: str, ws: str,
                         sid: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        workflow = self._one(workspace.workflows, sid, path)
        timeout = params.text("TaskReservationTimeout")
        self._engine.update_workflow(
            workspace, workflow, friendly_name=params.text("FriendlyName"),
            configuration=params.text("Configuration"),
            assignment_callback_url=params.url("AssignmentCallbackUrl"),
            fallback_assignment_callback_url=params.url("FallbackAssignmentCallbackUrl"),
            task_reservation_timeout=None if timeout is None else params.integer(
                "TaskReservationTimeout", DEFAULT_RESERVATION_TIMEOUT, 1, 86_400))
        return 200, resources.workflow_json(self._account, workspace, workflow)

    def _delete_workflow(self, params: Params, *, path: str, ws: str,
                         sid: str) -> tuple[int, None]:
        workspace = self._workspace(ws, path)
        self._engine.delete_workflow(workspace, self._one(workspace.workflows, sid, path))
        return 204, None

    # ---- Tasks.

    def _list_tasks(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        filters = self._filters(params, "AssignmentStatus", "WorkflowSid", "TaskQueueSid")
        statuses = set(params.text("AssignmentStatus").split(",")) if "AssignmentStatus" in \
            filters else set(ASSIGNMENT_STATUSES)
        now = self._clock()
        records = [resources.task_json(self._account, workspace, t, now, listed=True)
                   for t in sorted(workspace.tasks.values(), key=lambda t: t.created_at)
                   if t.assignment_status in statuses
                   and filters.get("WorkflowSid", t.workflow_sid) == t.workflow_sid
                   and filters.get("TaskQueueSid", t.queue_sid) == t.queue_sid]
        return self._page(params, records, "tasks", path, filters)

    def _create_task(self, params: Params, *, path: str, ws: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        task = self._engine.create_task(
            workspace, params.text("WorkflowSid") or _only_workflow(workspace),
            attributes=params.text("Attributes") or "{}",
            priority=params.integer("Priority", 0, 0, 2**31 - 1),
            timeout=params.integer("Timeout", DEFAULT_TASK_TTL, 1, _MAX_TTL))
        return 201, resources.task_json(self._account, workspace, task, self._clock(),
                                        listed=False)

    def _task(self, ws: str, sid: str, path: str) -> tuple[Workspace, Task]:
        workspace = self._workspace(ws, path)
        return workspace, self._one(workspace.tasks, sid, path)

    def _fetch_task(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, Json]:
        workspace, task = self._task(ws, sid, path)
        return 200, resources.task_json(self._account, workspace, task, self._clock(),
                                        listed=False)

    def _update_task(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, Json]:
        workspace, task = self._task(ws, sid, path)
        priority = params.text("Priority")
        self._engine.update_task(
            workspace, task, attributes=params.text("Attributes"),
            assignment_status=params.choice("AssignmentStatus", ASSIGNMENT_STATUSES),
            reason=params.text("Reason"),
            priority=None if priority is None else params.integer("Priority", 0, 0, 2**31 - 1))
        return 200, resources.task_json(self._account, workspace, task, self._clock(),
                                        listed=False)

    def _delete_task(self, params: Params, *, path: str, ws: str, sid: str) -> tuple[int, None]:
        workspace, task = self._task(ws, sid, path)
        self._engine.delete_task(workspace, task)
        return 204, None

    # ---- Reservations, from the task or from the worker.

    def _list_reservations(self, params: Params, *, path: str, ws: str,
                           sid: str) -> tuple[int, Json]:
        workspace, task = self._task(ws, sid, path)
        return self._reservation_page(params, path, workspace, task.reservations)

    def _list_worker_reservations(self, params: Params, *, path: str, ws: str,
                                  sid: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        self._one(workspace.workers, sid, path)
        found = [r for t in workspace.tasks.values() for r in t.reservations if r.worker_sid == sid]
        return self._reservation_page(params, path, workspace, found)

    def _reservation_page(self, params: Params, path: str, workspace: Workspace,
                          found: list[Any]) -> tuple[int, Json]:
        filters = self._filters(params, "ReservationStatus")
        params.choice("ReservationStatus", RESERVATION_STATUSES)
        records = [resources.reservation_json(self._account, workspace, r) for r in found
                   if filters.get("ReservationStatus", r.status) == r.status]
        return self._page(params, records, "reservations", path, filters)

    def _reservation(self, workspace: Workspace, task_sid: str | None, reservation: str,
                     path: str, worker_sid: str | None = None) -> tuple[Task, Any]:
        for task in workspace.tasks.values():
            for found in task.reservations:
                if found.sid == reservation and task_sid in (None, task.sid) \
                        and worker_sid in (None, found.worker_sid):
                    return task, found
        raise errors.not_found(path)

    def _fetch_reservation(self, params: Params, *, path: str, ws: str, sid: str,
                           reservation: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        _, found = self._reservation(workspace, sid, reservation, path)
        return 200, resources.reservation_json(self._account, workspace, found)

    def _fetch_worker_reservation(self, params: Params, *, path: str, ws: str, sid: str,
                                  reservation: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        _, found = self._reservation(workspace, None, reservation, path, worker_sid=sid)
        return 200, resources.reservation_json(self._account, workspace, found)

    def _update_reservation(self, params: Params, *, path: str, ws: str, sid: str,
                            reservation: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        task, found = self._reservation(workspace, sid, reservation, path)
        return self._act(params, workspace, task, found)

    def _update_worker_reservation(self, params: Params, *, path: str, ws: str, sid: str,
                                   reservation: str) -> tuple[int, Json]:
        workspace = self._workspace(ws, path)
        task, found = self._reservation(workspace, None, reservation, path, worker_sid=sid)
        return self._act(params, workspace, task, found)

    def _act(self, params: Params, workspace: Workspace, task: Task,
             reservation: Any) -> tuple[int, Json]:
        self._engine.carry_out(workspace, task, reservation, _instruction(params))
        return 200, resources.reservation_json(self._account, workspace, reservation)


def _instruction(params: Params) -> Instruction:
    """The REST form of an instruction: ``ReservationStatus`` or ``Instruction`` and its
    parameters (``DequeueTo``, ``CallUrl``… lose their prefix), in snake_case."""
    kind = params.choice("Instruction", VOICE_INSTRUCTIONS)
    status = params.choice("ReservationStatus", ("accepted", "rejected"))
    if kind is None and status is None:
        raise invalid("A ReservationStatus or an Instruction is required")
    options = {snake_case(_PREFIXED.sub("", name, count=1)): value
               for name in params.names() if name not in ("Instruction", "ReservationStatus")
               if (value := params.text(name)) is not None}
    if "worker_activity_sid" in options:
        options["activity_sid"] = options.pop("worker_activity_sid")
    if kind is None:
        kind = "accept" if status == "accepted" else "reject"
    return Instruction(kind, options)


def _only_workflow(workspace: Workspace) -> str | None:
    return next(iter(workspace.workflows), None) if len(workspace.workflows) == 1 else None


def _yes(params: Params, name: str) -> bool:
    """Twilio's Activity ``Available`` takes ``true``, ``1`` or ``yes`` (default true)."""
    raw = params.text(name)
    if raw is None:
        return True
    if raw.lower() in ("true", "1", "yes", "false", "0", "no"):
        return raw.lower() in ("true", "1", "yes")
    raise invalid(f"{name} must be true or false, not {raw!r}")
