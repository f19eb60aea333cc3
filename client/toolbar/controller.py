"""Run the state machine: feed it inputs, carry out the effects it returns, render.

Browser-free: the Fusion handler, the vendor handler, the token client and the view are
passed in, so CPython tests drive the whole flow with fakes. Every effect runs as its own
asyncio task and reports its outcome back to the machine; a task never lets an exception
escape (exceptions in async callbacks show nowhere in PyScript), and whatever happens, a
started effect reports an outcome, so the machine is never left waiting.

Ports (duck-typed):
    fusion.initialize() -> session with ``agent_id`` and ``fa_token``; raises Failure.
    fusion.publish_agent_state(fields) -> None; raises Failure. Publishes that start one
        after the other reach Fusion in that order, even while earlier ones await answers.
    tokens.fetch(fa_token) -> an awaitable of a Twilio Access Token (str), which raises
        Failure; the request may start before it returns (TokenClient's does).
    vendor.make_agent_available(device, token); raises Failure.
    vendor.update_token(device, token); raises Failure.
    vendor.make_agent_unavailable(device); never raises.
    fusion.publish_call(operation, fields) -> the reply's outData (dict or None); raises
        Failure.
    vendor.call_action(call, action, value) and vendor.dial(call, device, number); raise
        calldefs.CallError.
    view.render(model) with the dict of presentation.present.
    report(text) logs a bug for developers (the browser console).

Public names: Controller, Waiter.
"""

import asyncio

from toolbar import calldefs
from toolbar import messages
from toolbar import states
from toolbar.calldefs import CallError
from toolbar.messages import Failure
from toolbar.presentation import present


class Controller:
    """Own the AgentMachine and the tasks carrying out its effects."""

    def __init__(self, machine, *, fusion, vendor, tokens, view, report, calls=None):
        self.machine = machine
        self.calls = calls
        self.fusion = fusion
        self.vendor = vendor
        self.tokens = tokens
        self.view = view
        self.report = report
        self._fa_token = None
        self._tasks = set()
        self._runners = {
            states.CONNECT_FUSION: self._connect_fusion,
            states.PUBLISH_AGENT_STATE: self._publish_agent_state,
            states.FETCH_TOKEN: self._fetch_token,
            states.START_DEVICE: self._start_device,
            states.UPDATE_TOKEN: self._update_token,
            states.STOP_DEVICE: self._stop_device,
            states.START_TIMER: self._start_timer,
            calldefs.PUBLISH_CALL: self._publish_call,
            calldefs.CALL_ACTION: self._call_action,
            calldefs.DIAL: self._dial,
            calldefs.ANSWER_COMMAND: self._answer_command,
        }

    def apply(self, effects):
        """Start a task for each effect, then render the machine's new state."""
        for effect in effects:
            self._spawn(self._runners[effect.kind](effect))
        self.render()

    def render(self):
        self.view.render(present(self.machine, self.calls))

    def bug(self, error):
        """Report an unexpected exception to developers and to the agent."""
        detail = type(error).__name__ + ": " + str(error)
        self.report("toolbar bug: " + detail)
        self.apply(self.machine.internal_error(detail))

    # ---- Effects ----

    async def _connect_fusion(self, effect):
        try:
            session = await self.fusion.initialize()
        except Failure as failure:
            self.apply(self.machine.startup_failed(failure))
            return
        self._fa_token = session.fa_token
        self.apply(self.machine.fusion_connected(session.agent_id))

    async def _publish_agent_state(self, effect):
        # Several may be in flight; the Fusion handler sends them in the order they start.
        failure = None
        try:
            await self.fusion.publish_agent_state(effect.fields)
        except Failure as error:
            failure = error
        except Exception as error:  # noqa: BLE001 - a bug; Fusion's state is unknown
            self.bug(error)
            failure = Failure(messages.INTERNAL, str(error))
        self.apply(self.machine.agent_state_published(effect.publish, failure))

    def _fetch_token(self, effect):
        # Not a coroutine: the request leaves now, from the click's own handler, rather than
        # from a task Chromium runs only after rendering the click (bench/README.md).
        try:
            pending = self.tokens.fetch(self._fa_token)
        except Exception as error:  # noqa: BLE001 - a bug: _token_fetched reports it
            pending = _raise(error)
        return self._token_fetched(effect, pending)

    async def _token_fetched(self, effect, pending):
        try:
            token = await pending
        except Failure as failure:
            self.apply(self.machine.token_failed(effect.request, failure))
            return
        except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
            self.bug(error)
            self.apply(self.machine.token_failed(effect.request, Failure(messages.INTERNAL)))
            return
        self.apply(self.machine.token_received(effect.request, token))

    async def _start_device(self, effect):
        try:
            await self.vendor.make_agent_available(effect.device, effect.token)
        except Failure as failure:
            self.apply(self.machine.device_failed(effect.device, failure))
        except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
            self.bug(error)
            self.apply(self.machine.device_failed(
                effect.device, Failure(messages.DEVICE_FAILED, str(error))))

    async def _update_token(self, effect):
        try:
            await self.vendor.update_token(effect.device, effect.token)
        except Failure as failure:
            self.apply(self.machine.token_update_failed(effect.device, failure))
        except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
            self.bug(error)
            self.apply(self.machine.token_update_failed(effect.device, Failure(messages.INTERNAL)))

    async def _stop_device(self, effect):
        try:
            await self.vendor.make_agent_unavailable(effect.device)
        except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
            self.bug(error)
        self.apply(self.machine.device_stopped(effect.device))

    async def _start_timer(self, effect):
        await asyncio.sleep(effect.ms / 1000)
        self.apply(self.machine.timer_fired(effect.timer))

    # ---- Call effects ----

    async def _publish_call(self, effect):
        out_data, failed = None, False
        try:
            out_data = await self.fusion.publish_call(effect.operation, effect.fields)
        except Failure as failure:
            failed = True
            self.report("Fusion refused " + effect.operation + ": " + str(failure))
        except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
            self.bug(error)
            failed = True
        self.apply(self.calls.comm_published(effect.call, effect.operation, out_data, failed))

    async def _call_action(self, effect):
        try:
            await self.vendor.call_action(effect.call, effect.action, effect.value)
        except CallError as error:
            self.apply(self.calls.call_action_failed(effect.call, effect.action, error.code,
                                                     error.name, error.message))

    async def _dial(self, effect):
        try:
            await self.vendor.dial(effect.call, effect.device, effect.number)
        except CallError as error:
            self.apply(self.calls.call_action_failed(effect.call, calldefs.DIAL, error.code,
                                                     error.name, error.message))

    async def _answer_command(self, effect):
        effect.waiter.settle(effect.ok)

    # ---- Tasks ----

    def _spawn(self, coroutine):
        # Keep a reference to every running task: the event loop only keeps a weak one.
        this = []

        async def guarded():
            try:
                await coroutine
            except Exception as error:  # noqa: BLE001 - a bug: report it, carry on
                self.bug(error)
            finally:
                self._tasks.discard(this[0])

        this.append(asyncio.create_task(guarded()))
        self._tasks.add(this[0])


async def _raise(error):
    raise error


class Waiter:
    """A Fusion command waiting for its outcome: ``await wait()`` returns True or False."""

    def __init__(self):
        self._event = asyncio.Event()
        self.ok = False

    def settle(self, ok):
        if not self._event.is_set():
            self.ok = bool(ok)
            self._event.set()

    async def wait(self):
        await self._event.wait()
        return self.ok
