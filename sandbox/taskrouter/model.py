"""TaskRouter's resources as the emulator holds them: plain records, no behaviour.

``engine.py`` changes them; ``resources.py`` writes Twilio's JSON for them. Attributes are
kept as the JSON text the client gave (Twilio answers them as strings) next to their decoded
form, which expressions read.

Public names: Activity, Worker, TaskQueue, Target, Workflow, Reservation, Task, Workspace,
ASSIGNMENT_STATUSES, RESERVATION_STATUSES, snake_case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sandbox.taskrouter.expressions import Expression

ASSIGNMENT_STATUSES = ("pending", "reserved", "assigned", "canceled", "completed", "wrapping")
RESERVATION_STATUSES = ("pending", "accepted", "rejected", "timeout", "canceled", "rescinded",
                        "wrapping", "completed")


def snake_case(name: str) -> str:
    """``CallSid`` → ``call_sid``: Twilio's parameters as TaskRouter writes attributes."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass
class Activity:
    sid: str
    friendly_name: str
    available: bool
    created_at: float
    updated_at: float


@dataclass
class Worker:
    sid: str
    friendly_name: str
    attributes: str
    decoded: dict[str, Any]
    activity_sid: str
    created_at: float
    updated_at: float
    status_changed_at: float
    # When the worker last became free (available with no task): the longest idle goes first.
    idle_since: float


@dataclass
class TaskQueue:
    sid: str
    friendly_name: str
    target_workers: str
    expression: Expression
    max_reserved_workers: int
    task_order: str
    reservation_activity_sid: str | None
    assignment_activity_sid: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class Target:
    """One step of a workflow filter: a queue, an optional worker expression, a timeout."""

    queue_sid: str
    expression: Expression | None = None
    timeout: int | None = None
    priority: int | None = None


@dataclass
class Workflow:
    sid: str
    friendly_name: str
    configuration: str
    # (filter expression, its targets); then the default filter's target.
    filters: list[tuple[Expression, tuple[Target, ...]]]
    default_target: Target | None
    assignment_callback_url: str | None
    fallback_assignment_callback_url: str | None
    task_reservation_timeout: int
    created_at: float
    updated_at: float


@dataclass
class Reservation:
    sid: str
    task_sid: str
    worker_sid: str
    status: str
    created_at: float
    updated_at: float
    # Set by an instruction that moves the worker when the task ends (dequeue, conference).
    post_work_activity_sid: str | None = None
    worker_call_sid: str | None = None


@dataclass
class Task:
    sid: str
    workflow_sid: str
    attributes: str
    decoded: dict[str, Any]
    priority: int
    timeout: int
    created_at: float
    updated_at: float
    assignment_status: str = "pending"
    reason: str | None = None
    targets: tuple[Target, ...] = ()
    target_index: int = 0
    queue_entered_at: float | None = None
    reservations: list[Reservation] = field(default_factory=list)
    # Workers who rejected it or let it time out are not offered it again.
    passed_over: set[str] = field(default_factory=set)

    @property
    def queue_sid(self) -> str | None:
        return self.targets[self.target_index].queue_sid if self.targets else None

    @property
    def open(self) -> bool:
        """Still to be assigned: pending or reserved."""
        return self.assignment_status in ("pending", "reserved")

    def pending_reservation(self) -> Reservation | None:
        return next((r for r in self.reservations if r.status == "pending"), None)


@dataclass
class Workspace:
    sid: str
    friendly_name: str
    event_callback_url: str | None
    default_activity_sid: str | None
    timeout_activity_sid: str | None
    multi_task_enabled: bool
    prioritize_queue_order: str
    created_at: float
    updated_at: float
    activities: dict[str, Activity] = field(default_factory=dict)
    workers: dict[str, Worker] = field(default_factory=dict)
    queues: dict[str, TaskQueue] = field(default_factory=dict)
    workflows: dict[str, Workflow] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
