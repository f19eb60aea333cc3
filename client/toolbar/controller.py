"""Controller: the shell that carries out the core's effects, the only code that does.

Browser-free (CPython and MicroPython run it with fake adapters). An input reaches the
core's Toolbar as a method call; its effects come here (``apply``): each runs as its own
asyncio task and reports its outcome back to the Toolbar, then the page is rendered. A task
never lets an exception escape, and whatever happens, a started effect reports an outcome,
so the core is never left waiting.

Ports (duck-typed, toolbar/adapters/ implements them):
    fusion.initialize() -> session with ``agent_id`` and ``fa_token``; raises Failure.
    fusion.configuration() -> a new session (getConfigurationOperation again: a fresh
        faTrustToken); raises Failure.
    fusion.publish_agent_state(fields) -> None; raises Failure. Publishes that start one
        after the other reach Fusion in that order, even while earlier ones await answers.
    fusion.publish_call(operation, fields) -> the reply's outData (dict or None); raises
        Failure.
    fusion.answer(request, result, out_data): answers Fusion's pending command ``request``.
    tokens.fetch(fa_token) -> an awaitable of a Twilio Access Token (str), which raises
        Failure; the request may start before it returns (TokenClient's does).
    tokens.dial_check(fa_token, number) -> the outbound policy's refusal code, or None;
        raises Failure when the check itself fails.
    vendor.make_agent_available(device, token); raises Failure.
    vendor.update_token(device, token); raises Failure.
    vendor.make_agent_unavailable(device); never raises.
    vendor.call_action(call, action, value) and vendor.dial(call, device, number); raise
        errors.CallError.
    view.render(model) with the dict of Toolbar.present.
    report(text) logs a bug for developers (the browser console).
    sleep(seconds): asyncio.sleep, or a test's clock.
    clock() -> seconds since the epoch: time.time, or a test's clock.

Public names: Ports, Controller.
"""

import asyncio
import time

from toolbar.core import effects as fx
from toolbar.core import messages
from toolbar.core.errors import CallError
from toolbar.core.errors import Failure
from toolbar.core.toolbar import Toolbar
from toolbar.tasks import spawn


class Ports:
    """The adapters the Controller drives (see the module docstring)."""

    def __init__(self, *, view, fusion=None, vendor=None, tokens=None) -> None:
        self.view = view
        self.fusion = fusion
        self.vendor = vendor
        self.tokens = tokens


