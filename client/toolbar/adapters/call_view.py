"""CallView: the call panel of the toolbar's page (client/index.html), drawn from the model.

DOM contract (tests and scripts rely on it):
- ``#call-panel[data-call-state]``: ``idle`` or a call phase (toolbar/core/calldefs.py: ringing,
  connecting, dialing, active); ``[data-direction]`` inbound/outbound while a call is live.
- ``#call-info`` (hidden when idle): ``#caller`` (the other party's number),
  ``#caller-name`` (Fusion's contact name, if any), ``#call-timer`` (mm:ss since connected).
- ``#answer``, ``#decline`` (an incoming call ringing), ``#hangup`` (any live call; it also
  cancels an outbound call still ringing), ``#mute`` (``aria-pressed``, connected calls).
- ``#keypad`` with ``button[data-digit]`` 0-9 * #: DTMF during a connected call.
- ``#dial-form``: ``#dial-number`` and ``#dial-button`` (enabled while available, no call).

Public names: CallView.
"""

from toolbar.adapters import ffi

_BUTTONS = ("answer", "decline", "hangup", "mute")


class CallView:
    """Bind the call panel's controls to the core's Toolbar; render."""

    def __init__(self, document, toolbar, apply, on_bug) -> None:
        self._document = document
        self._toolbar = toolbar
        self._apply = apply
        self._panel = ffi.call_now(document, "querySelector", "#call-panel")
        self._shown = {}
        self._since = None
        self._ticker = None
        self._callbacks = [ffi.callback(self._on_click, on_bug),
                           ffi.callback(self._on_submit, on_bug),
                           ffi.callback(lambda: self._tick(), on_bug)]
        ffi.call_now(self._panel, "addEventListener", "click", self._callbacks[0])
        ffi.call_now(self._element("dial-form"), "addEventListener", "submit", self._callbacks[1])

    def render(self, call: dict) -> None:
        """Show ``call`` (presentation.present_call)."""
        state = call["state"]
        idle = state == "idle"
        self._set("state", state, lambda v: ffi.call_now(self._panel, "setAttribute", "data-call-state", v))
        self._set("direction", call["direction"],
                  lambda v: ffi.call_now(self._panel, "setAttribute", "data-direction", v))
        self._set("number", call["number"], lambda v: self._text("caller", v))
        self._set("name", call["name"], lambda v: self._text("caller-name", v))
        self._set("muted", call["muted"], lambda v: ffi.call_now(self._element("mute"), "setAttribute", 
            "aria-pressed", "true" if v else "false"))
        self._set("can_dial", call["can_dial"],
                  lambda v: ffi.put(self._element("dial-button"), "disabled", not v))
        ringing_in = state == "ringing" and call["direction"] == "inbound"
        visible = {"call-info": not idle, "answer": ringing_in, "decline": ringing_in,
                   "hangup": not idle and not ringing_in, "mute": state == "active",
                   "keypad": state == "active"}
        for element_id, shown in visible.items():
            self._set("show-" + element_id, shown,
                      lambda v, i=element_id: ffi.put(self._element(i), "hidden", not v))
        self._set("active", state == "active", self._timer)

    # ---- Events ----

    def _on_click(self, event):
        button = ffi.call_now(ffi.get(event, "target"), "closest", "button")
        if ffi.is_missing(button):
            return
        digit = ffi.call_now(button, "getAttribute", "data-digit")
        toolbar = self._toolbar
        if not ffi.is_missing(digit):
            self._apply(toolbar.send_digit(str(digit)))
            return
        handlers = {"answer": toolbar.answer, "decline": toolbar.decline,
                    "hangup": toolbar.hang_up, "mute": toolbar.toggle_mute}
        handler = handlers.get(str(ffi.get(button, "id")))
        if handler is not None:
            self._apply(handler())

    def _on_submit(self, event):
        ffi.call_now(event, "preventDefault")
        number = str(ffi.get(self._element("dial-number"), "value") or "")
        if number.strip():
            self._apply(self._toolbar.dial(number))

    # ---- The timer ----

    def _timer(self, active):
        if active:
            self._since = _now()
            self._text("call-timer", "00:00")
            self._ticker = ffi.call_now(ffi.window, "setInterval", self._callbacks[2], 500)
        elif self._ticker is not None:
            ffi.call_now(ffi.window, "clearInterval", self._ticker)
            self._ticker = None

    def _tick(self):
        seconds = int((_now() - self._since) // 1000)
        self._text("call-timer", _two(seconds // 60) + ":" + _two(seconds % 60))

    # ---- Helpers ----

    def _element(self, element_id):
        return ffi.call_now(self._document, "getElementById", element_id)

    def _text(self, element_id, text):
        ffi.put(self._element(element_id), "textContent", text)

    def _set(self, key, value, write):
        if key in self._shown and self._shown[key] == value:
            return
        self._shown[key] = value
        write(value)


def _now():
    return ffi.call_now(ffi.get(ffi.window, "Date"), "now")


def _two(number):
    return ("0" + str(number))[-2:]
