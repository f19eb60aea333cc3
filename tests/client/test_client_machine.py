"""The state machine: availability, its failures, and its invariants under any order."""

from client_helpers import available_machine
from client_helpers import kinds
from client_helpers import only
from client_helpers import publish_id
from client_helpers import publishes
from client_helpers import ready_machine
from client_helpers import registering_machine
from test_client_policy import jwt
from toolbar.core import effects as fx
from toolbar.core import messages
from toolbar.core import states
from toolbar.core import status
from toolbar.core.effects import Effect
from toolbar.core.errors import Failure
from toolbar.core.machine import AgentMachine


def test_machine_startup_reports_unavailable_then_ready():
    """Start-up publishes logged-in-but-unavailable and is ready only once Fusion answered."""
    machine = AgentMachine()
    assert not machine.ready
    assert machine.start() == [Effect(fx.CONNECT_FUSION)]
    assert machine.start() == []
    effects = machine.fusion_connected("alice_agent", "fa-jwt", 0)
    publish = only(effects, fx.PUBLISH_AGENT_STATE)
    assert publish.available is False
    assert publish.fields["isLoggedIn"] is True and publish.fields["state"] == "UNAVAILABLE"
    assert not machine.ready
    assert machine.agent_state_published(publish.publish + 1) == []  # not this publish
    assert not machine.ready
    assert machine.agent_state_published(publish.publish) == []
    assert machine.ready and machine.phase == states.UNAVAILABLE
    assert machine.agent_id == "alice_agent"


def test_machine_startup_failure_is_an_error_state():
    """A start-up publish that fails leaves the toolbar in ERROR, saying why."""
    machine = AgentMachine()
    machine.start()
    effects = machine.fusion_connected("alice_agent", "fa-jwt", 0)
    machine.agent_state_published(publish_id(effects), Failure(messages.UEF_TIMEOUT, "no answer"))
    assert machine.phase == states.ERROR and not machine.ready
    assert machine.status.kind == messages.UEF_TIMEOUT
    assert machine.toggle() == []
    assert machine.request_availability(True) == []


def test_machine_startup_failed_before_configuration():
    """A start-up failure before Fusion answered leaves ERROR, saying why."""
    machine = AgentMachine()
    machine.start()
    assert machine.startup_failed(Failure(messages.UEF_LIBRARY, "404")) == []
    assert machine.phase == states.ERROR
    assert "404" in machine.status.text


def test_machine_available_only_after_registered():
    """Token, then Device, then registering: Fusion hears AVAILABLE only on registered."""
    machine = ready_machine()
    fetch = only(machine.toggle(), fx.FETCH_TOKEN)
    assert fetch.purpose == states.REGISTER
    assert machine.phase == states.GOING_AVAILABLE
    effects = machine.token_received(fetch.request, "token-1")
    assert kinds(effects) == [fx.START_DEVICE, fx.START_TIMER]
    start = effects[0]
    assert start.token == "token-1"
    assert machine.device_registering(start.device) == []
    assert machine.phase == states.GOING_AVAILABLE
    effects = machine.device_registered(start.device)
    assert publishes(effects) == [True]
    assert machine.phase == states.AVAILABLE and machine.available
    assert machine.status.tone == status.OK


def test_machine_going_unavailable_destroys_then_publishes():
    """Toggle off: stop (unregister + destroy) the Device, then tell Fusion UNAVAILABLE."""
    machine, device = available_machine()
    effects = machine.toggle()
    assert effects == [Effect(fx.STOP_DEVICE, device=device)]
    assert machine.phase == states.GOING_UNAVAILABLE
    assert machine.fusion_available is True  # until the Device is gone
    effects = machine.device_stopped(device)
    assert publishes(effects) == [False]
    assert machine.phase == states.UNAVAILABLE and machine.device is None


def test_machine_rapid_toggles_make_one_device():
    """On-off-on before the first token arrives: only the last fetch makes a Device."""
    machine = ready_machine()
    first = only(machine.toggle(), fx.FETCH_TOKEN)
    assert machine.toggle() == []
    assert machine.phase == states.UNAVAILABLE
    second = only(machine.toggle(), fx.FETCH_TOKEN)
    assert machine.token_received(first.request, "old") == []
    effects = machine.token_received(second.request, "new")
    assert only(effects, fx.START_DEVICE).token == "new"
    assert machine.token_received(second.request, "again") == []


