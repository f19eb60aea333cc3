"""ToolbarView: the toolbar's DOM (client/index.html), drawn from the view model.

The page's contract, relied on by Fusion's users and by the tests:
- ``#availability-toggle``: a button with ``aria-pressed`` (the agent's intent) whose text is
  the state ("Available", "Unavailable", "Connecting…"); ``aria-disabled`` while starting
  or in a transition (it keeps keyboard focus; clicks are ignored meanwhile).
- ``#status``: ``role=status``, ``aria-live=polite``; ``data-tone`` (info, ok, warn, error)
  and ``data-failure`` (the failure kind of toolbar/core/messages.py, or empty).
- ``#reason``: a select of the not-ready reasons, ``option[value=<code>]`` (``""``: none);
  choosing one makes the agent unavailable for it; ``aria-disabled`` as the toggle's.
- ``#wrapup-panel`` (hidden but in wrap-up) with ``#wrapup-left`` (the countdown) and
  ``#wrapup-done`` (ends the wrap-up).
- ``#agent-id``: the Fusion agent id.
- ``#toolbar``: ``data-phase`` (toolbar/core/states.py phases, or ``wrap-up``),
  ``data-presence``, ``data-reason`` (the chosen reason's code, or empty), ``aria-busy``,
  ``data-python`` (``cpython`` on Pyodide, ``micropython``) once Python runs.
- ``html[lang]``: the language the toolbar speaks; elements' ``data-text``, ``data-label``
  and ``data-title`` name the catalog messages of their text, aria-label and title.
- ``#call-panel`` and its controls: see toolbar/adapters/call_view.py.
- ``body[data-ready="true"]``: start-up is over and the toolbar accepts actions.

Public names: ToolbarView.
"""

import sys

from toolbar.adapters import ffi
from toolbar.adapters.call_view import CallView
from toolbar.core import messages

# Attributes naming a catalog message, and what each fills (None: the text).
_TRANSLATED = (("data-text", None), ("data-label", "aria-label"), ("data-title", "title"))


class ToolbarView:
    """Bind the toggle, the reasons, the wrap-up and the call panel to the core's Toolbar;
    render view models."""

    def __init__(self, document, toolbar, apply, *, on_bug, language: str) -> None:
        self._document = document
        self._body = ffi.get(document, "body")
        self._root = _require(document, "#toolbar")
        self._toggle = _require(document, "#availability-toggle")
        self._label = _require(document, "#availability-label")
        self._status = _require(document, "#status")
        self._agent = _require(document, "#agent-id")
        self._reason = _require(document, "#reason")
        self._wrapup = _require(document, "#wrapup-panel")
        self._wrapup_left = _require(document, "#wrapup-left")
        self._shown = {}
        _translate(document, language)
        # Python runs: boot.js's watchdog stands down; tests read which interpreter it is.
        ffi.call_now(self._root, "setAttribute", "data-python", sys.implementation.name)
        self._apply = apply
        self._toolbar = toolbar
        listeners = [
            (self._toggle, "click", lambda event: apply(toolbar.toggle())),
            (self._reason, "change", self._on_reason),
            (_require(document, "#wrapup-done"), "click",
             lambda event: apply(toolbar.finish_wrapup())),
        ]
        self._callbacks = []
        for element, event, function in listeners:
            self._callbacks.append(ffi.callback(function, on_bug))
            ffi.call_now(element, "addEventListener", event, self._callbacks[-1])
        self._calls = CallView(document, toolbar, apply, on_bug)

    def _on_reason(self, event):
        # Whatever the core decides, the select shows the model's reason afterwards (a
        # refused choice snaps back), so forget what was shown.
        self._shown.pop("reason", None)
        self._apply(self._toolbar.choose_reason(str(ffi.get(self._reason, "value") or "")))

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
        self._set("reasons", model["reasons"], self._options)
        self._set("reason", model["reason"], self._show_reason)
        self._set("reason-disabled", model["disabled"], lambda off: ffi.call_now(
            self._reason, "setAttribute", "aria-disabled", _bool(off)))
        self._set("wrapup", model["wrapup"], lambda on: ffi.put(self._wrapup, "hidden", not on))
        self._set("wrapup-left", model["wrapup_left"],
                  lambda text: _set_text(self._wrapup_left, text))
        self._calls.render(model["call"])
        if model["ready"]:
            self._set("ready", True, lambda ready: ffi.call_now(self._body, "setAttribute", "data-ready", "true"))

    def _options(self, reasons):
        """The select's options: none, then each reason (written once: they never change);
        no reasons configured, no select."""
        ffi.put(self._reason, "hidden", not reasons)
        ffi.put(self._reason, "textContent", "")
        for code, label in [("", messages.text("reason.none"))] + list(reasons):
            option = ffi.call_now(self._document, "createElement", "option")
            ffi.put(option, "value", code)
            ffi.put(option, "textContent", label)
            ffi.call_now(self._reason, "append", option)

    def _show_reason(self, code):
        ffi.put(self._reason, "value", code)
        ffi.call_now(self._root, "setAttribute", "data-reason", code)

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


def _translate(document, language):
    """Set ``html[lang]`` and fill every element's words from the catalog."""
    ffi.call_now(ffi.get(document, "documentElement"), "setAttribute", "lang", language)
    elements = ffi.call_now(document, "querySelectorAll", "[data-text], [data-label], [data-title]")
    for index in range(int(ffi.get(elements, "length"))):
        element = ffi.call_now(elements, "item", index)
        for attribute, target in _TRANSLATED:
            key = ffi.call_now(element, "getAttribute", attribute)
            if ffi.is_missing(key):
                continue
            if target is None:
                _set_text(element, messages.text(str(key)))
            else:
                ffi.call_now(element, "setAttribute", target, messages.text(str(key)))


def _set_text(element, text):
    ffi.put(element, "textContent", text)


def _bool(value):
    return "true" if value else "false"
