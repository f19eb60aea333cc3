"""ToolbarView: the toolbar's DOM (client/index.html), drawn from the view model.

The page's contract, relied on by Fusion's users and by the tests:
- ``#availability-toggle``: a button with ``aria-pressed`` (the agent's intent) whose text is
  the state ("Available", "Unavailable", "Connecting…"); ``aria-disabled`` while starting
  or in a transition (it keeps keyboard focus; clicks are ignored meanwhile).
- ``#status``: ``role=status``, ``aria-live=polite``; ``data-tone`` (info, ok, warn, error)
  and ``data-failure`` (the failure kind of toolbar/core/messages.py, or empty).
- ``#agent-id``: the Fusion agent id.
- ``#toolbar``: ``data-phase`` (toolbar/core/states.py phases), ``data-presence``, ``aria-busy``,
  ``data-python`` (``cpython`` on Pyodide, ``micropython``) once Python runs.
- ``#call-panel`` and its controls: see toolbar/adapters/call_view.py.
- ``body[data-ready="true"]``: start-up is over and the toolbar accepts actions.

Public names: ToolbarView.
"""

import sys

from toolbar.adapters import ffi
from toolbar.adapters.call_view import CallView


class ToolbarView:
    """Bind the toggle and the call panel to the core's Toolbar; render view models."""

    def __init__(self, document, toolbar, apply, *, on_bug) -> None:
        self._body = ffi.get(document, "body")
        self._root = _require(document, "#toolbar")
        self._toggle = _require(document, "#availability-toggle")
        self._label = _require(document, "#availability-label")
        self._status = _require(document, "#status")
        self._agent = _require(document, "#agent-id")
        self._shown = {}
        # Python runs: boot.js's watchdog stands down; tests read which interpreter it is.
        ffi.call_now(self._root, "setAttribute", "data-python", sys.implementation.name)
        self._click = ffi.callback(lambda event: apply(toolbar.toggle()), on_bug)
        ffi.call_now(self._toggle, "addEventListener", "click", self._click)
        self._calls = CallView(document, toolbar, apply, on_bug)

    def render(self, model: dict) -> None:
        """Show ``model`` (Toolbar.present); only what changed is written, so the
        ``aria-live`` region announces a status line once."""
        self._set("pressed", model["pressed"],
                  lambda on: ffi.call_now(self._toggle, "setAttribute", "aria-pressed", _bool(on)))
        self._set("disabled", model["disabled"],
                  lambda off: ffi.call_now(self._toggle, "setAttribute", "aria-disabled", _bool(off)))
        self._set("label", model["label"], lambda text: _set_text(self._label, text))
        self._set("status", model["status"], lambda text: _set_text(self._status, text))
        self._set("tone", model["tone"], lambda tone: ffi.call_now(self._status, "setAttribute", "data-tone", tone))
        self._set("failure", model["failure"],
                  lambda kind: ffi.call_now(self._status, "setAttribute", "data-failure", kind))
        self._set("agent", model["agent"], lambda agent: _set_text(self._agent, agent or "…"))
        self._set("phase", model["phase"],
                  lambda phase: ffi.call_now(self._root, "setAttribute", "data-phase", phase))
        self._set("presence", model["presence"],
                  lambda presence: ffi.call_now(self._root, "setAttribute", "data-presence", presence))
        self._set("busy", model["busy"],
                  lambda busy: ffi.call_now(self._root, "setAttribute", "aria-busy", _bool(busy)))
        self._calls.render(model["call"])
        if model["ready"]:
            self._set("ready", True, lambda ready: ffi.call_now(self._body, "setAttribute", "data-ready", "true"))

    def _set(self, key, value, write):
        if key in self._shown and self._shown[key] == value:
            return
        self._shown[key] = value
        write(value)


def _require(document, selector):
    element = ffi.call_now(document, "querySelector", selector)
    if ffi.is_missing(element):
        raise ValueError("the toolbar page has no " + selector)
    return element


def _set_text(element, text):
    ffi.put(element, "textContent", text)


def _bool(value):
    return "true" if value else "false"
