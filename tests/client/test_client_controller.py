"""The Controller with fake Fusion, Twilio, token service and view (CPython asyncio)."""

import asyncio

import pytest
from toolbar import messages
from toolbar import payloads
from toolbar import states
from toolbar.calls import CallMachine
from toolbar.controller import Controller
from toolbar.integration_action_handler import IntegrationActionHandler
from toolbar.integration_events_handler import IntegrationEventsHandler
from toolbar.machine import AgentMachine
from toolbar.messages import Failure


class FakeFusion:
    def __init__(self):
        self.sent = []  # in the order the controller asked
        self.published = []  # in the order Fusion answered
        self.failure = None
        self.gate = None  # an asyncio.Event the answers wait for

    async def initialize(self):
        class Session:
            agent_id = "alice_agent"
            fa_token = "fa-jwt"
        return Session()

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


class FakeTokens:
    def __init__(self):
        self.requests = []
        self.failure = None

    def fetch(self, fa_token):
        # Like TokenClient: the request is made at once, its answer awaited later.
        self.requests.append(fa_token)
        return self._answer(len(self.requests))

    async def _answer(self, number):
        if self.failure is not None:
            raise self.failure
        return "twilio-token-" + str(number)


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


class Toolbar:
    """A controller wired to fakes, as app.start wires the real handlers."""

    def __init__(self, register_timeout_ms=20000):
        self.fusion, self.tokens, self.vendor, self.view = (
            FakeFusion(), FakeTokens(), FakeVendor(), FakeView())
        self.bugs = []
        self.machine = AgentMachine(register_timeout_ms=register_timeout_ms)
        self.controller = Controller(self.machine, fusion=self.fusion, vendor=self.vendor,
                                     tokens=self.tokens, view=self.view,
                                     report=self.bugs.append, calls=CallMachine(self.machine))
        self.actions = IntegrationActionHandler(self.controller)
        self.events = IntegrationEventsHandler(self.controller)

    async def settle(self):
        for _ in range(50):
            await asyncio.sleep(0)

    async def start(self):
        self.controller.apply(self.machine.start())
        await self.settle()
        assert self.view.model["ready"]

    async def go_available(self):
        self.actions.toggle_agent_availability()
        await self.settle()
        device = self.vendor.calls[-1][1]
        self.events.device_registered(device)
        await self.settle()
        return device


def run(scenario):
    asyncio.run(asyncio.wait_for(scenario(), 5))


def test_controller_start_publishes_unavailable_and_renders_ready():
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        assert toolbar.fusion.published == ["UNAVAILABLE"]
        assert toolbar.view.model["agent"] == "alice_agent"
        assert toolbar.view.model["label"] == "Unavailable"
    run(scenario)


def test_controller_token_request_leaves_from_the_click_itself():
    """Not from a task: Chromium runs tasks only after rendering the click (bench/README.md)."""
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        toolbar.actions.toggle_agent_availability()
        assert toolbar.tokens.requests == ["fa-jwt"]
    run(scenario)


def test_controller_toggle_round_trip():
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        device = await toolbar.go_available()
        assert toolbar.tokens.requests == ["fa-jwt"]
        assert toolbar.vendor.calls == [("start", device, "twilio-token-1")]
        assert toolbar.fusion.published == ["UNAVAILABLE", "AVAILABLE"]
        assert toolbar.view.model["label"] == "Available" and toolbar.view.model["pressed"]
        toolbar.actions.toggle_agent_availability()
        await toolbar.settle()
        assert toolbar.vendor.calls[-1] == ("stop", device)
        assert toolbar.fusion.published == ["UNAVAILABLE", "AVAILABLE", "UNAVAILABLE"]
        assert toolbar.view.model["label"] == "Unavailable"
        assert toolbar.bugs == []
    run(scenario)


def test_controller_clicks_during_a_transition_are_ignored():
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        toolbar.actions.toggle_agent_availability()
        await toolbar.settle()
        assert toolbar.machine.phase == states.GOING_AVAILABLE
        for _ in range(5):
            toolbar.actions.toggle_agent_availability()
        await toolbar.settle()
        assert [call[0] for call in toolbar.vendor.calls] == ["start"]
        assert toolbar.machine.wants_available
    run(scenario)


def test_controller_fusion_agent_commands():
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        answer = toolbar.events.agent_command_from_fusion
        assert answer(payloads.GET_CURRENT_AGENT_STATE) == (
            payloads.SUCCESS, payloads.agent_state_data(False))
        assert answer(payloads.MAKE_AVAILABLE) == (payloads.SUCCESS, None)
        await toolbar.settle()
        toolbar.events.device_registered(toolbar.vendor.calls[-1][1])
        await toolbar.settle()
        assert answer(payloads.GET_CURRENT_AGENT_STATE)[1]["state"] == "AVAILABLE"
        assert answer(payloads.GET_ACTIVE_ENGAGEMENTS) == (
            payloads.SUCCESS, {"activeCount": 0, "engagements": []})
        assert answer(payloads.MAKE_UNAVAILABLE) == (payloads.SUCCESS, None)
        await toolbar.settle()
        assert toolbar.fusion.published[-1] == "UNAVAILABLE"
        assert answer("dance") == (payloads.FAILURE, None)
    run(scenario)


def test_controller_make_available_fails_after_a_failed_start():
    async def scenario():
        toolbar = Toolbar()
        toolbar.fusion.failure = Failure(messages.UEF_TIMEOUT, "10 s")
        toolbar.controller.apply(toolbar.machine.start())
        await toolbar.settle()
        assert toolbar.machine.phase == states.ERROR
        assert toolbar.view.model["failure"] == messages.UEF_TIMEOUT
        assert toolbar.events.agent_command_from_fusion(payloads.MAKE_AVAILABLE) == (
            payloads.FAILURE, None)
    run(scenario)


