"""VendorHandler: Twilio's Voice SDK (``Twilio.Device``) through the FFI.

Named after Oracle's reference toolbar (src/ts/cti/vendor/vendorHandler.ts); implements
ICtiVendorHandler. It creates the one Device, hands its events and its calls' events to the
core's Toolbar tagged with the Device's number or the call's key, refreshes its token and
tears it down. It decides nothing: the core does.

Two SDK behaviours shape it (docs/twilio-signaling.md):
- ``register()`` may never settle (signaling unreachable) and rejects with ``undefined``;
  it is started with ``ffi.fire`` and the outcome read from the Device's events.
- After ``unregister()`` the SDK re-registers by itself on the next reconnect or
  ``updateToken``. Going unavailable therefore unregisters (politely, bounded by
  unregisterTimeoutMs) and then *destroys* the Device; a new one is made next time.
Operations run one at a time (a lock), so a stop never overtakes the start it undoes.

Public names: VendorHandler.
"""

import asyncio

from toolbar.adapters import ffi
from toolbar.adapters.cti_vendor_handler import ICtiVendorHandler
from toolbar.core import messages
from toolbar.core.errors import CallError
from toolbar.core.errors import Failure
from toolbar.tasks import spawn


class _Device:
    """One Twilio Device, the number the core gave it, and the callbacks it holds."""

    def __init__(self, number: int, device) -> None:
        self.number = number
        self.device = device
        self.callbacks = []


class _Call:
    """One Twilio Call, the core's key for it, and the callbacks it holds."""

    def __init__(self, key: str, call) -> None:
        self.key = key
        self.call = call
        self.callbacks = []


class VendorHandler(ICtiVendorHandler):
    """The Twilio side of the toolbar: at most one ``Twilio.Device`` at a time."""

    def __init__(self, settings, toolbar, apply, *, on_bug) -> None:
        self._settings = settings
        self._toolbar = toolbar
        self._apply = apply
        self._on_bug = on_bug
        self._device = None
        self._lock = asyncio.Lock()
        self._calls = {}  # key -> _Call
        self._tasks = set()

    # ---- The Device ----

    async def make_agent_available(self, device: int, token: str) -> None:
        async with self._lock:
            if self._device is not None:  # the core never asks, but one Device, always
                await self._shut_down(self._device)
                self._device = None
            options = self._settings.device_options(self._sounds_url())
            try:
                twilio_device = await ffi.construct(ffi.get(ffi.window, "Twilio"), "Device",
                                                    token, ffi.js_object(options))
            except ffi.JsError as error:
                raise Failure(messages.DEVICE_FAILED, error.message) from None
            slot = _Device(device, twilio_device)
            self._listen(slot)
            self._device = slot
            # Not awaited: it may never settle. "registered" or "error" tells the outcome.
            ffi.fire(twilio_device, "register")

    async def update_token(self, device: int, token: str) -> None:
        async with self._lock:
            slot = self._device
            if slot is None or slot.number != device:
                return
            try:
                await ffi.call(slot.device, "updateToken", token)
            except ffi.JsError as error:
                raise Failure(messages.REFRESH_FAILED, error.message) from None

    async def make_agent_unavailable(self, device: int) -> None:
        async with self._lock:
            slot = self._device
            if slot is None or slot.number != device:
                return
            self._device = None
            await self._shut_down(slot)

    # ---- Calls ----

    async def dial(self, call: str, device: int, number: str) -> None:
        """device.connect({params: {To: number}}); the outcome arrives as Call events."""
        slot = self._device
        if slot is None or slot.number != device:
            raise CallError(None, "NotAvailable", "no registered Device")
        try:
            twilio_call = await ffi.call(slot.device, "connect",
                                         ffi.js_object({"params": {"To": number}}))
        except ffi.JsError as error:
            raise CallError(error.code, error.name, error.message) from None
        self._watch(_Call(call, twilio_call))

    async def call_action(self, call: str, action: str, value=None) -> None:
        """Call ``action`` (accept, reject, disconnect, mute, sendDigits) on Call ``call``."""
        record = self._calls.get(call)
        if record is None:
            return
        args = () if value is None else (value,)
        try:
            await ffi.call(record.call, action, *args)
        except ffi.JsError as error:
            raise CallError(error.code, error.name, error.message) from None

    # ---- Internals ----

    def _listen(self, slot):
        number, toolbar, send = slot.number, self._toolbar, self._apply

        def on_error(error, *call):
            send(toolbar.device_error(number, ffi.get(error, "code"),
                                      str(ffi.get(error, "message") or "")))

        def on_incoming(twilio_call, *rest):
            parameters = ffi.to_py(ffi.get(twilio_call, "parameters")) or {}
            key = str(parameters.get("CallSid") or "")
            if key:
                self._watch(_Call(key, twilio_call))
                send(toolbar.call_incoming(number, key, str(parameters.get("From") or "")))

        for event, function in (
                ("registering", lambda *a: send(toolbar.device_registering(number))),
                ("registered", lambda *a: send(toolbar.device_registered(number))),
                ("unregistered", lambda *a: send(toolbar.device_unregistered(number))),
                ("tokenWillExpire", lambda *a: send(toolbar.token_will_expire(number))),
                ("error", on_error), ("incoming", on_incoming)):
            self._on(slot.device, slot.callbacks, event, function)

    def _watch(self, record):
        self._calls[record.key] = record
        key, toolbar, send = record.key, self._toolbar, self._apply

        def ended(how):
            async def later():
                # After the current emit: the SDK emits "disconnect" *before* the "error"
                # that explains it (a microphone refused), and the error must come first.
                await asyncio.sleep(0)
                send(toolbar.call_ended(key, how))

            def report(*args):
                self._forget(key)
                spawn(later(), self._on_bug, self._tasks)
            return report

        def on_error(error, *rest):
            original = ffi.get(error, "originalError")
            code = ffi.get(original, "code") if original is not None else None
            send(toolbar.call_error(key, code if code is not None else ffi.get(error, "code"),
                                    str(ffi.get(error, "name") or ""),
                                    str(ffi.get(error, "message") or "")))

        for event, function in (
                ("accept", lambda *a: send(toolbar.call_accepted(key))),
                ("ringing", lambda *a: send(toolbar.call_ringing(key))),
                ("messageReceived", lambda message, *a: send(toolbar.call_message(
                    key, str(ffi.get(message, "content") or "")))),
                ("mute", lambda muted, *a: send(toolbar.call_muted(key, bool(muted)))),
                ("error", on_error), ("disconnect", ended("disconnect")),
                ("cancel", ended("cancel")), ("reject", ended("reject"))):
            self._on(record.call, record.callbacks, event, function)

    def _forget(self, key):
        record = self._calls.pop(key, None)
        if record is not None:
            callbacks, record.callbacks = record.callbacks, []
            # Released later: the SDK is still inside the emit that called us.
            spawn(_release_later(callbacks), self._on_bug, self._tasks)

    def _on(self, target, callbacks, event, function):
        callback = ffi.callback(function, self._on_bug)
        callbacks.append(callback)
        ffi.call_now(target, "on", event, callback)

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
        if not base:
            return None
        url = ffi.construct_now(ffi.window, "URL", base,
                                ffi.get(ffi.document, "baseURI"))
        return str(ffi.get(url, "href"))


async def _release_later(callbacks):
    await asyncio.sleep(1)
    for callback in callbacks:
        ffi.release(callback)
