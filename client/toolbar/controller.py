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
    tokens.fetch(fa_token) -> Twilio Access Token (str); raises Failure.
    vendor.make_agent_available(device, token); raises Failure.
    vendor.update_token(device, token); raises Failure.
    vendor.make_agent_unavailable(device); never raises.
    view.render(model) with the dict of presentation.present.
    report(text) logs a bug for developers (the browser console).

Public names: Controller.
"""

import asyncio

from toolbar import messages
from toolbar import states
from toolbar.messages import Failure
from toolbar.presentation import present


class Controller:
    """Own the AgentMachine and the tasks carrying out its effects."""

    def __init__(self, machine, *, fusion, vendor, tokens, view, report):
        self.machine = machine
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
        }

    def apply(self, effects):
        """Start a task for each effect, then render the machine's new state."""
        for effect in effects:
            self._spawn(self._runners[effect.kind](effect))
        self.render()

    def render(self):
        self.view.render(present(self.machine))

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

    async def _fetch_token(self, effect):
        try:
            token = await self.tokens.fetch(self._fa_token)
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
