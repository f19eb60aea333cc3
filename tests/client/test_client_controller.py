"""The Toolbar and its Controller with fake Fusion, Twilio, token service, view and clock.

Framework-free (plain functions and assert): CPython runs them under asyncio.run, and
test_client_micropython runs them again under the vendored MicroPython.
"""

import asyncio

from controller_fakes import Shell
from controller_fakes import scenario
from controller_fakes import until
from test_client_policy import jwt
from toolbar.core import messages
from toolbar.core import payloads
from toolbar.core import states
from toolbar.core.errors import Failure


@scenario
async def test_controller_start_publishes_unavailable_and_renders_ready():
    """Start-up tells Fusion the agent is logged in, unavailable, and shows the agent."""
    shell = Shell()
    await shell.start()
    assert shell.fusion.published == ["UNAVAILABLE"]
    assert shell.view.model["agent"] == "alice_agent"
    assert shell.view.model["label"] == "Unavailable"


@scenario
async def test_controller_token_request_leaves_from_the_click_itself():
    """Not from a task: Chromium runs tasks only after rendering the click (bench/README.md)."""
    shell = Shell()
    await shell.start()
    shell.send(shell.toolbar.toggle())
    assert shell.tokens.requests == ["fa-jwt"]


@scenario
async def test_controller_toggle_round_trip():
    """A click makes one Device with a fresh token; Fusion hears AVAILABLE, then UNAVAILABLE."""
    shell = Shell()
    await shell.start()
    device = await shell.go_available()
    assert shell.tokens.requests == ["fa-jwt"]
    assert shell.vendor.calls == [("start", device, "twilio-token-1")]
    assert shell.fusion.published == ["UNAVAILABLE", "AVAILABLE"]
    assert shell.view.model["label"] == "Available" and shell.view.model["pressed"]
    shell.send(shell.toolbar.toggle())
    await shell.controller.idle()
    assert shell.vendor.calls[-1] == ("stop", device)
    assert shell.fusion.published == ["UNAVAILABLE", "AVAILABLE", "UNAVAILABLE"]
    assert shell.view.model["label"] == "Unavailable"
    assert shell.bugs == []


@scenario
async def test_controller_clicks_during_a_transition_are_ignored():
    """Clicks while going available start no second Device and keep the agent's intent."""
    shell = Shell()
    await shell.start()
    shell.send(shell.toolbar.toggle())
    await shell.controller.idle()
    assert shell.agent.phase == states.GOING_AVAILABLE
    for _ in range(5):
        shell.send(shell.toolbar.toggle())
    await shell.controller.idle()
    assert [call[0] for call in shell.vendor.calls] == ["start"]
    assert shell.agent.wants_available


@scenario
async def test_controller_fusion_agent_commands():
    """Fusion's agent commands get their answers, with the agent's state and engagements."""
    shell = Shell()
    await shell.start()
    answers = shell.fusion.answers
    assert answers[shell.command(payloads.GET_CURRENT_AGENT_STATE)] == (
        payloads.SUCCESS, payloads.agent_state_data(False))
    assert answers[shell.command(payloads.MAKE_AVAILABLE)] == (payloads.SUCCESS, None)
    await shell.controller.idle()
    shell.send(shell.toolbar.device_registered(shell.vendor.calls[-1][1]))
    await shell.controller.idle()
    assert answers[shell.command(payloads.GET_CURRENT_AGENT_STATE)][1]["state"] == "AVAILABLE"
    assert answers[shell.command(payloads.GET_ACTIVE_ENGAGEMENTS)] == (
        payloads.SUCCESS, {"activeCount": 0, "engagements": []})
    assert answers[shell.command(payloads.MAKE_UNAVAILABLE)] == (payloads.SUCCESS, None)
    await shell.controller.idle()
    assert shell.fusion.published[-1] == "UNAVAILABLE"
    assert answers[shell.command("dance")] == (payloads.FAILURE, None)


@scenario
async def test_controller_make_available_fails_after_a_failed_start():
    """After a failed start-up, Fusion's makeAvailable is refused and the failure shown."""
    shell = Shell()
    shell.fusion.failure = Failure(messages.UEF_TIMEOUT, "10 s")
    await shell.start(ready=False)
    assert shell.agent.phase == states.ERROR
    assert shell.view.model["failure"] == messages.UEF_TIMEOUT
    request = shell.command(payloads.MAKE_AVAILABLE)
    assert shell.fusion.answers[request] == (payloads.FAILURE, None)