def test_machine_toggle_ignored_rules_are_the_views():
    """The toggle is disabled during transitions; the machine reports it."""
    machine, _ = registering_machine()
    assert machine.transitioning
    machine2, _ = available_machine()
    assert not machine2.transitioning


def test_machine_unavailable_while_registering_never_publishes_available():
    """Going unavailable while registering stops the Device and never tells Fusion AVAILABLE."""
    machine, device = registering_machine()
    assert machine.request_availability(False) == [Effect(fx.STOP_DEVICE, device=device)]
    assert machine.device_registered(device) == []  # the Device being stopped
    effects = machine.device_stopped(device)
    assert publishes(effects) == []  # Fusion was told UNAVAILABLE at start-up already
    assert machine.fusion_available is False and machine.phase == states.UNAVAILABLE


def test_machine_available_again_waits_for_the_old_device():
    """makeAvailable while the Device is being stopped: the new one starts after."""
    machine, device = available_machine()
    machine.toggle()
    assert machine.request_availability(True) == []
    effects = machine.device_stopped(device)
    assert publishes(effects) == [False]
    fetch = only(effects, fx.FETCH_TOKEN)
    start = only(machine.token_received(fetch.request, "t2"), fx.START_DEVICE)
    assert start.device != device


def test_machine_token_refused():
    """A refused token leaves the agent unavailable, reading why."""
    machine = ready_machine()
    fetch = only(machine.toggle(), fx.FETCH_TOKEN)
    effects = machine.token_failed(fetch.request, Failure(messages.TOKEN_REFUSED, "HTTP 401"))
    assert effects == []
    assert machine.phase == states.UNAVAILABLE and not machine.wants_available
    assert machine.status.kind == messages.TOKEN_REFUSED and "HTTP 401" in machine.status.text


def test_machine_twilio_rejects_token_while_registering():
    """Twilio refusing the token stops the Device and says so."""
    machine, device = registering_machine()
    effects = machine.device_error(device, 20101, "AccessTokenInvalid")
    assert effects == [Effect(fx.STOP_DEVICE, device=device)]
    assert machine.status.kind == messages.TWILIO_REFUSED and "20101" in machine.status.text
    assert machine.device_unregistered(device) == []
    assert publishes(machine.device_stopped(device)) == []
    assert machine.status.kind == messages.TWILIO_REFUSED  # still says why


def test_machine_signaling_unreachable_gives_up_after_timeout():
    """No registration within registerTimeoutMs: the Device stops and the agent reads why."""
    machine = ready_machine(register_timeout_ms=5000)
    fetch = only(machine.toggle(), fx.FETCH_TOKEN)
    effects = machine.token_received(fetch.request, "t")
    device = only(effects, fx.START_DEVICE).device
    timer = only(effects, fx.START_TIMER)
    assert timer.ms == 5000
    assert machine.device_error(device, 31005, "ConnectionError") == []
    assert machine.phase == states.GOING_AVAILABLE and machine.status.tone == status.WARN
    effects = machine.timer_fired(timer.timer)
    assert effects == [Effect(fx.STOP_DEVICE, device=device)]
    assert machine.status.kind == messages.TWILIO_UNREACHABLE


def test_machine_stale_timer_is_ignored():
    """A registration timer that runs out after the Device registered changes nothing."""
    machine = ready_machine()
    fetch = only(machine.toggle(), fx.FETCH_TOKEN)
    effects = machine.token_received(fetch.request, "t")
    timer = only(effects, fx.START_TIMER)
    machine.device_registered(only(effects, fx.START_DEVICE).device)
    assert machine.timer_fired(timer.timer) == []
    assert machine.timer_fired(12345) == []
    assert machine.phase == states.AVAILABLE


def test_machine_signaling_lost_and_restored():
    """Lost registration: Fusion hears UNAVAILABLE; the SDK's re-registration restores it."""
    machine, device = available_machine()
    effects = machine.device_unregistered(device)
    assert publishes(effects) == [False]
    assert machine.phase == states.RECONNECTING and machine.status.tone == status.WARN
    assert machine.wants_available
    assert machine.device_registering(device) == []
    assert publishes(machine.device_registered(device)) == [True]
    assert machine.phase == states.AVAILABLE
    assert "restored" in machine.status.text


