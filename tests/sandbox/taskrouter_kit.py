"""A TaskRouter engine on a simulated clock: its timers fire as time is advanced."""

from __future__ import annotations

import itertools
import json
from typing import Any

from sandbox.signaling.effects import MessageLog
from sandbox.signaling.effects import Outbox
from sandbox.signaling.effects import PostAssignment
from sandbox.signaling.effects import StartTimer
from sandbox.signaling.effects import TimerKey
from sandbox.taskrouter.engine import TaskRouter
from sandbox.taskrouter.model import Task
from sandbox.taskrouter.model import Worker
from sandbox.taskrouter.model import Workspace

ACCOUNT = "AC" + "0" * 32


class Clocked:
    """One workspace (main queue, one workflow) whose engine runs on ``now``."""

    def __init__(self, *, callback_url: str | None = "http://127.0.0.1:9/assignment",
                 reservation_timeout: int = 20, targets: list[dict[str, Any]] | None = None,
                 callback_fails: bool = False) -> None:
        self.now = 1_000_000.0
        self._timers: list[tuple[float, int, TimerKey]] = []
        self._order = itertools.count()
        self.posted: list[PostAssignment] = []
        self._outbox = Outbox(MessageLog(lambda: self.now))
        counter = itertools.count(1)
        self.engine = TaskRouter(self._outbox, account_sid=ACCOUNT, clock=lambda: self.now,
                                 new_sid=lambda prefix: f"{prefix}{next(counter):032d}",
                                 callback_fails=lambda: callback_fails)
        self.ws: Workspace = self.engine.create_workspace("Main")
        self.queue = self.engine.create_queue(self.ws, "Main")
        configuration = {"task_routing": {"filters": [{"expression": "1==1",
                                                       "targets": targets}] if targets else [],
                                          "default_filter": {"queue": self.queue.sid}}}
        self.workflow = self.engine.create_workflow(
            self.ws, "Inbound", json.dumps(configuration), assignment_callback_url=callback_url,
            task_reservation_timeout=reservation_timeout)
        self.drain()

    def activity(self, name: str) -> str:
        return self.engine.activity_named(self.ws, name).sid

    def worker(self, name: str, *, available: bool = True, **attributes: Any) -> Worker:
        worker = self.engine.create_worker(self.ws, name, attributes=json.dumps(
            {"contact_uri": f"client:{name}", **attributes}))
        if available:
            self.set_activity(worker, "Available")
        self.drain()
        return worker

    def set_activity(self, worker: Worker, name: str) -> None:
        self.engine.update_worker(self.ws, worker, activity_sid=self.activity(name))
        self.drain()

    def task(self, **attributes: Any) -> Task:
        task = self.engine.create_task(self.ws, self.workflow.sid,
                                       attributes=json.dumps(attributes))
        self.drain()
        return task

    def drain(self) -> None:
        for effect in self._outbox.drain():
            if isinstance(effect, StartTimer):
                self._timers.append((self.now + effect.delay, next(self._order), effect.key))
            elif isinstance(effect, PostAssignment):
                self.posted.append(effect)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass, firing every timer due on the way, in order."""
        end = self.now + seconds
        while True:
            due = sorted(t for t in self._timers if t[0] <= end)
            if not due:
                break
            self._timers.remove(due[0])
            self.now = max(self.now, due[0][0])
            self.engine.timer_fired(due[0][2])
            self.drain()
        self.now = end

    def reserved_worker(self, task: Task) -> str | None:
        pending = task.pending_reservation()
        return self.ws.workers[pending.worker_sid].friendly_name if pending else None

    def activity_of(self, worker: Worker) -> str:
        return self.ws.activities[worker.activity_sid].friendly_name
