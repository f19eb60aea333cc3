"""What the toolbar's page shows for a given machine state (the view model).

Browser-free. ``present(machine)`` returns a plain dict the view (toolbar/view.py) copies
into the DOM, so what the agent sees in each state is decided, and tested, here.

Public names: present.
"""

from toolbar import states

_LABELS = {
    states.AVAILABLE: "Available",
    states.GOING_AVAILABLE: "Connecting…",
    states.RECONNECTING: "Reconnecting…",
    states.GOING_UNAVAILABLE: "Disconnecting…",
}
_PRESENCE = {
    states.OFFLINE: "pending",
    states.INITIALIZING: "pending",
    states.UNAVAILABLE: "unavailable",
    states.GOING_AVAILABLE: "pending",
    states.AVAILABLE: "available",
    states.RECONNECTING: "pending",
    states.GOING_UNAVAILABLE: "pending",
    states.ERROR: "error",
}


def present(machine, calls=None):
    """Return the view model of ``machine`` (an AgentMachine).

    Keys: ``phase``; ``pressed`` (the toggle's aria-pressed: the agent's intent);
    ``label`` (the toggle's text: "Available" only while truly available); ``disabled``
    (the toggle, while starting or in a transition); ``busy``; ``presence`` (the dot:
    available, unavailable, pending, error); ``status``, ``tone`` and ``failure`` (the
    ``#status`` line); ``agent``; ``ready``; ``call`` (present_call).
    """
    phase = machine.phase
    return {
        "phase": phase,
        "pressed": bool(machine.wants_available) and machine.ready,
        "label": _LABELS.get(phase, "Unavailable"),
        "disabled": not machine.ready or machine.transitioning,
        "busy": phase in (states.OFFLINE, states.INITIALIZING) or machine.transitioning,
        "presence": _PRESENCE[phase],
        "status": machine.status.text,
        "tone": machine.status.tone,
        "failure": machine.status.kind,
        "agent": machine.agent_id or "",
        "ready": machine.ready,
        "call": present_call(calls, machine.available),
    }


def present_call(calls, available):
    """The call panel's model: ``state`` (``idle`` or a calldefs phase), ``direction``,
    ``number``, ``name`` (Fusion's contact name, if any), ``muted``, ``can_dial``."""
    call = calls.current if calls is not None else None
    if call is None:
        return {"state": "idle", "direction": "", "number": "", "name": "", "muted": False,
                "can_dial": bool(available)}
    out = call.out_data or {}
    extra = call.extra or {}
    name = out.get("SVCMCA_CONTACT_NAME") or extra.get("SVCMCA_DISPLAY_NAME") or ""
    return {"state": call.phase, "direction": call.direction, "number": call.number,
            "name": "" if name == call.number else str(name), "muted": call.muted,
            "can_dial": False}