def test_machine_unavailable_during_reconnect_stays_unavailable():
    """After going unavailable, the old Device's reconnection cannot make the agent available."""
    machine, device = available_machine()
    machine.device_unregistered(device)
    assert machine.toggle() == [Effect(fx.STOP_DEVICE, device=device)]
    assert machine.device_registered(device) == []
    assert publishes(machine.device_stopped(device)) == []
    assert machine.device_registered(device) == []
    assert machine.phase == states.UNAVAILABLE and machine.fusion_available is False


def test_machine_token_refresh():
    """tokenWillExpire fetches one fresh token at a time and hands it to the same Device."""
    machine, device = available_machine()
    fetch = only(machine.token_will_expire(device), fx.FETCH_TOKEN)
    assert fetch.purpose == states.REFRESH
    assert machine.token_will_expire(device) == []  # one refresh at a time
    assert machine.token_received(fetch.request, "fresh") == [
        Effect(fx.UPDATE_TOKEN, device=device, token="fresh")]
    assert machine.phase == states.AVAILABLE
    assert only(machine.token_will_expire(device), fx.FETCH_TOKEN).request != fetch.request


def test_machine_refresh_failure_goes_unavailable_cleanly():
    """A failed refresh takes the agent unavailable and tells Fusion."""
    machine, device = available_machine()
    fetch = only(machine.token_will_expire(device), fx.FETCH_TOKEN)
    effects = machine.token_failed(fetch.request, Failure(messages.TOKEN_SERVICE_DOWN, "HTTP 503"))
    assert effects == [Effect(fx.STOP_DEVICE, device=device)]
    assert machine.status.kind == messages.REFRESH_FAILED and "HTTP 503" in machine.status.text
    assert publishes(machine.device_stopped(device)) == [False]
    assert machine.status.kind == messages.REFRESH_FAILED


def test_machine_refused_refreshed_token():
    """The SDK refusing a refreshed token takes the agent unavailable."""
    machine, device = available_machine()
    fetch = only(machine.token_will_expire(device), fx.FETCH_TOKEN)
    machine.token_received(fetch.request, "fresh")
    effects = machine.token_update_failed(device, Failure(messages.REFRESH_FAILED, "bad"))
    assert effects == [Effect(fx.STOP_DEVICE, device=device)]


def test_machine_refresh_result_after_stop_is_ignored():
    """A refreshed token arriving after the agent went unavailable is ignored."""
    machine, device = available_machine()
    fetch = only(machine.token_will_expire(device), fx.FETCH_TOKEN)
    machine.toggle()
    assert machine.token_received(fetch.request, "late") == []


def test_machine_fusion_refuses_available():
    """Fusion did not take AVAILABLE: say so, go unavailable, tell Fusion again."""
    machine, device = registering_machine()
    publish = publish_id(machine.device_registered(device))
    effects = machine.agent_state_published(publish, Failure(messages.UEF_TIMEOUT, "5 s"))
    assert effects == [Effect(fx.STOP_DEVICE, device=device)]
    assert machine.status.kind == messages.UEF_TIMEOUT
    assert machine.fusion_available is None
    assert publishes(machine.device_stopped(device)) == [False]


def test_machine_failed_unavailable_publish_is_repeated():
    """A failed UNAVAILABLE publish is shown and published again next time."""
    machine, device = available_machine()
    machine.toggle()
    publish = publish_id(machine.device_stopped(device))
    assert machine.agent_state_published(publish, Failure(messages.UEF_ERROR, "x")) == []
    assert machine.status.kind == messages.UEF_ERROR
    fetch = only(machine.toggle(), fx.FETCH_TOKEN)
    machine.token_failed(fetch.request, Failure(messages.TOKEN_SERVICE_DOWN))
    assert machine.fusion_available is None


def test_machine_late_failure_of_an_older_publish_is_ignored():
    """Fusion answers in order: once a newer publish is sent, an older one's timeout is moot."""
    machine, device = available_machine()
    older = publish_id(machine.device_unregistered(device))  # UNAVAILABLE, unanswered
    newer = publish_id(machine.device_registered(device))  # AVAILABLE again
    assert machine.agent_state_published(newer) == []
    assert machine.agent_state_published(older, Failure(messages.UEF_TIMEOUT, "10 s")) == []
    assert machine.phase == states.AVAILABLE and machine.status.tone == status.OK
    assert machine.fusion_available is True


