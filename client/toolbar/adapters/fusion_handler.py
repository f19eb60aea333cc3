"""FusionHandler: every call to Oracle's UI Events Framework (UEF), and nothing else.

Named after Oracle's reference toolbar (src/ts/cti/fusion/fusionHandler.ts). It loads
Oracle's library from ``uefLibraryUrl``, initializes it, reads the agent's configuration
(agent id and faTrustToken), publishes, and hands Fusion's commands and events to the core's
Toolbar, whose effects answer them (``answer``). What each request carries is decided in
toolbar/core/payloads.py; the UEF facts it relies on are in docs/fusion-uef.md.

Every request to Fusion is bounded by ``uefTimeoutMs``: Oracle's ``publish()`` has no
timeout of its own, and a Fusion that never answers would otherwise leave the toolbar
waiting forever. Only UEF's asynchronous methods (initialize, the contexts, publish,
subscribe) are awaited: request factories, setters and getters answer at once, and every
await of a JS call costs 4 ms on MicroPython. Responses are read defensively (the typed
getters first, then the raw ``responseDetails`` some Fusion builds return), as third
parties found the shapes vary.

Public names: FusionHandler, FusionSession, apply_fields.
"""

import asyncio

from toolbar.adapters import ffi
from toolbar.core import messages
from toolbar.core import payloads
from toolbar.core.errors import Failure


class FusionSession:
    """What getConfiguration told us: the agent's id and the JWT for the token service."""

    def __init__(self, agent_id: str, fa_token: str) -> None:
        self.agent_id = agent_id
        self.fa_token = fa_token


