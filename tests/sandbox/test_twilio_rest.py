"""Twilio's REST API in the emulator, through the real twilio-python and the product's client.

Every request goes the production way: ``server.twilio_rest.TwilioRest`` built from the
settings the sandbox gives the token service, ``TWILIO_REST_URL`` sending twilio-python's
``https://api.twilio.com`` requests to the emulator. Callbacks land on a loopback stub that
checks ``X-Twilio-Signature`` with twilio's RequestValidator against the URL it was sent to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from rest_kit import product_rest
from rest_kit import sandbox_in_thread
from signaling_kit import WebhookStub

from sandbox.runner import Sandbox
from sandbox.signaling.calls import BUSY_NUMBER
from sandbox.signaling.calls import NO_ANSWER_NUMBER
from sandbox.signaling.switchboard import Fault
from server.errors import TwilioRestError
from server.twilio_rest import TwilioRest
from tests.live import free_port
from tests.live import wait_until

PHONE = "+15551230001"
OTHER_PHONE = "+15551230002"
ALL_CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    with sandbox_in_thread() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def rest(live) -> TwilioRest:
    return product_rest(live)


@pytest.fixture
def stub(live) -> Iterator[WebhookStub]:
    with WebhookStub(live.credentials.auth_token) as webhook:
        yield webhook


@pytest.fixture(autouse=True)
def no_faults(live) -> Iterator[None]:
    yield
    live.run_on_loop(live.emulator.clear())


def refused(rest: TwilioRest, request) -> TwilioRestError:
    with pytest.raises(TwilioRestError) as caught:
        rest.call(request)
    return caught.value


def emulated(live: Sandbox, sid: str) -> dict[str, Any]:
    """The emulator's own record of a call (control API view)."""
    return live.run_on_loop(live.emulator.call(sid))


def wait_for_status(live: Sandbox, rest: TwilioRest, sid: str, status: str) -> Any:
    return wait_until(lambda: (call := rest.call(lambda c: c.calls(sid).fetch())).status == status
                      and call, what=f"call {sid} to be {status}", changes=live.emulator.changes)


def test_call_to_a_number_rings_answers_runs_its_twiml_and_reports_progress(live, rest, stub):
    """A REST call to a number answers, runs its Twiml and POSTs every status event in order."""
    caller_id = live.credentials.caller_id
    call = rest.call(lambda c: c.calls.create(
        to=PHONE, from_=caller_id, twiml="<Response><Say>Hello</Say><Play>hi.wav</Play></Response>",
        status_callback=stub.base + "/status", status_callback_event=ALL_CALL_EVENTS))
    assert (call.status, call.direction, call.to, call._from) == (
        "queued", "outbound-api", PHONE, caller_id)
    done = wait_for_status(live, rest, call.sid, "completed")
    assert done.duration == "0" and done.start_time is not None
    record = emulated(live, call.sid)
    assert record["said"] == ["Hello"]
    assert [entry["url"] for entry in record["played"]] == ["hi.wav"]
    wait_until(lambda: len(stub.signed_forms("/status")) == 4, what="four status callbacks",
               changes=stub.changes)
    forms = stub.signed_forms("/status")
    assert [form["CallStatus"] for form in forms] == ["queued", "ringing", "in-progress",
                                                      "completed"]
    assert [form["SequenceNumber"] for form in forms] == ["0", "1", "2", "3"]
    assert {form["CallSid"] for form in forms} == {call.sid}
    assert forms[-1]["CallbackSource"] == "call-progress-events"


def test_call_with_a_url_fetches_signed_twiml_when_answered(live, rest, stub):
    """With Url, the answered call POSTs a signed request there and follows the TwiML."""
    stub.twiml = "<Response><Say>From the URL</Say></Response>"
    call = rest.call(lambda c: c.calls.create(to=PHONE, from_=live.credentials.caller_id,
                                              url=stub.base + "/answer"))
    wait_for_status(live, rest, call.sid, "completed")
    (form,) = stub.signed_forms("/answer")
    assert (form["CallSid"], form["Direction"], form["CallStatus"]) == (
        call.sid, "outbound-api", "in-progress")
    assert emulated(live, call.sid)["said"] == ["From the URL"]


@pytest.mark.parametrize(("to", "outcome"), [(BUSY_NUMBER, "busy"), ("client:nobody", "no-answer")])
def test_unanswered_calls_end_with_twilios_status(live, rest, to, outcome):
    """The busy number is busy; an identity with no registered Device is not answered."""
    call = rest.call(lambda c: c.calls.create(to=to, from_=live.credentials.caller_id,
                                              twiml="<Response/>"))
    wait_for_status(live, rest, call.sid, outcome)