def test_machine_fusion_answering_again_clears_its_failure():
    """Fusion answering again replaces its timeout warning with the phase's line."""
    machine, device = available_machine()
    machine.toggle()
    publish = publish_id(machine.device_stopped(device))
    machine.agent_state_published(publish, Failure(messages.UEF_TIMEOUT, "10 s"))
    fetch = only(machine.toggle(), fx.FETCH_TOKEN)
    start = only(machine.token_received(fetch.request, "t"), fx.START_DEVICE)
    assert machine.status.kind == ""  # going available replaced the failure already
    publish = publish_id(machine.device_registered(start.device))
    machine.status_line.show(status.failure_status(messages.UEF_TIMEOUT))  # as if it had stayed
    machine.agent_state_published(publish)
    assert machine.status == status.progress_status("available")


def test_machine_device_creation_fails():
    """The SDK refusing to create the Device leaves the agent unavailable, reading why."""
    machine, device = registering_machine()
    effects = machine.device_failed(device, Failure(messages.DEVICE_FAILED, "no WebRTC"))
    assert effects == []
    assert machine.phase == states.UNAVAILABLE and machine.device is None
    assert machine.status.kind == messages.DEVICE_FAILED
    assert machine.device_failed(device, Failure(messages.DEVICE_FAILED)) == []


def test_machine_device_creation_fails_while_stopping():
    """A Device failing while being stopped leaves the machine unavailable, once."""
    machine, device = registering_machine()
    machine.request_availability(False)
    machine.device_failed(device, Failure(messages.DEVICE_FAILED, "x"))
    assert machine.phase == states.UNAVAILABLE
    assert machine.device_stopped(device) == []


def test_machine_make_available_during_startup():
    """Fusion's makeAvailable may come before start-up ends; it is honoured after."""
    machine = AgentMachine()
    machine.start()
    publish = publish_id(machine.fusion_connected("alice_agent", "fa-jwt", 0))
    assert machine.request_availability(True) == []
    effects = machine.agent_state_published(publish)
    assert only(effects, fx.FETCH_TOKEN).purpose == states.REGISTER


def test_machine_events_of_other_devices_are_ignored():
    """Events of a replaced Device change nothing."""
    machine, device = available_machine()
    other = device + 100
    for event in (machine.device_registered, machine.device_unregistered,
                  machine.token_will_expire, machine.device_registering, machine.device_stopped):
        assert event(other) == []
    assert machine.device_error(other, 20101) == []
    assert machine.phase == states.AVAILABLE


def test_machine_other_errors_change_nothing():
    """Device errors that are neither auth nor connection change nothing."""
    machine, device = available_machine()
    assert machine.device_error(device, 31400, "BadRequest") == []
    assert machine.device_error(device, None) == []
    assert machine.phase == states.AVAILABLE


def test_machine_internal_error_is_shown():
    """A bug in the toolbar is shown as an error line with its detail."""
    machine = ready_machine()
    machine.internal_error("ValueError: x")
    assert machine.status.tone == status.ERROR and "ValueError: x" in machine.status.text


