"""VendorHandler: Twilio's Voice SDK (``Twilio.Device``) through the FFI.

Named after Oracle's reference toolbar (src/ts/cti/vendor/vendorHandler.ts); implements
ICtiVendorHandler. It creates the one Device, reports its events to the
IntegrationEventsHandler tagged with the Device's number, refreshes its token and tears it
down. It decides nothing: the state machine does.

Two SDK behaviours shape it (twilio-signaling.md §4, §6):
- ``register()`` may never settle (signaling unreachable) and rejects with ``undefined``;
  it is started with ``ffi.fire`` and the outcome read from the Device's events.
- After ``unregister()`` the SDK re-registers by itself on the next reconnect or
  ``updateToken``. Going unavailable therefore unregisters (politely, bounded by
  unregisterTimeoutMs) and then *destroys* the Device; a new one is made next time.
Operations run one at a time (a lock), so a stop never overtakes the start it undoes.
SDK reference: https://www.twilio.com/docs/voice/sdks/javascript/twiliodevice

Public names: VendorHandler.
"""

import asyncio

import js

from toolbar import ffi
from toolbar import messages
from toolbar.calldefs import CallError
from toolbar.cti_vendor_handler import ICtiVendorHandler
from toolbar.messages import Failure

# Device events and the IntegrationEventsHandler method each one calls.
_EVENTS = (
    ("registering", "device_registering"),
    ("registered", "device_registered"),
    ("unregistered", "device_unregistered"),
    ("tokenWillExpire", "token_will_expire"),
)


class _Slot:
    """One Twilio Device, its number and the callbacks it holds."""

    def __init__(self, number, device):
        self.number = number
        self.device = device
        self.callbacks = []


class VendorHandler(ICtiVendorHandler):
    """The Twilio side of the toolbar: at most one ``Twilio.Device`` at a time."""

    def __init__(self, settings, events, *, on_bug):
        self._settings = settings
        self._events = events
        self._on_bug = on_bug
        self._slot = None
        self._lock = asyncio.Lock()
        self._calls = {}  # key -> _Slot of a Twilio Call

    # ---- Calls ----

    async def dial(self, call, device, number):
        """device.connect({params: {To: number}}); the outcome arrives as Call events."""
        slot = self._slot
        if slot is None or slot.number != device:
            raise CallError(None, "NotAvailable", "no registered Device")
        try:
            twilio_call = await ffi.call(slot.device, "connect",
                                         ffi.js_object({"params": {"To": number}}))
        except ffi.JsError as error:
            raise CallError(error.code, error.name, error.message) from None
        self._watch(call, twilio_call, False)

    async def call_action(self, call, action, value=None):
        """Call ``action`` (accept, reject, disconnect, mute, sendDigits) on Call ``call``."""
        slot = self._calls.get(call)
        if slot is None:
            return
        args = () if value is None else (value,)
        try:
            await ffi.call(slot.device, action, *args)
        except ffi.JsError as error:
            raise CallError(error.code, error.name, error.message) from None

    def _incoming(self, device, twilio_call):
        parameters = ffi.to_py(ffi.get(twilio_call, "parameters")) or {}
        key = str(parameters.get("CallSid") or "")
        if not key:
            return
        self._watch(key, twilio_call, True)
        self._events.call_incoming(device, key, str(parameters.get("From") or ""))

    def _watch(self, key, twilio_call, inbound):
        slot = _Slot(key, twilio_call)
        self._calls[key] = slot
        events = self._events

        def ended(how):
            async def later():
                # After the current emit: the SDK emits "disconnect" *before* the "error"
                # that explains it (a microphone refused), and the error must come first.
                await asyncio.sleep(0)
                events.call_ended(key, how)

            def report(*args):
                self._forget(key)
                ffi.spawn(later(), self._on_bug)
            return report

        def on_error(error, *rest):
            original = ffi.get(error, "originalError")
            code = ffi.get(original, "code") if original is not None else None
            events.call_error(key, code if code is not None else ffi.get(error, "code"),
                              str(ffi.get(error, "name") or ""),
                              str(ffi.get(error, "message") or ""))

        handlers = (("accept", lambda *a: events.call_accepted(key)),
                    ("ringing", lambda *a: events.call_ringing(key)),
                    ("mute", lambda muted, *a: events.call_muted(key, bool(muted))),
                    ("error", on_error), ("disconnect", ended("disconnect")),
                    ("cancel", ended("cancel")), ("reject", ended("reject")))
        for event, function in handlers:
            self._on(slot, event, function)

    def _forget(self, key):
        slot = self._calls.pop(key, None)
        if slot is not None:
            callbacks, slot.callbacks = slot.callbacks, []
            # Released later: the SDK is still inside the emit that called us.
            ffi.spawn(_release_later(callbacks), self._on_bug)

    async def make_agent_available(self, device, token):
        async with self._lock:
            if self._slot is not None:  # the machine never asks, but one Device, always
                await self._shut_down(self._slot)
                self._slot = None
            options = self._settings.device_options(self._sounds_url())
            try:
                twilio_device = await ffi.construct(js.Twilio, "Device", token,
                                                    ffi.js_object(options))
            except ffi.JsError as error:
                raise Failure(messages.DEVICE_FAILED, error.message) from None
            slot = _Slot(device, twilio_device)
            self._listen(slot)
            self._slot = slot
            # Not awaited: it may never settle. "registered" or "error" tells the outcome.
            ffi.fire(twilio_device, "register")

    async def update_token(self, device, token):
        async with self._lock:
            slot = self._slot
            if slot is None or slot.number != device:
                return
            try:
                await ffi.call(slot.device, "updateToken", token)
            except ffi.JsError as error:
                raise Failure(messages.REFRESH_FAILED, error.message) from None

    async def make_agent_unavailable(self, device):
        async with self._lock:
            slot = self._slot
            if slot is None or slot.number != device:
                return
            self._slot = None
            await self._shut_down(slot)

    # ---- Internals ----

    def _listen(self, slot):
        number = slot.number
        for event, method in _EVENTS:
            self._on(slot, event, _reporter(getattr(self._events, method), number))

        def on_error(error, *call):
            self._events.device_error(number, ffi.get(error, "code"),
                                      str(ffi.get(error, "message") or ""))

        self._on(slot, "error", on_error)
        self._on(slot, "incoming", lambda twilio_call, *a: self._incoming(number, twilio_call))

    def _on(self, slot, event, function):
        callback = ffi.callback(function, self._on_bug)
        slot.callbacks.append(callback)
        slot.device.on(event, callback)

    async def _shut_down(self, slot):
        """Unregister (best effort, bounded), stop listening, destroy. Never raises."""
        device = slot.device
        if ffi.get(device, "state") == "registered":
            try:
                await ffi.call(device, "unregister",
                               timeout_ms=self._settings.unregister_timeout_ms)
            except ffi.JsError:
                pass  # signaling is down: destroy() below closes the socket all the same
        for step in ("removeAllListeners", "destroy"):
            try:
                await ffi.call(device, step)
            except ffi.JsError as error:
                self._on_bug(error)
        for callback in slot.callbacks:
            ffi.release(callback)
        slot.callbacks = []

    def _sounds_url(self):
        base = self._settings.twilio["soundsUrl"]
        return str(js.URL.new(base, ffi.document.baseURI).href) if base else None


async def _release_later(callbacks):
    await asyncio.sleep(1)
    for callback in callbacks:
        ffi.release(callback)


def _reporter(method, number):
    def report(*args):
        method(number)

    return report