@pytest.mark.parametrize(("fields", "code"), [
    ({"to": "", "from_": "+15005550006", "twiml": "<Response/>"}, 21201),
    ({"to": PHONE, "from_": "", "twiml": "<Response/>"}, 21213),
    ({"to": PHONE, "from_": "+15005550006"}, 21205),
    ({"to": PHONE, "from_": "+15005550006", "url": "not a url"}, 21205),
    ({"to": "555-1234", "from_": "+15005550006", "twiml": "<Response/>"}, 21211),
    ({"to": "client:bad-name!", "from_": "+15005550006", "twiml": "<Response/>"}, 21211),
    ({"to": PHONE, "from_": "+15557770009", "twiml": "<Response/>"}, 21210),
    ({"to": PHONE, "from_": "+15005550006", "twiml": "<Response/>", "timeout": 0}, 20001),
    ({"to": PHONE, "from_": "+15005550006", "twiml": "<Response><Pause length='x'/></Response>"},
     20001),
    ({"to": PHONE, "from_": "+15005550006", "twiml": "<Response/>",
      "status_callback_event": ["exploded"]}, 20001),
])
def test_bad_call_parameters_get_twilios_codes(live, rest, fields, code):
    """Each bad create is Twilio's 400 with its code, kept by the product's error (502)."""
    error = refused(rest, lambda c: c.calls.create(**fields))
    assert (error.status, error.code, error.twilio_code) == (502, "twilio_refused", code)


def test_wrong_credentials_are_refused_and_the_account_token_is_accepted(live):
    """A wrong secret is 20003; the account SID with its auth token authenticates too."""
    wrong = product_rest(live, TWILIO_API_KEY_SECRET="x" * 40)
    error = refused(wrong, lambda c: c.calls.list())
    assert (error.twilio_code, error.status) == (20003, 502)
    by_account = product_rest(live, TWILIO_API_KEY_SID=live.credentials.account_sid.replace(
        "AC", "SK", 1))
    assert refused(by_account, lambda c: c.calls.list()).twilio_code == 20003
    rest = product_rest(live)
    rest.client.username = live.credentials.account_sid
    rest.client.password = live.credentials.auth_token
    assert isinstance(rest.call(lambda c: c.calls.list()), list)


def test_unknown_resources_are_20404(live, rest):
    """A call or conference sid that names nothing is Twilio's 404."""
    missing = "CA" + "0" * 32
    assert refused(rest, lambda c: c.calls(missing).fetch()).twilio_code == 20404
    assert refused(rest, lambda c: c.conferences("CF" + "0" * 32).fetch()).twilio_code == 20404


def test_lists_filter_and_page(live, rest):
    """List filters by To and Status; twilio-python follows next_page_uri to the emulator."""
    caller_id = live.credentials.caller_id
    sids = [rest.call(lambda c: c.calls.create(to=NO_ANSWER_NUMBER, from_=caller_id,
                                               twiml="<Response/>", timeout=600)).sid
            for _ in range(3)]
    try:
        def ringing() -> list[str]:
            return sorted(call.sid for call in rest.call(lambda c: c.calls.list(
                to=NO_ANSWER_NUMBER, status="ringing", page_size=2)))

        wait_until(lambda: ringing() == sorted(sids), what="three calls ringing, over two pages",
                   changes=live.emulator.changes)
        first = rest.call(lambda c: c.calls.page(to=NO_ANSWER_NUMBER, status="ringing",
                                                 page_size=2))
        assert len(list(first)) == 2 and "Page=1" in first.next_page_url
        assert first.next_page_url.startswith("https://api.twilio.com/2010-04-01/")
        assert len(list(rest.call(lambda c: first.next_page()))) == 1
        assert rest.call(lambda c: c.calls.list(from_=caller_id, status="busy", to=PHONE)) == []
    finally:
        for sid in sids:
            rest.call(lambda c, sid=sid: c.calls(sid).update(status="canceled"))
    for sid in sids:
        wait_for_status(live, rest, sid, "canceled")
    error = refused(rest, lambda c: c.calls(sids[0]).update(twiml="<Response/>"))
    assert error.twilio_code == 21220