@scenario
async def test_controller_slow_fusion_does_not_hold_back_publishes():
    """Publishes are sent in the core's order, without waiting for earlier answers."""
    shell = Shell()
    await shell.start()
    shell.fusion.gate = asyncio.Event()
    shell.send(shell.toolbar.toggle())
    await shell.controller.idle()
    device = shell.vendor.calls[-1][1]
    shell.send(shell.toolbar.device_registered(device))
    shell.send(shell.toolbar.device_unregistered(device))
    await until(lambda: len(shell.fusion.sent) == 3, "both publishes to be sent")
    assert shell.fusion.sent == ["UNAVAILABLE", "AVAILABLE", "UNAVAILABLE"]
    assert shell.fusion.published == ["UNAVAILABLE"]
    shell.fusion.gate.set()
    await shell.controller.idle()
    assert shell.fusion.published == ["UNAVAILABLE", "AVAILABLE", "UNAVAILABLE"]
    assert shell.agent.phase == states.RECONNECTING


@scenario
async def test_controller_token_refused_shows_why():
    """A refused token starts no Device; the agent reads why and stays unavailable."""
    shell = Shell()
    await shell.start()
    shell.tokens.failure = Failure(messages.TOKEN_REFUSED, "HTTP 401")
    shell.send(shell.toolbar.toggle())
    await shell.controller.idle()
    assert shell.vendor.calls == []
    assert shell.view.model["failure"] == messages.TOKEN_REFUSED
    assert shell.view.model["label"] == "Unavailable" and not shell.view.model["pressed"]


@scenario
async def test_controller_vendor_refusal_and_bug():
    """A Device the SDK refuses, or a bug in the vendor, leaves the agent unavailable."""
    shell = Shell()
    await shell.start()
    shell.vendor.failure = Failure(messages.DEVICE_FAILED, "no WebRTC")
    shell.send(shell.toolbar.toggle())
    await shell.controller.idle()
    assert shell.view.model["failure"] == messages.DEVICE_FAILED
    shell.vendor.failure = RuntimeError("oops")
    shell.send(shell.toolbar.toggle())
    await shell.controller.idle()
    assert shell.bugs and "RuntimeError: oops" in shell.bugs[0]
    assert shell.agent.phase == states.UNAVAILABLE
    assert shell.view.model["failure"] == messages.DEVICE_FAILED


@scenario
async def test_controller_registration_timeout():
    """No registration within registerTimeoutMs: the Device stops and the agent reads why."""
    shell = Shell(register_timeout_ms=30)
    await shell.start()
    shell.send(shell.toolbar.toggle())
    await shell.controller.idle()
    device = shell.vendor.calls[-1][1]
    shell.send(shell.toolbar.device_error(device, 31005, "ConnectionError"))
    assert [seconds for seconds, _, _ in shell.clock.pending] == [0.03]
    await shell.clock.fire()
    await shell.controller.idle()
    assert shell.vendor.calls[-1] == ("stop", device)
    assert shell.view.model["failure"] == messages.TWILIO_UNREACHABLE
    assert shell.fusion.published == ["UNAVAILABLE"]


@scenario
async def test_controller_registration_in_time_outlives_its_timer():
    """The registration timer running out after the Device registered changes nothing."""
    shell = Shell(register_timeout_ms=30)
    await shell.start()
    await shell.go_available()
    await shell.clock.fire()
    await shell.controller.idle()
    assert shell.agent.phase == states.AVAILABLE and shell.view.model["failure"] == ""


@scenario
async def test_controller_token_refresh():
    """tokenWillExpire fetches a fresh token and hands it to the same Device."""
    shell = Shell()
    await shell.start()
    device = await shell.go_available()
    shell.send(shell.toolbar.token_will_expire(device))
    await shell.controller.idle()
    assert shell.vendor.calls[-1] == ("update", device, "twilio-token-2")
    assert shell.agent.phase == states.AVAILABLE


