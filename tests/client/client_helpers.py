"""Shared helpers of the core tests (no pytest: MicroPython runs them too)."""

from toolbar.core import effects as fx
from toolbar.core import states
from toolbar.core.effects import Effect
from toolbar.core.machine import AgentMachine
from toolbar.core.toolbar import Toolbar


def kinds(effects):
    return [effect.kind for effect in effects]


def only(effects, kind):
    """Return the one effect of ``kind`` in ``effects``."""
    found = [effect for effect in effects if effect.kind == kind]
    assert len(found) == 1, "expected one " + kind + " in " + repr(effects)
    return found[0]


def publishes(effects):
    """The availability each PUBLISH_AGENT_STATE effect tells Fusion, in order."""
    return [effect.available for effect in effects if effect.kind == fx.PUBLISH_AGENT_STATE]


def publish_id(effects):
    """The id of the one PUBLISH_AGENT_STATE in ``effects``."""
    return only(effects, fx.PUBLISH_AGENT_STATE).publish


def ready_machine(register_timeout_ms=20000, machine=None):
    """A machine that has started and told Fusion the agent is unavailable."""
    machine = machine or AgentMachine(register_timeout_ms=register_timeout_ms)
    assert machine.start() == [Effect(fx.CONNECT_FUSION)]
    effects = machine.fusion_connected("alice_agent", "fa-jwt", 0)
    assert publishes(effects) == [False]
    assert machine.agent_state_published(publish_id(effects)) == []
    assert machine.phase == states.UNAVAILABLE
    return machine


def registering_machine(machine=None):
    """A ready machine whose agent clicked the toggle; returns (machine, device)."""
    machine = ready_machine(machine=machine)
    fetch = only(machine.toggle(), fx.FETCH_TOKEN)
    start = only(machine.token_received(fetch.request, "token-1"), fx.START_DEVICE)
    return machine, start.device


def available_machine(machine=None):
    """A machine whose Device registered; returns (machine, device)."""
    machine, device = registering_machine(machine)
    effects = machine.device_registered(device)
    assert publishes(effects) == [True]
    machine.agent_state_published(publish_id(effects))
    assert machine.phase == states.AVAILABLE
    return machine, device


def available_toolbar(**options):
    """A Toolbar (of ``options``) whose agent machine is available; returns (toolbar, device)."""
    toolbar = Toolbar(**options)
    _, device = available_machine(toolbar.agent)
    return toolbar, device