def test_controller_slow_fusion_does_not_hold_back_publishes():
    """Publishes are sent in the machine's order, without waiting for earlier answers."""
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        toolbar.fusion.gate = asyncio.Event()
        device = await toolbar.go_available()
        toolbar.events.device_unregistered(device)
        await toolbar.settle()
        assert toolbar.fusion.sent == ["UNAVAILABLE", "AVAILABLE", "UNAVAILABLE"]
        assert toolbar.fusion.published == ["UNAVAILABLE"]
        toolbar.fusion.gate.set()
        await toolbar.settle()
        assert toolbar.fusion.published == ["UNAVAILABLE", "AVAILABLE", "UNAVAILABLE"]
        assert toolbar.machine.phase == states.RECONNECTING
    run(scenario)


def test_controller_token_refused_shows_why():
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        toolbar.tokens.failure = Failure(messages.TOKEN_REFUSED, "HTTP 401")
        toolbar.actions.toggle_agent_availability()
        await toolbar.settle()
        assert toolbar.vendor.calls == []
        assert toolbar.view.model["failure"] == messages.TOKEN_REFUSED
        assert toolbar.view.model["label"] == "Unavailable" and not toolbar.view.model["pressed"]
    run(scenario)


def test_controller_vendor_refusal_and_bug():
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        toolbar.vendor.failure = Failure(messages.DEVICE_FAILED, "no WebRTC")
        toolbar.actions.toggle_agent_availability()
        await toolbar.settle()
        assert toolbar.view.model["failure"] == messages.DEVICE_FAILED
        toolbar.vendor.failure = RuntimeError("oops")
        toolbar.actions.toggle_agent_availability()
        await toolbar.settle()
        assert toolbar.bugs and "RuntimeError: oops" in toolbar.bugs[0]
        assert toolbar.machine.phase == states.UNAVAILABLE
        assert toolbar.view.model["failure"] == messages.DEVICE_FAILED
    run(scenario)


def test_controller_registration_timeout():
    async def scenario():
        toolbar = Toolbar(register_timeout_ms=30)
        await toolbar.start()
        toolbar.actions.toggle_agent_availability()
        await toolbar.settle()
        device = toolbar.vendor.calls[-1][1]
        toolbar.events.device_error(device, 31005, "ConnectionError")
        await asyncio.sleep(0.06)
        await toolbar.settle()
        assert toolbar.vendor.calls[-1] == ("stop", device)
        assert toolbar.view.model["failure"] == messages.TWILIO_UNREACHABLE
        assert toolbar.fusion.published == ["UNAVAILABLE"]
    run(scenario)


def test_controller_token_refresh():
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        device = await toolbar.go_available()
        toolbar.events.token_will_expire(device)
        await toolbar.settle()
        assert toolbar.vendor.calls[-1] == ("update", device, "twilio-token-2")
        assert toolbar.machine.phase == states.AVAILABLE
    run(scenario)


def test_controller_bug_in_a_publish_is_reported_and_survived():
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        toolbar.fusion.failure = KeyError("state")
        device = await toolbar.go_available()
        assert toolbar.bugs
        assert toolbar.vendor.calls[-1] == ("stop", device)
        assert toolbar.machine.phase == states.UNAVAILABLE
    run(scenario)


@pytest.mark.parametrize("event", ["device_registering", "device_registered",
                                   "device_unregistered", "token_will_expire"])
def test_controller_events_before_any_device_are_ignored(event):
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        getattr(toolbar.events, event)(7)
        await toolbar.settle()
        assert toolbar.machine.phase == states.UNAVAILABLE and toolbar.bugs == []
    run(scenario)


def test_controller_fusion_accept_waits_for_the_call_and_unavailable_is_refused():
    async def scenario():
        toolbar = Toolbar()
        await toolbar.start()
        await toolbar.go_available()
        toolbar.events.call_incoming(toolbar.machine.device, "CA1", "+15557770001")
        await toolbar.settle()
        assert toolbar.view.model["call"]["state"] == "ringing"
        assert toolbar.view.model["call"]["name"] == "Ada"
        answer = asyncio.ensure_future(
            toolbar.events.interaction_command_from_fusion("accept", "CA1"))
        await toolbar.settle()
        assert not answer.done() and toolbar.vendor.calls[-1] == ("accept", "CA1", None)
        toolbar.events.call_accepted("CA1")
        await toolbar.settle()
        assert answer.result() == payloads.SUCCESS
        toolbar.actions.toggle_agent_availability()
        result, out = toolbar.events.agent_command_from_fusion(payloads.MAKE_UNAVAILABLE)
        assert result == payloads.FAILURE and out["reason"].startswith("Finish your call")
        assert toolbar.machine.wants_available
        assert toolbar.view.model["status"].startswith("Finish your call")
        result, out = toolbar.events.agent_command_from_fusion(payloads.GET_ACTIVE_ENGAGEMENTS)
        assert out == {"activeCount": 1, "engagements": [{"eventId": "CA1"}]}
        toolbar.actions.hang_up()
        await toolbar.settle()
        assert [sent for sent in toolbar.fusion.sent if isinstance(sent, tuple)] == [
            ("newCommEvent", None), ("startCommEvent", None), ("closeCommEvent", "WRAPUP")]
        assert toolbar.view.model["call"]["state"] == "idle"
        assert toolbar.bugs == []
    run(scenario)