class Controller:
    """Carry out the Toolbar's effects as tasks; render after every input."""

    def __init__(self, toolbar: Toolbar, *, report, sleep=asyncio.sleep,
                 clock=time.time) -> None:
        self.toolbar = toolbar
        self.report = report
        self._sleep = sleep
        self._clock = clock
        self._ports = None
        self._tasks = set()  # effects under way
        self._timers = set()  # timers waiting for their time
        self._runners = {
            fx.CONNECT_FUSION: self._connect_fusion,
            fx.PUBLISH_AGENT_STATE: self._publish_agent_state,
            fx.FETCH_TOKEN: self._fetch_token,
            fx.RENEW_FA_TOKEN: self._renew_fa_token,
            fx.START_DEVICE: self._start_device,
            fx.UPDATE_TOKEN: self._update_token,
            fx.STOP_DEVICE: self._stop_device,
            fx.START_TIMER: self._start_timer,
            fx.PUBLISH_CALL: self._publish_call,
            fx.CALL_ACTION: self._call_action,
            fx.DIAL_CHECK: self._dial_check,
            fx.DIAL: self._dial,
            fx.ANSWER_FUSION: self._answer_fusion,
        }

    def start(self, ports: Ports, effects: list) -> None:
        """Take the adapters and carry out the first effects (Toolbar.start's)."""
        self._ports = ports
        self.apply(effects)

    def apply(self, effects: list) -> None:
        """Carry out ``effects`` (each runner either acts at once or returns a task's
        coroutine), then render the Toolbar's new state."""
        for effect in effects:
            work = self._runners[effect.kind](effect)
            if work is not None:
                spawn(work, self.bug, self._timers if effect.kind == fx.START_TIMER
                      else self._tasks)
        self.render()

    def render(self) -> None:
        self._ports.view.render(self.toolbar.present())

    def bug(self, error: Exception) -> None:
        """Report an unexpected exception to developers and to the agent."""
        detail = type(error).__name__ + ": " + str(error)
        self.report("toolbar bug: " + detail)
        self.apply(self.toolbar.internal_error(detail))

    async def idle(self) -> None:
        """Return once every effect started so far has finished (timers aside, which wait
        for their time): what tests wait on instead of sleeping."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    # ---- Effects ----

    async def _connect_fusion(self, effect):
        try:
            session = await self._ports.fusion.initialize()
        except Failure as failure:
            self.apply(self.toolbar.startup_failed(failure))
            return
        self.apply(self.toolbar.fusion_connected(session.agent_id, session.fa_token,
                                                 self._clock()))

    async def _renew_fa_token(self, effect):
        try:
            session = await self._ports.fusion.configuration()
        except Failure as failure:
            self.report("no new faTrustToken from Fusion: " + str(failure))
            self.apply(self.toolbar.fa_token_renewal_failed(effect.renewal, failure))
            return
        self.apply(self.toolbar.fa_token_renewed(effect.renewal, session.fa_token,
                                                 self._clock()))

    async def _publish_agent_state(self, effect):
        # Several may be in flight; the Fusion handler sends them in the order they start.
        failure = None
        try:
            await self._ports.fusion.publish_agent_state(effect.fields)
        except Failure as error:
            failure = error
        except Exception as error:  # noqa: BLE001 - a bug; Fusion's state is unknown
            self.bug(error)
            failure = Failure(messages.INTERNAL, str(error))
        self.apply(self.toolbar.agent_state_published(effect.publish, failure))

    def _fetch_token(self, effect):
        # Not a coroutine: the request leaves now, from the click's own handler, rather than
        # from a task Chromium runs only after rendering the click (bench/README.md).
        try:
            pending = self._ports.tokens.fetch(effect.fa_token)
        except Exception as error:  # noqa: BLE001 - a bug: _token_fetched reports it
            pending = _raise(error)
        return self._token_fetched(effect, pending)

    async def _token_fetched(self, effect, pending):
        try:
            token = await pending
        except Failure as failure:
            self.apply(self.toolbar.token_failed(effect.request, failure))
            return
        except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
            self.bug(error)
            self.apply(self.toolbar.token_failed(effect.request, Failure(messages.INTERNAL)))
            return
        self.apply(self.toolbar.token_received(effect.request, token))

    async def _start_device(self, effect):
        try:
            await self._ports.vendor.make_agent_available(effect.device, effect.token)
        except Failure as failure:
            self.apply(self.toolbar.device_failed(effect.device, failure))
        except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
            self.bug(error)
            self.apply(self.toolbar.device_failed(
                effect.device, Failure(messages.DEVICE_FAILED, str(error))))

    async def _update_token(self, effect):
        try:
            await self._ports.vendor.update_token(effect.device, effect.token)
        except Failure as failure:
            self.apply(self.toolbar.token_update_failed(effect.device, failure))
        except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
            self.bug(error)
            self.apply(self.toolbar.token_update_failed(effect.device,
                                                        Failure(messages.INTERNAL)))

    async def _stop_device(self, effect):
        try:
            await self._ports.vendor.make_agent_unavailable(effect.device)
        except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
            self.bug(error)
        self.apply(self.toolbar.device_stopped(effect.device))

    async def _start_timer(self, effect):
        await self._sleep(effect.ms / 1000)
        self.apply(self.toolbar.timer_fired(effect.timer))

    # ---- Calls ----

    async def _publish_call(self, effect):
        out_data, failed = None, False
        try:
            out_data = await self._ports.fusion.publish_call(effect.operation, effect.fields)
        except Failure as failure:
            failed = True
            self.report("Fusion refused " + effect.operation + ": " + str(failure))
        except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
            self.bug(error)
            failed = True
        self.apply(self.toolbar.comm_published(effect.call, effect.operation, out_data, failed))

    async def _call_action(self, effect):
        try:
            await self._ports.vendor.call_action(effect.call, effect.action, effect.value)
        except CallError as error:
            self.apply(self.toolbar.call_action_failed(effect.call, effect.action, error.code,
                                                       error.name, error.message))

    async def _dial_check(self, effect):
        try:
            refusal = await self._ports.tokens.dial_check(effect.fa_token, effect.number)
        except Failure as failure:
            self.report("dial check failed, /voice decides: " + str(failure))
            self.apply(self.toolbar.dial_check_failed(effect.call))
            return
        self.apply(self.toolbar.dial_checked(effect.call, refusal))

    async def _dial(self, effect):
        try:
            await self._ports.vendor.dial(effect.call, effect.device, effect.number)
        except CallError as error:
            self.apply(self.toolbar.call_action_failed(effect.call, fx.DIAL, error.code,
                                                       error.name, error.message))

    def _answer_fusion(self, effect):
        # At once: Fusion's promise is answered in the same turn as the command's decision.
        self._ports.fusion.answer(effect.request, effect.result, effect.out_data)


async def _raise(error):
    raise error
