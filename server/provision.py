"""``python -m server provision``: set up Twilio TaskRouter for the toolbar, idempotently.

It creates what is missing and updates what differs, through the service's one REST client
(so ``TWILIO_REST_URL`` points it at an emulator), and prints the SIDs to put in the
environment. Run it again and it changes nothing. ``--dry-run`` prints what it would change.

What it sets up (README, "Queue routing: provision"):

- the Workspace ``WORKSPACE_NAME``, whose timeout activity is Offline;
- the Activities Offline, Available, Unavailable, Wrap-up and one per reason code;
- the TaskQueue ``QUEUE_NAME`` (every worker);
- the Workflow ``WORKFLOW_NAME``: calls whose Task has a ``language`` go first to workers
  who speak it, then to anyone; every other call to the main queue. Its assignment callback
  is ``<TOOLBAR_PUBLIC_URL>/taskrouter/assignment``;
- a Worker per ``TOOLBAR_AGENTS`` identity (``contact_uri`` ``client:<identity>``).

Public names: main, provision, REASON_CODES.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from server.config import ConfigError
from server.config import Settings
from server.config import load_settings
from server.errors import TwilioRestError
from server.twilio_rest import TwilioRest

WORKSPACE_NAME = "Twilio Voice Toolbar"
QUEUE_NAME = "Main"
WORKFLOW_NAME = "Inbound calls"
# (Activity, available): Twilio's three, wrap-up, and the agent's unavailable reasons.
BASE_ACTIVITIES = (("Offline", False), ("Available", True), ("Unavailable", False),
                   ("Wrap-up", False))
REASON_CODES = ("BREAK", "LUNCH", "MEETING", "TRAINING")
# A reservation lasts as long as the toolbar offers a call (the 20 s offer timeout).
RESERVATION_TIMEOUT = 20
LANGUAGE_TIMEOUT = 30  # seconds a call waits for a worker who speaks its language
PENDING = "(new)"  # the SID of what a dry run would create


class Provisioner:
    """Ensures one resource after another; in a dry run it only says what it would do."""

    def __init__(self, rest: TwilioRest, *, dry_run: bool,
                 say: Callable[[str], None]) -> None:
        self._rest = rest
        self._dry_run = dry_run
        self._say = say
        self.changes = 0

    def _call(self, request: Callable[[Any], Any]) -> Any:
        return self._rest.call(request)

    def _change(self, verb: str, what: str, action: Callable[[], Any]) -> Any:
        self.changes += 1
        self._say(f"{'would ' + verb if self._dry_run else verb + 'd'} {what}")
        return None if self._dry_run else action()

    def ensure(self, kind: str, name: str, existing: list[Any], wanted: dict[str, Any],
               create: Callable[[], Any], update: Callable[[Any], Any]) -> str:
        """The SID of the ``kind`` named ``name``, created or updated to ``wanted``."""
        found = next((item for item in existing if item.friendly_name == name), None)
        if found is None:
            made = self._change("create", f"{kind} {name!r}", create)
            return made.sid if made is not None else PENDING
        differs = [field for field, value in wanted.items() if _value(found, field) != value]
        if differs:
            self._change("update", f"{kind} {name!r} ({', '.join(differs)})",
                         lambda: update(found))
        else:
            self._say(f"unchanged {kind} {name!r} {found.sid}")
        return found.sid

    def workspace(self) -> str:
        workspaces = self._call(lambda c: c.taskrouter.v1.workspaces.list(
            friendly_name=WORKSPACE_NAME))
        return self.ensure("Workspace", WORKSPACE_NAME, workspaces, {},
                           lambda: self._call(lambda c: c.taskrouter.v1.workspaces.create(
                               friendly_name=WORKSPACE_NAME, template="NONE")),
                           lambda found: None)

    def activities(self, ws: str) -> dict[str, str]:
        existing = [] if ws == PENDING else self._call(
            lambda c: c.taskrouter.v1.workspaces(ws).activities.list())
        wanted = BASE_ACTIVITIES + tuple((code, False) for code in REASON_CODES)
        sids = {}
        for name, available in wanted:
            found = next((a for a in existing if a.friendly_name == name), None)
            if found is not None and found.available != available:
                # Twilio fixes `available` at creation: the activity must be made anew.
                self._say(f"cannot fix Activity {name!r}: it is "
                          f"{'' if found.available else 'not '}available; delete it and re-run")
            sids[name] = self.ensure(
                "Activity", name, existing, {},
                lambda name=name, available=available: self._call(
                    lambda c: c.taskrouter.v1.workspaces(ws).activities.create(
                        friendly_name=name, available=available)),
                lambda found: None)
        return sids

    def workspace_timeout(self, ws: str, offline: str) -> None:
        if ws == PENDING:
            self._change("update", "Workspace timeout activity (Offline)", lambda: None)
            return
        workspace = self._call(lambda c: c.taskrouter.v1.workspaces(ws).fetch())
        self.ensure("Workspace", WORKSPACE_NAME, [workspace],
                    {"timeout_activity_sid": offline, "default_activity_sid": offline},
                    lambda: None,
                    lambda found: self._call(lambda c: c.taskrouter.v1.workspaces(ws).update(
                        timeout_activity_sid=offline, default_activity_sid=offline)))

    def queue(self, ws: str) -> str:
        existing = [] if ws == PENDING else self._call(
            lambda c: c.taskrouter.v1.workspaces(ws).task_queues.list(friendly_name=QUEUE_NAME))
        wanted = {"target_workers": "1==1"}
        return self.ensure(
            "TaskQueue", QUEUE_NAME, existing, wanted,
            lambda: self._call(lambda c: c.taskrouter.v1.workspaces(ws).task_queues.create(
                friendly_name=QUEUE_NAME, **wanted)),
            lambda found: self._call(lambda c: c.taskrouter.v1.workspaces(ws).task_queues(
                found.sid).update(**wanted)))

    def workflow(self, ws: str, queue: str, callback_url: str) -> str:
        existing = [] if ws == PENDING else self._call(
            lambda c: c.taskrouter.v1.workspaces(ws).workflows.list(friendly_name=WORKFLOW_NAME))
        wanted = {"configuration": workflow_configuration(queue),
                  "assignment_callback_url": callback_url,
                  "task_reservation_timeout": RESERVATION_TIMEOUT}
        return self.ensure(
            "Workflow", WORKFLOW_NAME, existing, wanted,
            lambda: self._call(lambda c: c.taskrouter.v1.workspaces(ws).workflows.create(
                friendly_name=WORKFLOW_NAME, **wanted)),
            lambda found: self._call(lambda c: c.taskrouter.v1.workspaces(ws).workflows(
                found.sid).update(**wanted)))

    def workers(self, ws: str, identities: tuple[str, ...]) -> None:
        existing = [] if ws == PENDING else self._call(
            lambda c: c.taskrouter.v1.workspaces(ws).workers.list())
        for identity in identities:
            current: dict[str, Any] = {}
            found = next((w for w in existing if w.friendly_name == identity), None)
            if found is not None:  # lists omit attributes: fetch each
                current = json.loads(self._call(
                    lambda c, sid=found.sid: c.taskrouter.v1.workspaces(ws).workers(
                        sid).fetch()).attributes or "{}")
            attributes = json.dumps({"languages": ["en"], **current,
                                     "contact_uri": f"client:{identity}", "name": identity},
                                    sort_keys=True)
            self.ensure(
                "Worker", identity, [_WithAttributes(found, current)] if found else [],
                {"attributes": json.loads(attributes)},
                lambda identity=identity, attributes=attributes: self._call(
                    lambda c: c.taskrouter.v1.workspaces(ws).workers.create(
                        friendly_name=identity, attributes=attributes)),
                lambda found, attributes=attributes: self._call(
                    lambda c: c.taskrouter.v1.workspaces(ws).workers(found.sid).update(
                        attributes=attributes)))


class _WithAttributes:
    """A listed worker with its fetched attributes, decoded, for comparing."""

    def __init__(self, worker: Any, attributes: dict[str, Any]) -> None:
        self.sid, self.friendly_name, self.attributes = worker.sid, worker.friendly_name, attributes


def _value(found: Any, field: str) -> Any:
    value = getattr(found, field)
    if field == "configuration" and isinstance(value, str):
        return json.dumps(json.loads(value), sort_keys=True)
    return value


def workflow_configuration(queue_sid: str) -> str:
    """Every call to the main queue; one with a ``language`` first to those who speak it."""
    return json.dumps({"task_routing": {
        "filters": [{"filter_friendly_name": "Caller's language", "expression": "language != ''",
                     "targets": [{"queue": queue_sid, "timeout": LANGUAGE_TIMEOUT,
                                  "expression": "worker.languages HAS task.language"},
                                 {"queue": queue_sid}]}],
        "default_filter": {"queue": queue_sid}}}, sort_keys=True)


def provision(settings: Settings, *, dry_run: bool = False,
              say: Callable[[str], None] = print) -> tuple[dict[str, str], int]:
    """Set up (or check) TaskRouter; return the environment's SIDs and how many changes.

    Raises:
        TwilioRestError: Twilio refused a request or could not be reached.
    """
    steps = Provisioner(TwilioRest(settings), dry_run=dry_run, say=say)
    ws = steps.workspace()
    activities = steps.activities(ws)
    steps.workspace_timeout(ws, activities["Offline"])
    queue = steps.queue(ws)
    workflow = steps.workflow(ws, queue, settings.public_url.rstrip("/") + "/taskrouter/assignment")
    steps.workers(ws, settings.agents)
    return {"TWILIO_WORKSPACE_SID": ws, "TWILIO_WORKFLOW_SID": workflow}, steps.changes


def main(argv: list[str]) -> int:
    """The command line: returns the exit status (2 for bad settings, 1 if Twilio failed)."""
    parser = argparse.ArgumentParser(
        prog="python -m server provision",
        description="Create or update the TaskRouter workspace, activities, queue, workflow "
                    "and workers; print the SIDs to put in the environment.")
    parser.add_argument("--dry-run", action="store_true", help="only print what would change")
    arguments = parser.parse_args(argv)
    try:
        settings = load_settings(os.environ)
        sids, changes = provision(settings, dry_run=arguments.dry_run)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except TwilioRestError as error:
        print(f"Twilio refused or could not be reached: {error}", file=sys.stderr)
        return 1
    print(f"{changes} change{'s' if changes != 1 else ''}"
          f"{' to make' if arguments.dry_run else ' made'}; put these in the environment:")
    for name, sid in sids.items():
        print(f"{name}={sid}")
    return 0