def test_new_twiml_redirects_a_live_call_and_completed_hangs_it_up(live, rest):
    """Updating Twiml makes a paused call say goodbye; Status=completed ends a live one;
    canceled leaves an answered call alone, as with Twilio."""
    caller_id = live.credentials.caller_id
    call = rest.call(lambda c: c.calls.create(
        to=PHONE, from_=caller_id, twiml='<Response><Pause length="600"/></Response>'))
    wait_for_status(live, rest, call.sid, "in-progress")
    rest.call(lambda c: c.calls(call.sid).update(twiml="<Response><Say>Goodbye</Say></Response>"))
    wait_for_status(live, rest, call.sid, "completed")
    assert emulated(live, call.sid)["said"] == ["Goodbye"]

    second = rest.call(lambda c: c.calls.create(
        to=PHONE, from_=caller_id, twiml='<Response><Pause length="600"/></Response>'))
    wait_for_status(live, rest, second.sid, "in-progress")
    assert rest.call(lambda c: c.calls(second.sid).update(status="canceled")).status == \
        "in-progress"
    assert rest.call(lambda c: c.calls(second.sid).update(status="completed")).status == \
        "completed"


def test_participants_join_hold_mute_leave_and_the_conference_reports_it(live, rest, stub):
    """Two dialled participants start a conference; hold, mute, removal and the end reach
    the emulator's state and the conference's signed callbacks, in Twilio's order."""
    caller_id = live.credentials.caller_id
    events = ["start", "end", "join", "leave", "hold", "mute", "modify"]

    def dial(to: str, label: str, **extra: Any) -> Any:
        return rest.call(lambda c: c.conferences("support-1").participants.create(
            from_=caller_id, to=to, label=label, conference_status_callback=stub.base + "/conf",
            conference_status_callback_event=events, **extra))

    customer = dial(PHONE, "customer", end_conference_on_exit=False)
    agent = dial(OTHER_PHONE, "agent")
    assert (customer.status, customer.label) == ("queued", "customer")
    (room,) = wait_until(lambda: rest.call(lambda c: c.conferences.list(
        friendly_name="support-1", status="in-progress")), what="the conference to start",
        changes=live.emulator.changes)
    participants = rest.call(lambda c: c.conferences(room.sid).participants)
    wait_until(lambda: all(p.status == "connected" for p in participants.list())
               and len(participants.list()) == 2, what="both participants connected",
               changes=live.emulator.changes)
    assert refused(rest, lambda c: dial(PHONE, "agent")).twilio_code == 16025

    held = rest.call(lambda c: participants("customer").update(hold=True, hold_url="https://media.example.com/music.mp3"))
    assert held.hold is True and held.call_sid == customer.call_sid
    rest.call(lambda c: participants(agent.call_sid).update(muted=True))
    rest.call(lambda c: participants(agent.call_sid).update(end_conference_on_exit=True))
    assert [p.label for p in participants.list(hold=True)] == ["customer"]
    state = live.run_on_loop(live.emulator.state())
    (conference,) = [entry for entry in state["conferences"] if entry["sid"] == room.sid]
    assert [(p["label"], p["hold"], p["muted"], p["end_conference_on_exit"])
            for p in conference["participants"]] == [("customer", True, False, False),
                                                     ("agent", False, True, True)]
    assert emulated(live, customer.call_sid)["conference"] == room.sid
    assert emulated(live, customer.call_sid)["holds"][0]["end"] is None
    assert emulated(live, customer.call_sid)["status"] == "in-progress"  # the call stays up

    rest.call(lambda c: participants("customer").update(hold=False))
    assert rest.call(lambda c: participants("customer").delete()) is True
    wait_for_status(live, rest, customer.call_sid, "completed")
    assert emulated(live, customer.call_sid)["holds"][0]["end"] is not None
    rest.call(lambda c: c.conferences(room.sid).update(status="completed"))
    wait_for_status(live, rest, agent.call_sid, "completed")
    ended = rest.call(lambda c: c.conferences(room.sid).fetch())
    assert (ended.status, ended.reason_conference_ended) == ("completed",
                                                             "conference-ended-via-api")

    wait_until(lambda: any(f["StatusCallbackEvent"] == "conference-end"
                           for f in stub.signed_forms("/conf")), what="conference-end",
               changes=stub.changes)
    assert [(f["StatusCallbackEvent"], f.get("ParticipantLabel")) for f in
            stub.signed_forms("/conf")] == [
        ("participant-join", "customer"), ("conference-start", None),
        ("participant-join", "agent"), ("participant-hold", "customer"),
        ("participant-mute", "agent"), ("participant-modify", "agent"),
        ("participant-unhold", "customer"), ("participant-leave", "customer"),
        ("participant-leave", "agent"), ("conference-end", None)]
    assert [f["SequenceNumber"] for f in stub.signed_forms("/conf")] == [str(n) for n in range(10)]


