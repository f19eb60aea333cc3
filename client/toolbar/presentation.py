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


def present(machine):
    """Return the view model of ``machine`` (an AgentMachine).

    Keys: ``phase``; ``pressed`` (the toggle's aria-pressed: the agent's intent);
    ``label`` (the toggle's text: "Available" only while truly available); ``disabled``
    (the toggle, while starting or in a transition); ``busy``; ``presence`` (the dot:
    available, unavailable, pending, error); ``status``, ``tone`` and ``failure`` (the
    ``#status`` line); ``agent``; ``ready``.
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
    }