@scenario
async def test_controller_bug_in_a_publish_is_reported_and_survived():
    """A bug while publishing is reported, and the agent is taken unavailable, safely."""
    shell = Shell()
    await shell.start()
    shell.fusion.failure = KeyError("state")
    device = await shell.go_available()
    assert shell.bugs
    assert shell.vendor.calls[-1] == ("stop", device)
    assert shell.agent.phase == states.UNAVAILABLE


@scenario
async def test_controller_events_before_any_device_are_ignored():
    """Device events naming no Device of ours change nothing and raise nothing."""
    shell = Shell()
    await shell.start()
    toolbar = shell.toolbar
    for event in (toolbar.device_registering, toolbar.device_registered,
                  toolbar.device_unregistered, toolbar.token_will_expire):
        shell.send(event(7))
        await shell.controller.idle()
        assert shell.agent.phase == states.UNAVAILABLE and shell.bugs == []
    assert shell.vendor.calls == [] and shell.fusion.published == ["UNAVAILABLE"]


@scenario
async def test_controller_fusion_accept_waits_for_the_call_and_unavailable_is_refused():
    """Fusion's accept is answered once the call connects; going unavailable meanwhile is
    refused with the reason, and the call's events reach Fusion in order."""
    shell = Shell()
    await shell.start()
    device = await shell.go_available()
    toolbar = shell.toolbar
    shell.send(toolbar.call_incoming(device, "CA1", "+15557770001"))
    await shell.controller.idle()
    assert shell.view.model["call"]["state"] == "ringing"
    assert shell.view.model["call"]["name"] == "Ada"
    accept = shell.interaction("accept", "CA1")
    await shell.controller.idle()
    assert accept not in shell.fusion.answers
    assert shell.vendor.calls[-1] == ("accept", "CA1", None)
    shell.send(toolbar.call_accepted("CA1"))
    await shell.controller.idle()
    assert shell.fusion.answers[accept] == (payloads.SUCCESS, None)
    shell.send(toolbar.toggle())
    result, out = shell.fusion.answers[shell.command(payloads.MAKE_UNAVAILABLE)]
    assert result == payloads.FAILURE and out["reason"].startswith("Finish your call")
    assert shell.agent.wants_available
    assert shell.view.model["status"].startswith("Finish your call")
    result, out = shell.fusion.answers[shell.command(payloads.GET_ACTIVE_ENGAGEMENTS)]
    assert out == {"activeCount": 1, "engagements": [{"eventId": "CA1"}]}
    shell.send(toolbar.hang_up())
    await shell.controller.idle()
    assert [sent for sent in shell.fusion.sent if isinstance(sent, tuple)] == [
        ("newCommEvent", None), ("startCommEvent", None), ("closeCommEvent", "WRAPUP")]
    assert shell.view.model["call"]["state"] == "idle"
    assert shell.bugs == []


@scenario
async def test_controller_a_call_from_a_replaced_device_is_ignored():
    """An incoming call reported by a Device that is not the current one offers nothing."""
    shell = Shell()
    await shell.start()
    device = await shell.go_available()
    shell.send(shell.toolbar.call_incoming(device + 100, "CA9", "+15557770001"))
    await shell.controller.idle()
    assert shell.view.model["call"]["state"] == "idle"
    assert not [sent for sent in shell.fusion.sent if isinstance(sent, tuple)]


@scenario
async def test_controller_fa_token_renewed_before_it_expires():
    """A timer set from the JWT's exp asks Fusion again; the next fetch uses the new token."""
    first, second = jwt({"iat": 1000, "exp": 1015}), jwt({"iat": 1010, "exp": 1025})
    shell = Shell()
    shell.fusion.fa_tokens = [first, second]
    await shell.start()
    assert [seconds for seconds, _, _ in shell.clock.pending] == [10]
    device = await shell.go_available()
    await shell.clock.fire()
    await shell.controller.idle()
    assert shell.fusion.configurations == 2
    shell.send(shell.toolbar.token_will_expire(device))
    await shell.controller.idle()
    assert shell.tokens.requests == [first, second]
    assert shell.vendor.calls[-1] == ("update", device, "twilio-token-2")
    assert shell.agent.phase == states.AVAILABLE
    assert shell.fusion.published == ["UNAVAILABLE", "AVAILABLE"]
    assert 10 in [seconds for seconds, _, _ in shell.clock.pending]  # and again, in time