class _World:
    """A fake Twilio and Fusion that carry out effects in a scrambled but legal order."""

    def __init__(self, seed):
        self.state = seed
        self.machine = AgentMachine(register_timeout_ms=1000)
        self.pending = []  # effects not yet carried out
        self.devices = {}  # number -> "registering" | "registered" | "unregistered"
        self.stopped = set()
        self.fusion = None

    def random(self, n):
        self.state = (self.state * 1103515245 + 12345) % 2147483648
        return (self.state >> 8) % n

    def feed(self, effects):
        for effect in effects:
            if effect.kind == fx.START_DEVICE:
                live = [n for n in self.devices if n not in self.stopped]
                assert not live, "a second Device while " + repr(live) + " lives"
                self.devices[effect.device] = "registering"
            elif effect.kind == fx.PUBLISH_AGENT_STATE and effect.available:
                assert self.devices.get(self.machine.device) == "registered", \
                    "AVAILABLE published without a registered Device"
            self.pending.append(effect)
        self.check()

    def check(self):
        machine = self.machine
        if machine.phase == states.AVAILABLE:
            assert self.devices.get(machine.device) == "registered"
        if machine.fusion_available is True:
            assert self.devices.get(machine.device) == "registered" or \
                machine.phase == states.GOING_UNAVAILABLE

    def step(self):
        machine = self.machine
        choice = self.random(10)
        live = [n for n in self.devices if n not in self.stopped]
        if choice == 0:
            self.feed(machine.toggle() if machine.ready and not machine.transitioning else [])
        elif choice == 1:
            self.feed(machine.request_availability(self.random(2) == 0))
        elif choice == 2 and live:
            number = live[0]
            self.devices[number] = "registered"
            self.feed(machine.device_registered(number))
        elif choice == 3 and live:
            number = live[0]
            self.devices[number] = "unregistered"
            self.feed(machine.device_unregistered(number))
        elif choice == 4 and live:
            self.feed(machine.device_error(live[0], (20101, 31005, 31400)[self.random(3)]))
        elif choice == 5 and live:
            self.feed(machine.token_will_expire(live[0]))
        elif self.pending:
            self.run(self.pending.pop(self.random(len(self.pending))))

    def run(self, effect):
        machine = self.machine
        kind = effect.kind
        if kind == fx.FETCH_TOKEN:
            if self.random(4) == 0:
                self.feed(machine.token_failed(effect.request, Failure(messages.TOKEN_REFUSED)))
            else:
                self.feed(machine.token_received(effect.request, "t"))
        elif kind == fx.STOP_DEVICE:
            self.stopped.add(effect.device)
            self.devices[effect.device] = "destroyed"
            self.feed(machine.device_stopped(effect.device))
        elif kind == fx.PUBLISH_AGENT_STATE:
            failure = Failure(messages.UEF_TIMEOUT) if self.random(8) == 0 else None
            self.feed(machine.agent_state_published(effect.publish, failure))
        elif kind == fx.START_TIMER:
            self.feed(machine.timer_fired(effect.timer))
        elif kind == fx.CONNECT_FUSION:
            self.feed(machine.fusion_connected("alice_agent", "fa-jwt", 0))


def test_machine_invariants_hold_in_any_order():
    """Thousands of scrambled runs: never two Devices, never AVAILABLE unregistered."""
    for seed in range(60):
        world = _World(seed)
        world.feed(world.machine.start())
        for _ in range(300):
            world.step()
        # Let everything finish: the machine ends in a steady state that matches the world.
        while world.pending:
            world.run(world.pending.pop(0))
        machine = world.machine
        live = [n for n in world.devices if n not in world.stopped]
        if machine.wants_available:
            assert machine.phase in (states.AVAILABLE, states.RECONNECTING), machine.phase
            assert live == [machine.device]
            assert machine.fusion_available is (machine.phase == states.AVAILABLE)
        else:
            assert machine.phase in (states.UNAVAILABLE, states.ERROR), machine.phase
            assert live == [] and machine.device is None
            assert machine.fusion_available is not True


def test_machine_fa_token_renewal_timer_and_retry():
    """The renewal timer comes from the JWT; a 401 expired renews once, then retries once."""
    machine = AgentMachine()
    machine.start()
    token = jwt({"iat": 0, "exp": 3600})
    effects = machine.fusion_connected("alice_agent", token, 0)
    timer = only(effects, fx.START_TIMER)
    assert timer.ms == 3540000 and machine.fa_token == token
    machine.agent_state_published(publish_id(effects))
    fetch = only(machine.toggle(), fx.FETCH_TOKEN)
    assert fetch.fa_token == token
    expired = Failure(messages.TOKEN_EXPIRED, "HTTP 401: token has expired")
    renew = only(machine.token_failed(fetch.request, expired), fx.RENEW_FA_TOKEN)
    assert machine.timer_fired(timer.timer) == []  # one renewal at a time
    effects = machine.fa_token_renewed(renew.renewal, "fresh", 100)
    retry = only(effects, fx.FETCH_TOKEN)
    assert retry.fa_token == "fresh" and retry.purpose == states.REGISTER
    assert machine.token_failed(retry.request, expired) == []
    assert machine.status.kind == messages.TOKEN_EXPIRED
    assert machine.phase == states.UNAVAILABLE and machine.wants_available is False


def test_machine_renewal_while_going_unavailable_fetches_nothing():
    """The agent gives up while Fusion renews the token: the renewal's answer fetches nothing."""
    machine = ready_machine()
    fetch = only(machine.toggle(), fx.FETCH_TOKEN)
    renew = only(machine.token_failed(fetch.request, Failure(messages.TOKEN_EXPIRED, "x")),
                 fx.RENEW_FA_TOKEN)
    machine.toggle()
    assert machine.phase == states.UNAVAILABLE
    assert machine.fa_token_renewed(renew.renewal, "fresh", 0) == []
    assert machine.fa_token == "fresh"
