"""What the toolbar's page shows for a given state of the core (the view model).

Browser-free. ``present(machine, calls, status)`` returns a plain dict the views
(toolbar/adapters/view.py) copy into the DOM, so what the agent sees in each state is
decided, and tested, here.

Public names: present, present_call.
"""

from toolbar.core import messages
from toolbar.core import states

_LABELS = {
    states.AVAILABLE: "label.available",
    states.GOING_AVAILABLE: "label.connecting",
    states.RECONNECTING: "label.reconnecting",
    states.GOING_UNAVAILABLE: "label.disconnecting",
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


# data-phase while the agent is in after-call work (over the machine's phase).
WRAP_UP = "wrap-up"


def present(machine, calls=None, status=None, reasons=()) -> dict:
    """Return the view model of ``machine`` (an AgentMachine), ``calls`` (its CallMachine),
    ``status`` (the status.Status shown; the machine's by default) and ``reasons`` (the
    ``[(code, label), ...]`` of ``#reason``).

    Keys: ``phase``; ``pressed`` (the toggle's aria-pressed: the agent's intent);
    ``label`` (the toggle's text: "Available" only while truly available); ``disabled``
    (the toggle, while starting or in a transition); ``busy``; ``presence`` (the dot:
    available, unavailable, pending, error); ``status``, ``tone`` and ``failure`` (the
    ``#status`` line); ``agent``; ``ready``; ``call`` (present_call); ``reasons``,
    ``reason`` (the chosen code, "" for none) of ``#reason``;
    ``wrapup`` (whether after-call work is under way: then ``phase`` and ``presence`` are
    ``wrap-up``) and ``wrapup_left`` (the countdown's words, "" when none).
    """
    phase = machine.phase
    status = status if status is not None else machine.status
    wrapup = machine.wrapup is not None
    labels = dict(reasons)
    reason = machine.reason if machine.reason in labels else None
    return {
        "phase": WRAP_UP if wrapup else phase,
        "pressed": bool(machine.wants_available) and machine.ready,
        "label": messages.text(_LABELS.get(phase, "label.unavailable")),
        "disabled": not machine.ready or machine.transitioning,
        "busy": phase in (states.OFFLINE, states.INITIALIZING) or machine.transitioning,
        "presence": WRAP_UP if wrapup else _PRESENCE[phase],
        "status": status.text,
        "tone": status.tone,
        "failure": status.kind,
        "agent": machine.agent_id or "",
        "ready": machine.ready,
        "call": present_call(calls, machine.available and not wrapup),
        "reasons": list(reasons),
        "reason": reason or "",
        "wrapup": wrapup,
        "wrapup_left": messages.text("wrapup.remaining", seconds=str(machine.wrapup_left))
        if wrapup else "",
    }


def present_call(calls, available: bool) -> dict:
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
