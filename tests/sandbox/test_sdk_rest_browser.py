"""A REST-created call rings the real Voice SDK in Chromium and is controlled over REST.

The sandbox runs in process (tests/sandbox/rest_kit.py) so that the product's own REST
client can be built from the settings it gives the token service; the page is
tests/pages/sdk.html, as in test_sdk_browser.py. What Twilio makes happen to the SDK's call
is what is checked: nothing while it is on hold or muted (it stays open), a disconnect when
its participant is removed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_kit import product_rest
from rest_kit import sandbox_in_thread
from signaling_kit import WebhookStub
from test_sdk_browser import AGENT
from test_sdk_browser import SdkPage

from sandbox.runner import Sandbox
from tests.live import LiveSandbox
from tests.live import holds_for
from tests.live import wait_until

pytestmark = pytest.mark.browser

CUSTOMER = "+15551230001"


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    with sandbox_in_thread() as sandbox:
        yield sandbox


@pytest.fixture
def page(browser, live) -> SdkPage:
    driven = LiveSandbox(port=live.config.port, signaling_port=live.config.signaling_port,
                         process=None)
    return SdkPage(browser, driven).open()


def test_rest_call_rings_the_device_joins_the_conference_and_is_held_muted_and_removed(
        page, live):
    """Ringing, answer, conference, hold and mute (the call stays up), removal (it ends)."""
    rest = product_rest(live)
    caller_id = live.credentials.caller_id
    page.register()
    with WebhookStub(live.credentials.auth_token) as stub:
        twiml = (f'<Response><Dial><Conference participantLabel="agent" '
                 f'statusCallback="{stub.base}/conf" statusCallbackEvent="join leave hold">'
                 "support-7</Conference></Dial></Response>")
        call = rest.call(lambda c: c.calls.create(to=f"client:{AGENT}", from_=caller_id,
                                                  twiml=twiml))
        incoming = page.wait_for("device:incoming")
        assert (incoming["callSid"], incoming["from"], incoming["to"]) == (
            call.sid, caller_id, f"client:{AGENT}")
        assert page.js("return harness.call.parameters.AccountSid") == \
            live.credentials.account_sid
        page.js("harness.call.accept()")
        page.wait_for("call:accept")
        (room,) = wait_until(lambda: rest.call(lambda c: c.conferences.list(
            friendly_name="support-7", status="in-progress")), what="the agent's conference",
            changes=live.emulator.changes)
        participants = rest.call(lambda c: c.conferences(room.sid).participants)
        rest.call(lambda c: participants.create(from_=caller_id, to=CUSTOMER, label="customer"))
        wait_until(lambda: [p.status for p in participants.list()] == ["connected"] * 2,
                   what="the customer to join", changes=live.emulator.changes)

        rest.call(lambda c: participants("agent").update(hold=True))
        rest.call(lambda c: participants("agent").update(muted=True))
        (state,) = [entry for entry in live.run_on_loop(live.emulator.state())["conferences"]
                    if entry["sid"] == room.sid]
        assert [(p["label"], p["hold"], p["muted"]) for p in state["participants"]] == [
            ("agent", True, True), ("customer", False, False)]

        def still_up() -> None:
            assert page.js("return harness.call.status()") == "open"

        holds_for(still_up, 1.0, changes=page.changes)  # hold and mute change nothing the SDK sees
        assert not [e for e in page.events() if e["name"] == "call:disconnect"]

        assert rest.call(lambda c: participants("agent").delete()) is True
        page.wait_for("call:disconnect")
        assert rest.call(lambda c: c.calls(call.sid).fetch()).status == "completed"
        assert [p.label for p in participants.list()] == ["customer"]
        rest.call(lambda c: c.conferences(room.sid).update(status="completed"))
        wait_until(lambda: [f["StatusCallbackEvent"] for f in stub.signed_forms("/conf")][-1:]
                   == ["participant-leave"] and len(stub.signed_forms("/conf")) == 5,
                   what="the conference's callbacks", changes=stub.changes)
        events = [(f["StatusCallbackEvent"], f.get("ParticipantLabel"))
                  for f in stub.signed_forms("/conf")]
        assert events == [("participant-join", "agent"), ("participant-join", "customer"),
                          ("participant-hold", "agent"), ("participant-leave", "agent"),
                          ("participant-leave", "customer")]