def test_end_conference_on_exit_releases_the_others_to_their_next_verb(live, rest):
    """When the moderator's call ends, the conference ends and the other call goes on
    after its <Dial> (here: a Say), as Twilio does."""
    caller_id = live.credentials.caller_id
    moderator = rest.call(lambda c: c.calls.create(to=PHONE, from_=caller_id, twiml=(
        '<Response><Dial><Conference endConferenceOnExit="true">room-2</Conference></Dial>'
        "</Response>")))
    guest = rest.call(lambda c: c.calls.create(to=OTHER_PHONE, from_=caller_id, twiml=(
        '<Response><Dial><Conference startConferenceOnEnter="false" waitUrl="wait.mp3">'
        "room-2</Conference></Dial><Say>The meeting is over</Say></Response>")))
    wait_until(lambda: emulated(live, moderator.sid)["conference"]
               and emulated(live, guest.sid)["conference"], what="both in the conference",
               changes=live.emulator.changes)
    rest.call(lambda c: c.calls(moderator.sid).update(status="completed"))
    wait_for_status(live, rest, guest.sid, "completed")
    assert emulated(live, guest.sid)["said"] == ["The meeting is over"]
    (room,) = rest.call(lambda c: c.conferences.list(friendly_name="room-2"))
    assert (room.status, room.reason_conference_ended, room.call_sid_ending_conference) == (
        "completed", "participant-with-end-conference-on-exit-left", moderator.sid)


def test_faults_make_twilio_unavailable_or_too_slow(live):
    """rest_unavailable answers 503 (20503); rest_slow outlasts the client's timeout: both
    are the product's 503, never a trace."""
    rest = product_rest(live, TWILIO_REST_TIMEOUT="1")
    live.run_on_loop(live.emulator.inject(Fault.REST_UNAVAILABLE))
    error = refused(rest, lambda c: c.calls.list())
    assert (error.status, error.code, error.twilio_code) == (503, "twilio_unavailable", 20503)
    live.run_on_loop(live.emulator.clear())
    live.run_on_loop(live.emulator.inject(Fault.REST_SLOW))
    error = refused(rest, lambda c: c.calls.list())
    assert (error.status, error.code, error.message) == (
        503, "twilio_unavailable", "Twilio is unavailable: no answer in time")
    # The emulator still answers, late: let it, before the fault is cleared.
    wait_until(lambda: live.run_on_loop(live.emulator.rest_requests())[-1]["status"] == 200,
               what="the slow answer", changes=live.emulator.changes)


def test_unreachable_twilio_is_503():
    """Nothing listening at TWILIO_REST_URL: the product's 503."""
    with sandbox_in_thread() as other:
        rest = product_rest(other, TWILIO_REST_URL=f"http://127.0.0.1:{free_port()}")
        error = refused(rest, lambda c: c.calls.list())
    assert (error.status, error.code, error.twilio_code) == (503, "twilio_unavailable", None)


def test_rest_requests_are_logged_without_secrets(live, rest):
    """The control API lists each request with its status; no secret appears in it."""
    rest.call(lambda c: c.calls.list(status="completed"))
    response = requests.get(f"{live.config.fusion_origin}/sandbox/api/twilio/rest-requests",
                            timeout=10)
    entries = response.json()["requests"]
    assert entries[-1]["method"] == "GET" and entries[-1]["status"] == 200
    assert entries[-1]["path"].endswith("/Calls.json")
    assert entries[-1]["query"]["Status"] == "completed"
    assert entries[-1]["username"] == live.credentials.api_key_sid
    assert live.credentials.api_key_secret not in response.text
    assert live.credentials.auth_token not in response.text


def test_rest_paths_answer_twilios_error_json_even_for_http_errors(live):
    """Unknown paths, other methods and oversized bodies get Twilio's error JSON."""
    base = f"{live.config.rest_url}/api/2010-04-01/Accounts/{live.credentials.account_sid}"
    auth = (live.credentials.api_key_sid, live.credentials.api_key_secret)
    cases = [("GET", f"{base}/Nothing.json", {}, 404, 20404),
             ("PUT", f"{base}/Calls.json", {}, 405, 20004),
             ("POST", f"{base}/Calls.json", {"data": {"To": "x" * 70_000}}, 413, 20001),
             ("GET", f"{live.config.rest_url}/taskrouter/v1/Workspaces/WS0/Nothing", {}, 404,
              20404)]
    for method, url, extra, status, code in cases:
        response = requests.request(method, url, auth=auth, timeout=10, **extra)
        assert response.status_code == status, url
        assert set(response.json()) == {"code", "message", "more_info", "status"}
        assert (response.json()["code"], response.json()["status"]) == (code, status)

