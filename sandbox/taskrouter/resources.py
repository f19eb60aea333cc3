"""TaskRouter's JSON (``https://taskrouter.twilio.com/v1``): records and the v1 paging envelope.

Dates are ISO 8601; ``url`` and ``links`` are absolute, on Twilio's host, as Twilio writes them
(the product's REST client sends them to ``TWILIO_REST_URL`` like every other URL). Worker and
Task ``attributes`` are strings, and ``null`` in lists, as with Twilio.

Public names: BASE, workspace_json, activity_json, worker_json, queue_json, statistics_json,
workflow_json, task_json, reservation_json, page.
"""

from __future__ import annotations

import time
from typing import Any

from sandbox.taskrouter.model import Activity
from sandbox.taskrouter.model import Reservation
from sandbox.taskrouter.model import Task
from sandbox.taskrouter.model import TaskQueue
from sandbox.taskrouter.model import Worker
from sandbox.taskrouter.model import Workflow
from sandbox.taskrouter.model import Workspace
from sandbox.twilio_rest.resources import page_link

BASE = "https://taskrouter.twilio.com/v1"
Json = dict[str, Any]


def _date(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def _common(account: str, workspace: Workspace, url: str, record: Any) -> Json:
    return {"account_sid": account, "workspace_sid": workspace.sid, "sid": record.sid,
            "date_created": _date(record.created_at), "date_updated": _date(record.updated_at),
            "url": url}


def _ws_url(workspace: Workspace) -> str:
    return f"{BASE}/Workspaces/{workspace.sid}"


def workspace_json(account: str, workspace: Workspace) -> Json:
    url = _ws_url(workspace)
    names = {sid: a.friendly_name for sid, a in workspace.activities.items()}
    return {
        "account_sid": account, "sid": workspace.sid, "friendly_name": workspace.friendly_name,
        "date_created": _date(workspace.created_at), "date_updated": _date(workspace.updated_at),
        "event_callback_url": workspace.event_callback_url, "events_filter": None,
        "default_activity_sid": workspace.default_activity_sid,
        "default_activity_name": names.get(workspace.default_activity_sid or ""),
        "timeout_activity_sid": workspace.timeout_activity_sid,
        "timeout_activity_name": names.get(workspace.timeout_activity_sid or ""),
        "multi_task_enabled": workspace.multi_task_enabled,
        "prioritize_queue_order": workspace.prioritize_queue_order, "url": url,
        "links": {name.lower().replace("_", ""): f"{url}/{name}" for name in
                  ("Activities", "Workers", "TaskQueues", "Workflows", "Tasks", "Statistics",
                   "TaskChannels", "Events")},
    }


def activity_json(account: str, workspace: Workspace, activity: Activity) -> Json:
    url = f"{_ws_url(workspace)}/Activities/{activity.sid}"
    return {**_common(account, workspace, url, activity), "friendly_name": activity.friendly_name,
            "available": activity.available, "links": {"workspace": _ws_url(workspace)}}


def worker_json(account: str, workspace: Workspace, worker: Worker, *, listed: bool) -> Json:
    url = f"{_ws_url(workspace)}/Workers/{worker.sid}"
    activity = workspace.activities[worker.activity_sid]
    return {
        **_common(account, workspace, url, worker), "friendly_name": worker.friendly_name,
        "attributes": None if listed else worker.attributes, "activity_sid": activity.sid,
        "activity_name": activity.friendly_name, "available": activity.available,
        "date_status_changed": _date(worker.status_changed_at),
        "links": {"reservations": f"{url}/Reservations", "channels": f"{url}/Channels",
                  "activity": f"{_ws_url(workspace)}/Activities/{activity.sid}",
                  "workspace": _ws_url(workspace)},
    }


def queue_json(account: str, workspace: Workspace, queue: TaskQueue) -> Json:
    url = f"{_ws_url(workspace)}/TaskQueues/{queue.sid}"
    names = {sid: a.friendly_name for sid, a in workspace.activities.items()}
    return {
        **_common(account, workspace, url, queue), "friendly_name": queue.friendly_name,
        "target_workers": queue.target_workers,
        "max_reserved_workers": queue.max_reserved_workers, "task_order": queue.task_order,
        "reservation_activity_sid": queue.reservation_activity_sid,
        "reservation_activity_name": names.get(queue.reservation_activity_sid or ""),
        "assignment_activity_sid": queue.assignment_activity_sid,
        "assignment_activity_name": names.get(queue.assignment_activity_sid or ""),
        "event_callback_url": None,
        "links": {"statistics": f"{url}/Statistics",
                  "real_time_statistics": f"{url}/RealTimeStatistics",
                  "cumulative_statistics": f"{url}/CumulativeStatistics",
                  "workspace": _ws_url(workspace)},
    }


def statistics_json(account: str, workspace: Workspace, queue: TaskQueue,
                    figures: Json) -> Json:
    return {"account_sid": account, "workspace_sid": workspace.sid, "task_queue_sid": queue.sid,
            **figures, "url": f"{_ws_url(workspace)}/TaskQueues/{queue.sid}/RealTimeStatistics"}


def workflow_json(account: str, workspace: Workspace, workflow: Workflow) -> Json:
    url = f"{_ws_url(workspace)}/Workflows/{workflow.sid}"
    return {
        **_common(account, workspace, url, workflow), "friendly_name": workflow.friendly_name,
        "configuration": workflow.configuration, "document_content_type": "application/json",
        "assignment_callback_url": workflow.assignment_callback_url,
        "fallback_assignment_callback_url": workflow.fallback_assignment_callback_url,
        "task_reservation_timeout": workflow.task_reservation_timeout,
        "links": {"statistics": f"{url}/Statistics", "workspace": _ws_url(workspace)},
    }


def task_json(account: str, workspace: Workspace, task: Task, now: float, *,
              listed: bool) -> Json:
    url = f"{_ws_url(workspace)}/Tasks/{task.sid}"
    workflow = workspace.workflows.get(task.workflow_sid)
    queue = workspace.queues.get(task.queue_sid or "")
    return {
        **_common(account, workspace, url, task), "age": int(now - task.created_at),
        "assignment_status": task.assignment_status,
        "attributes": None if listed else task.attributes, "addons": None,
        "priority": task.priority, "reason": task.reason, "timeout": task.timeout,
        "task_queue_sid": queue.sid if queue else None,
        "task_queue_friendly_name": queue.friendly_name if queue else None,
        "task_queue_entered_date": _date(task.queue_entered_at) if task.queue_entered_at else None,
        "task_channel_sid": None, "task_channel_unique_name": "default",
        "workflow_sid": task.workflow_sid,
        "workflow_friendly_name": workflow.friendly_name if workflow else None,
        "virtual_start_time": _date(task.created_at), "ignore_capacity": False,
        "routing_target": None,
        "links": {"reservations": f"{url}/Reservations", "workspace": _ws_url(workspace)},
    }


def reservation_json(account: str, workspace: Workspace, reservation: Reservation) -> Json:
    url = f"{_ws_url(workspace)}/Tasks/{reservation.task_sid}/Reservations/{reservation.sid}"
    worker = workspace.workers.get(reservation.worker_sid)
    return {
        **_common(account, workspace, url, reservation),
        "reservation_status": reservation.status, "task_sid": reservation.task_sid,
        "worker_sid": reservation.worker_sid,
        "worker_name": worker.friendly_name if worker else None,
        "links": {"task": f"{_ws_url(workspace)}/Tasks/{reservation.task_sid}",
                  "worker": f"{_ws_url(workspace)}/Workers/{reservation.worker_sid}",
                  "workspace": _ws_url(workspace)},
    }


def page(records: list[Json], key: str, path: str, filters: dict[str, str], *,
         page_number: int, page_size: int) -> Json:
    """One page in the v1 envelope: ``{key: [...], "meta": {...}}`` with absolute URLs."""
    def url(number: int) -> str:
        return page_link(f"{BASE}{path.removeprefix('/v1')}", filters, page_size=page_size,
                         number=number)

    start = page_number * page_size
    chunk = records[start:start + page_size]
    return {key: chunk, "meta": {
        "key": key, "page": page_number, "page_size": page_size, "url": url(page_number),
        "first_page_url": url(0),
        "previous_page_url": url(page_number - 1) if page_number > 0 else None,
        "next_page_url": url(page_number + 1) if start + page_size < len(records) else None,
    }}