@scenario
async def test_controller_expired_fa_token_renewed_then_retried_once():
    """401 "expired": Fusion is asked for a fresh token and the fetch retried with it."""
    shell = Shell()
    shell.fusion.fa_tokens = ["old", "new"]
    shell.tokens.failures = {"old": Failure(messages.TOKEN_EXPIRED, "HTTP 401: token has expired")}
    await shell.start()
    device = await shell.go_available()
    assert shell.tokens.requests == ["old", "new"] and shell.fusion.configurations == 2
    assert shell.vendor.calls == [("start", device, "twilio-token-2")]
    assert shell.agent.phase == states.AVAILABLE


@scenario
async def test_controller_expired_twice_is_not_retried_again():
    """The retry refused too: the agent reads why and stays unavailable; no third request."""
    shell = Shell()
    shell.fusion.fa_tokens = ["old", "new"]
    expired = Failure(messages.TOKEN_EXPIRED, "HTTP 401: token has expired")
    shell.tokens.failures = {"old": expired, "new": expired}
    await shell.start()
    shell.send(shell.toolbar.toggle())
    await shell.controller.idle()
    assert shell.tokens.requests == ["old", "new"] and shell.vendor.calls == []
    assert shell.view.model["failure"] == messages.TOKEN_EXPIRED
    assert shell.agent.phase == states.UNAVAILABLE


@scenario
async def test_controller_refresh_waits_for_a_failed_renewal():
    """Fusion gives no new token after a 401 expired: the refresh fails, and says so."""
    shell = Shell()
    await shell.start()
    device = await shell.go_available()
    shell.tokens.failure = Failure(messages.TOKEN_EXPIRED, "HTTP 401: token has expired")
    shell.fusion.configuration_failure = Failure(messages.UEF_TIMEOUT, "no answer")
    shell.send(shell.toolbar.token_will_expire(device))
    await shell.controller.idle()
    assert shell.view.model["failure"] == messages.REFRESH_FAILED
    assert shell.vendor.calls[-1] == ("stop", device)
    assert shell.bugs and "faTrustToken" in shell.bugs[-1]


@scenario
async def test_controller_unlisted_frame_does_not_start():
    """Framed by a page not in fusionOrigins: nothing is asked of it; #status says why."""
    for parent, ancestor in (("https://evil.example", "https://evil.example"),
                             ("https://acme.fa.us2.oraclecloud.com", "https://evil.example"),
                             (None, None)):
        shell = Shell()
        await shell.start(ready=False, parent=parent, ancestor=ancestor)
        assert shell.fusion.configurations == 0 and shell.fusion.sent == []
        assert shell.view.model["failure"] == messages.FUSION_ORIGIN
        assert "fusionOrigins" in shell.view.model["status"]
        assert shell.agent.phase == states.ERROR


@scenario
async def test_controller_dial_check_refusal_is_explained_and_not_dialled():
    """The policy refuses: no call is placed, the agent reads why, Fusion hears REJECT."""
    shell = Shell()
    await shell.start()
    device = await shell.go_available()
    shell.tokens.refusals = {"+19005550100": "premium_rate"}
    shell.send(shell.toolbar.dial("+1 900 555 0100"))
    await shell.controller.idle()
    assert shell.tokens.dial_checks == [("fa-jwt", "+19005550100")]
    assert [call for call in shell.vendor.calls if call[0] == "dial"] == []
    assert "premium-rate" in shell.view.model["status"]
    assert (payloads.CLOSE_COMM_EVENT, "REJECT") in shell.fusion.sent
    shell.send(shell.toolbar.dial("+14155550101"))
    await shell.controller.idle()
    assert shell.vendor.calls[-1][0] == "dial" and shell.vendor.calls[-1][2] == "+14155550101"
    assert device == shell.agent.device


@scenario
async def test_controller_dial_check_unreachable_dials_anyway():
    """The check itself fails: the call goes ahead, as /voice decides again."""
    shell = Shell()
    await shell.start()
    await shell.go_available()
    shell.tokens.refusals = {"+14155550101": Failure(messages.TOKEN_SERVICE_DOWN, "HTTP 503")}
    shell.send(shell.toolbar.dial("+14155550101"))
    await shell.controller.idle()
    assert shell.vendor.calls[-1][0] == "dial"
    assert shell.bugs and "/voice decides" in shell.bugs[-1]