class FusionHandler:
    """The Fusion side of the toolbar; ``apply`` carries out the Toolbar's effects."""

    def __init__(self, settings, toolbar, apply, *, on_bug) -> None:
        self._settings = settings
        self._toolbar = toolbar
        self._apply = apply
        self._on_bug = on_bug
        self._helper = None  # provider.requestHelper
        self._phone = None  # the PHONE channel context
        self._callbacks = []
        self._subscriptions = []
        self._pending = {}  # request id -> (response, its data) of a command Fusion awaits
        self._requests = 0
        self._setters = {}  # (operation, field names) -> the setters its requests have

    async def initialize(self) -> FusionSession:
        """Load UEF, connect to the PHONE channel, read the configuration, subscribe.

        Raises:
            Failure: UEF_LIBRARY, UEF_TIMEOUT, UEF_ERROR or UEF_CONFIGURATION.
        """
        framework = await self._load_library()
        try:
            provider = await self._uef(framework, "initialize", self._settings.application_name,
                                       "v1", what="initialize")
            self._helper = ffi.get(provider, "requestHelper")
            mca = await self._uef(provider, "getMultiChannelAdaptorContext")
            self._phone = await self._uef(mca, "getCommunicationChannelContext", payloads.CHANNEL)
            session = await self.configuration()
            # Independent requests: sent together rather than one round trip after another.
            self._subscriptions = await asyncio.gather(
                self._subscribe(payloads.ON_AGENT_COMMAND, self._on_agent_command),
                self._subscribe(payloads.ON_INTERACTION_COMMAND, self._on_interaction_command),
                self._subscribe(payloads.ON_OUTGOING, self._on_outgoing),
                self._subscribe(payloads.ON_DATA_UPDATED, self._on_data_updated))
        except ffi.JsError as error:  # a getter or setter of UEF's objects threw
            raise Failure(messages.UEF_ERROR, str(error)) from None
        return session

    async def configuration(self) -> FusionSession:
        """Publish getConfigurationOperation: the agent id and a new faTrustToken (Fusion
        mints one on every request).

        Raises:
            Failure: UEF_TIMEOUT, UEF_ERROR or UEF_CONFIGURATION.
        """
        response = await self._publish(payloads.GET_CONFIGURATION,
                                       payloads.configuration_request())
        try:
            return _read_configuration(response)
        except ffi.JsError as error:
            raise Failure(messages.UEF_ERROR, str(error)) from None

    async def publish_agent_state(self, fields: dict) -> None:
        """Publish agentStateEventOperation with ``fields`` (payloads.agent_state).

        Raises:
            Failure: UEF_TIMEOUT or UEF_ERROR.
        """
        await self._publish(payloads.AGENT_STATE, fields)

    async def publish_call(self, operation: str, fields: dict):
        """Publish a call operation (newCommEvent…); return the reply's outData (a dict).

        Raises:
            Failure: UEF_TIMEOUT or UEF_ERROR.
        """
        response = await self._publish(operation, fields)
        try:
            out_data = ffi.read(response, "getResponseData", "getOutData")
        except ffi.JsError:
            out_data = None
        out = ffi.to_py(out_data) if out_data is not None else None
        return out if isinstance(out, dict) else _raw_payload(response).get("outData")

    def answer(self, request: int, result: str, out_data=None) -> None:
        """Answer Fusion's pending command ``request`` (an ANSWER_FUSION effect)."""
        pending = self._pending.pop(request, None)
        if pending is None:
            return
        response, data, deferred = pending
        value = ffi.js_object({"result": payloads.FAILURE})
        try:
            value = _answered(response, data, result, out_data)
        finally:
            deferred.resolve(value)

    # ---- Fusion's commands and events ----

    async def _subscribe(self, event, handler):
        request = self._now(self._helper, "createSubscriptionRequest", event)
        if event in (payloads.ON_OUTGOING, payloads.ON_DATA_UPDATED):
            ffi.call_now(request, "setAppClassification", payloads.APP_CLASSIFICATION)
        callback = ffi.callback(handler, self._on_bug)
        self._callbacks.append(callback)
        return await self._uef(self._phone, "subscribe", request, callback, what="subscribe")

    def _on_agent_command(self, response):
        return self._command(response, lambda request, command, event_id:
                             self._toolbar.agent_command(request, command))

    def _on_interaction_command(self, response):
        return self._command(response, lambda request, command, event_id:
                             self._toolbar.interaction_command(request, command, event_id))

    def _command(self, response, decide):
        """A controllable event: UEF wants a real Promise of the answered response data,
        which the Toolbar's ANSWER_FUSION effect resolves, now or once the outcome is known."""
        deferred = ffi.deferred()
        self._requests += 1
        request = self._requests
        self._pending[request] = (response, None, deferred)
        try:
            data = _getter(response, "getResponseData")
            self._pending[request] = (response, data, deferred)
            raw = ffi.to_py(ffi.get(response, "responseDetails")) or {}
            command = _getter(data, "getCommand") or raw.get("command")
            event_id = _getter(data, "getEventId") or raw.get("eventId")
            self._apply(decide(request, command, event_id))
        except Exception:
            # Always answer, even after a bug: Fusion waits for this promise.
            self.answer(request, payloads.FAILURE)
            raise
        return deferred.promise

    def _on_outgoing(self, response):
        data = _event_data(response)
        self._apply(self._toolbar.outgoing(data.get("uuid"), data.get("outData") or {}))

    def _on_data_updated(self, response):
        # As UEF documents it (IMcaOnDataUpdatedEventData): updateType inside the output data.
        update_type = ffi.read(response, "getResponseData", "getOutputData", "getUpdateType")
        event_id = ffi.read(response, "getResponseData", "getEventId")
        if update_type is None or event_id is None:  # a build without the typed getters
            data = _event_data(response)
            update_type = update_type or (data.get("outData") or {}).get("updateType")
            event_id = event_id or data.get("eventId")
        self._apply(self._toolbar.data_updated(str(update_type or ""), str(event_id or "")))

    # ---- Requests ----

    async def _load_library(self):
        url = self._settings.uef_library_url
        try:
            await ffi.load_script(url, self._settings.uef_timeout_ms)
        except ffi.JsError as error:
            raise Failure(messages.UEF_LIBRARY, error.message) from None
        framework = ffi.get(ffi.get(ffi.window, "CX_SVC_UI_EVENTS_FRAMEWORK"), "uiEventsFramework")
        if framework is None:
            raise Failure(messages.UEF_LIBRARY, url + " defines no CX_SVC_UI_EVENTS_FRAMEWORK")
        return framework

    async def _publish(self, operation, fields):
        # Made and sent before the first await, so publishes reach Fusion in the order they
        # were asked for, and a Fusion slow to answer one does not hold back the next.
        request = self._now(self._helper, "createPublishRequest", operation)
        try:
            # The same for every request of an operation with these fields: asked once
            # (a reason's publish has a field the first one had not).
            shape = (operation,) + tuple(sorted(fields))
            setters = self._setters.get(shape)
            if setters is None:
                setters = ffi.methods(request, _SETTERS_OF_IN_DATA + tuple(
                    _setter(key) for key in fields if key != "inData"))
                self._setters[shape] = setters
            apply_fields(request, fields, setters)
        except ffi.JsError as error:
            raise Failure(messages.UEF_ERROR, operation + ": " + str(error)) from None
        response = await self._settle(self._start(self._phone, "publish", request,
                                                  what=operation), operation)
        try:
            succeeded, reason = _outcome(response)
        except ffi.JsError as error:
            raise Failure(messages.UEF_ERROR, operation + ": " + str(error)) from None
        if not succeeded:
            raise Failure(messages.UEF_ERROR, operation + ": " + _error_text(reason))
        return response

    async def _uef(self, target, method, *args, what=""):
        """Call a UEF method, at most uefTimeoutMs; JS failures become Failures."""
        return await self._settle(self._start(target, method, *args, what=what), what or method)

    def _now(self, target, method, *args):
        """Call one of UEF's synchronous methods; a JS failure becomes a Failure."""
        try:
            return ffi.call_now(target, method, *args)
        except ffi.JsError as error:
            raise Failure(messages.UEF_ERROR, method + ": " + error.message) from None

    def _start(self, target, method, *args, what=""):
        return ffi.begin(target, method, *args, timeout_ms=self._settings.uef_timeout_ms,
                         timeout_message=(what or method) + " got no answer from Fusion")

    async def _settle(self, pending, what):
        try:
            return await pending
        except ffi.JsError as error:
            if error.name == "TimeoutError":
                seconds = str(self._settings.uef_timeout_ms // 1000)
                raise Failure(messages.UEF_TIMEOUT, what + ": " + messages.text(
                    "detail.no-answer", seconds=seconds)) from None
            raise Failure(messages.UEF_ERROR, what + ": " + error.message) from None


_SETTERS_OF_IN_DATA = ("setInData", "getInData", "setInputData")


def _setter(key):
    return "set" + key[0].upper() + key[1:]


def apply_fields(request, fields: dict, setters: set) -> None:
    """Call the request's setter for each field (payloads' convention); skip ``None``.

    ``setters`` are the methods the request has. ``inData`` goes through ``setInData`` when
    the request has it (agent state), else one ``setInDataValueByAttribute`` per key on
    ``getInData()`` (calls), else ``setInputData``. A setter this UEF build lacks is skipped:
    Fusion then refuses the publish if it needed that field, with its own message. The
    request's own setters are called in one crossing.

    Raises:
        ffi.JsError: a setter threw.
    """
    calls = []
    for key, value in fields.items():
        if value is None:
            continue
        if key != "inData":
            if _setter(key) in setters:
                calls.append((_setter(key), (value,)))
        elif "setInData" in setters or "getInData" not in setters:
            calls.append(("setInData" if "setInData" in setters else "setInputData", (value,)))
        else:
            target = ffi.call_now(request, "getInData")
            ffi.call_each(target, [("setInDataValueByAttribute", (name, value[name]))
                                   for name in value])
    ffi.call_each(request, calls)


def _outcome(response):
    """Return ``(succeeded, error)`` of a publish response, typed getters first."""
    succeeded = ffi.read(response, "getResponseData", "isSuccess")
    if succeeded is not None:
        return bool(succeeded), ffi.read(response, "getResponseData", "getError")
    payload = _raw_payload(response)
    return payload.get("result", "success") == "success", payload.get("error")


def _read_configuration(response):
    agent_id = ffi.read(response, "getResponseData", "getConfiguration", "getAgentId")
    fa_token = ffi.read(response, "getResponseData", "getConfiguration", "getFaTrustToken")
    if not agent_id or not fa_token:
        raw = _raw_payload(response).get("configuration") or {}
        agent_id = agent_id or raw.get("agentId")
        fa_token = fa_token or raw.get("faTrustToken")
    if not agent_id:
        raise Failure(messages.UEF_CONFIGURATION, "no agentId in getConfiguration")
    if not fa_token:
        raise Failure(messages.UEF_CONFIGURATION, "no faTrustToken in getConfiguration")
    return FusionSession(str(agent_id), str(fa_token))


def _answered(response, data, result, out_data):
    """Record the command's answer and return what the Promise must resolve."""
    if data is not None and ffi.has_method(data, "setResult"):
        ffi.call_now(data, "setResult", result)
        reason = (out_data or {}).get("reason") if result == payloads.FAILURE else None
        if reason and ffi.has_method(data, "setResultDisplayString"):
            ffi.call_now(data, "setResultDisplayString", reason)
        if out_data is not None:
            ffi.call_now(data, "setOutdata", ffi.js_object(out_data))
        return data
    # No typed response data: answer in the raw shape (Oracle's legacy samples).
    details = ffi.get(response, "responseDetails")
    if details is None:
        return ffi.js_object({"result": result, "outData": out_data})
    ffi.put(details, "result", result)
    if out_data is not None:
        ffi.put(details, "outData", ffi.js_object(out_data))
    return details


def _getter(target, name):
    """Return ``target.name()`` when it exists, else None."""
    return None if target is None else ffi.read(target, name)


def _event_data(response):
    """The data of a non-controllable event: getResponseData().getData(), else responseDetails."""
    data = ffi.to_py(ffi.read(response, "getResponseData", "getData"))
    if not isinstance(data, dict):
        data = ffi.to_py(ffi.get(response, "responseDetails"))
    return data if isinstance(data, dict) else {}


def _raw_payload(response):
    details = ffi.to_py(ffi.get(response, "responseDetails")) or {}
    data = details.get("data") if isinstance(details, dict) else None
    payload = data.get("payload") if isinstance(data, dict) else None
    return payload if isinstance(payload, dict) else {}


def _error_text(error):
    if error is None:
        return "no reason given"
    if isinstance(error, str):
        return error
    value = ffi.to_py(error)
    if isinstance(value, dict):
        return str(value.get("message") or value)
    return str(value)
