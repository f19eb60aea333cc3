"""Workflow configuration: Twilio's ``task_routing`` JSON, parsed and applied to a Task.

``{"task_routing": {"filters": [{"filter_friendly_name", "expression", "targets": [{"queue",
"expression", "timeout", "priority"}]}], "default_filter": {"queue"}}}``: the first filter
whose expression matches the Task's attributes gives its targets; a target with no queue
takes the previous target's; with no match, the default filter's queue (no timeout).

Public names: parse_configuration, targets_for.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.taskrouter.expressions import Expression
from sandbox.taskrouter.expressions import ExpressionError
from sandbox.taskrouter.expressions import parse
from sandbox.taskrouter.model import Target
from sandbox.taskrouter.model import TaskQueue
from sandbox.taskrouter.model import Workflow
from sandbox.twilio_rest.errors import invalid

Filters = list[tuple[Expression, tuple[Target, ...]]]
_MAX_TIMEOUT = 86_400 * 14


def parse_configuration(text: str,
                        queues: dict[str, TaskQueue]) -> tuple[Filters, Target | None]:
    """The filters and default target of a configuration.

    Raises:
        RestError: 400 if it is not such JSON, or names a queue the workspace lacks.
    """
    try:
        document = json.loads(text)
    except ValueError:
        raise invalid("Configuration is not JSON") from None
    routing = document.get("task_routing") if isinstance(document, dict) else None
    if not isinstance(routing, dict):
        raise invalid("Configuration must hold a task_routing object")
    filters: Filters = []
    for number, item in enumerate(_list(routing.get("filters", []), "filters")):
        if not isinstance(item, dict):
            raise invalid(f"filter {number} is not an object")
        expression = _expression(item.get("expression", "1==1"), f"filter {number}")
        targets: list[Target] = []
        for spec in _list(item.get("targets", []), f"filter {number} targets"):
            previous = targets[-1].queue_sid if targets else None
            targets.append(_target(spec, queues, previous))
        if not targets:
            raise invalid(f"filter {number} has no targets")
        filters.append((expression, tuple(targets)))
    default = routing.get("default_filter")
    default_target = _target(default, queues, None) if default is not None else None
    if default_target is not None and default_target.timeout is not None:
        default_target = Target(default_target.queue_sid, default_target.expression)
    return filters, default_target


def targets_for(workflow: Workflow, attributes: dict[str, Any]) -> tuple[Target, ...]:
    """The targets a Task with ``attributes`` goes through (empty: none, so it is canceled)."""
    for expression, targets in workflow.filters:
        if expression.matches(attributes, task=attributes):
            return targets
    return (workflow.default_target,) if workflow.default_target is not None else ()


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(f"{what} must be a list")
    return value


def _expression(text: object, what: str) -> Expression:
    if not isinstance(text, str):
        raise invalid(f"{what}: expression must be a string")
    try:
        return parse(text)
    except ExpressionError as error:
        raise invalid(f"{what}: {error}") from None


def _target(spec: object, queues: dict[str, TaskQueue], previous: str | None) -> Target:
    if not isinstance(spec, dict):
        raise invalid("a target must be an object")
    queue = spec.get("queue", previous)
    if not isinstance(queue, str) or queue not in queues:
        raise invalid(f"target queue {queue!r} is not a TaskQueue of this Workspace")
    timeout = spec.get("timeout")
    if timeout is not None and (not isinstance(timeout, int) or not 0 < timeout <= _MAX_TIMEOUT):
        raise invalid(f"target timeout must be a whole number of seconds, not {timeout!r}")
    priority = spec.get("priority")
    if priority is not None and not isinstance(priority, int):
        raise invalid(f"target priority must be a whole number, not {priority!r}")
    expression = spec.get("expression")
    return Target(queue, _expression(expression, "target") if expression is not None else None,
                  timeout, priority)


