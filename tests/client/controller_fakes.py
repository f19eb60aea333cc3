"""Fake adapters for the Controller tests, and a clock (no pytest: MicroPython runs them too)."""

import asyncio
import sys

from toolbar.controller import Controller
from toolbar.controller import Ports
from toolbar.core.toolbar import Toolbar

# Every wait scales with TEST_TIMEOUT_SCALE (CPython; MicroPython in Node runs no clock).
TIMEOUT = 5
FUSION_ORIGIN = "https://acme.fa.us2.oraclecloud.com"  # allowed by fusionOrigins' default


def timeout_scale():
    try:
        import os
    except ImportError:  # MicroPython
        return 1
    return float(os.environ.get("TEST_TIMEOUT_SCALE", "1"))


def scenario(function):
    """Make the coroutine function ``function`` a test.

    CPython runs it under asyncio.run, bounded by TIMEOUT; MicroPython's runner awaits the
    coroutine itself (tests/client/micropython_runner.mjs), as its asyncio has no run().
    """
    if sys.implementation.name == "micropython":
        return function

    def test():
        asyncio.run(asyncio.wait_for(function(), TIMEOUT * timeout_scale()))

    test.__name__ = function.__name__
    test.__doc__ = function.__doc__
    return test


class Session:
    def __init__(self, agent_id, fa_token):
        self.agent_id = agent_id
        self.fa_token = fa_token


class FakeFusion:
    def __init__(self):
        self.sent = []  # in the order the controller asked
        self.published = []  # in the order Fusion answered
        self.answers = {}  # request -> (result, out_data)
        self.failure = None
        self.gate = None  # an asyncio.Event the answers wait for
        self.fa_tokens = ["fa-jwt"]  # what each getConfiguration answers, the last one repeated
        self.configurations = 0
        self.configuration_failure = None

    async def initialize(self):
        return await self.configuration()

    async def configuration(self):
        if self.configuration_failure is not None:
            raise self.configuration_failure

        token = self.fa_tokens[min(self.configurations, len(self.fa_tokens) - 1)]
        self.configurations += 1
        return Session("alice_agent", token)

    async def publish_call(self, operation, fields):
        self.sent.append((operation, fields.get("reason")))
        return {"eventId": fields.get("eventId"), "SVCMCA_CONTACT_NAME": "Ada"}

    async def publish_agent_state(self, fields):
        self.sent.append(fields["state"])
        if self.gate is not None:
            await self.gate.wait()
        if self.failure is not None:
            raise self.failure
        self.published.append(fields["state"])

    def answer(self, request, result, out_data=None):
        assert request not in self.answers, "answered twice"
        self.answers[request] = (result, out_data)


class FakeTokens:
    def __init__(self):
        self.requests = []
        self.failure = None
        self.failures = {}  # fa_token -> the Failure its fetches raise (before ``failure``)
        self.dial_checks = []  # (fa_token, number)
        self.refusals = {}  # number -> refusal code, or a Failure to raise

    def fetch(self, fa_token):
        # Like TokenClient: the request is made at once, its answer awaited later.
        self.requests.append(fa_token)
        return self._answer(len(self.requests))

    async def _answer(self, number):
        failure = self.failures.get(self.requests[number - 1], self.failure)
        if failure is not None:
            raise failure
        return "twilio-token-" + str(number)

    async def dial_check(self, fa_token, number):
        self.dial_checks.append((fa_token, number))
        refusal = self.refusals.get(number)
        if refusal is not None and not isinstance(refusal, str):
            raise refusal
        return refusal


class FakeVendor:
    def __init__(self):
        self.calls = []
        self.failure = None

    async def make_agent_available(self, device, token):
        self.calls.append(("start", device, token))
        if self.failure is not None:
            raise self.failure

    async def update_token(self, device, token):
        self.calls.append(("update", device, token))

    async def make_agent_unavailable(self, device):
        self.calls.append(("stop", device))

    async def call_action(self, call, action, value=None):
        self.calls.append((action, call, value))

    async def dial(self, call, device, number):
        self.calls.append(("dial", call, number))


class FakeView:
    def __init__(self):
        self.model = None

    def render(self, model):
        self.model = model


class FakeClock:
    """The Controller's sleep: timers wait until the test fires them."""

    def __init__(self):
        self.pending = []  # (seconds, fired, resumed)

    async def sleep(self, seconds):
        fired, resumed = asyncio.Event(), asyncio.Event()
        self.pending.append((seconds, fired, resumed))
        await fired.wait()
        resumed.set()  # the timer's task goes on to its input before anything else runs

    async def fire(self):
        """Let every pending timer run out; return once each has handed over its input."""
        pending, self.pending = self.pending, []
        for _, fired, resumed in pending:
            fired.set()
            await resumed.wait()


class Shell:
    """A Toolbar and its Controller wired to fakes, as app.start wires the adapters."""

    def __init__(self, register_timeout_ms=20000, now=1000000000):
        self.fusion, self.tokens, self.vendor, self.view = (
            FakeFusion(), FakeTokens(), FakeVendor(), FakeView())
        self.clock = FakeClock()
        self.bugs = []
        self.toolbar = Toolbar(register_timeout_ms=register_timeout_ms)
        self.now = now  # what the Controller's clock says
        self.controller = Controller(self.toolbar, report=self.bugs.append,
                                     sleep=self.clock.sleep, clock=lambda: self.now)
        self._ports = Ports(view=self.view, fusion=self.fusion, vendor=self.vendor,
                            tokens=self.tokens)
        self._requests = 0

    @property
    def agent(self):
        return self.toolbar.agent

    def send(self, effects):
        """Hand the effects of a Toolbar method to the Controller, as the adapters do."""
        self.controller.apply(effects)

    def command(self, command):
        """Fusion's onToolbarAgentCommand, as FusionHandler hands it over; returns its id."""
        self._requests += 1
        self.send(self.toolbar.agent_command(self._requests, command))
        return self._requests

    def interaction(self, command, event_id):
        """Fusion's onToolbarInteractionCommand; returns its id."""
        self._requests += 1
        self.send(self.toolbar.interaction_command(self._requests, command, event_id))
        return self._requests

    async def start(self, ready=True, parent=FUSION_ORIGIN, ancestor=FUSION_ORIGIN):
        self.controller.start(self._ports, self.toolbar.start(parent, ancestor))
        await self.controller.idle()
        assert self.view.model["ready"] == ready

    async def go_available(self):
        self.send(self.toolbar.toggle())
        await self.controller.idle()
        device = self.vendor.calls[-1][1]
        self.send(self.toolbar.device_registered(device))
        await self.controller.idle()
        return device


async def until(condition, what):
    """Wait until ``condition()`` holds (the tasks run meanwhile); fail after TIMEOUT turns."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened: " + what)
