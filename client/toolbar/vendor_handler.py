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


def _reporter(method, number):
    def report(*args):
        method(number)

    return report
