"""The outbound policy: what /voice refuses to dial, and what /dial-check tells the toolbar.

Both routes ask one policy, so each case runs through both: /voice (signed like Twilio's
webhook) must answer TwiML that says why and hangs up, /dial-check the JSON error whose code
the toolbar turns into words. The default test caller ID is a US number.
"""

import xml.etree.ElementTree as ET

import pytest

TOOLBAR_ORIGIN = "https://fusion.example.test"

# (target, code): every reason the policy gives, with the default settings (US only).
REFUSED = [
    ("+19005550100", "premium_rate"),  # US 900 numbers: premium rate
    ("+882134000001", "international_network"),  # an international network, no country
    ("+881612345678", "international_network"),  # a satellite phone
    ("+18762345678", "country_not_allowed"),  # +1, but Jamaica: the one-ring scam's favourite
    ("+442071838750", "country_not_allowed"),  # London: not in the default (US)
    ("+15005550199", "personal_number"),  # US 500: follow-me numbers
    ("client:mallory", "not_an_agent"),  # no such agent
    ("client:bad.name", "invalid_number"),
    ("+9991234567", "invalid_number"),  # no country has calling code 999
    ("5551234567", "invalid_number"),  # not E.164
]
ALLOWED = ["+14155550123", "+16505551234", "+15551234567", "client:bob_2", "+18005550100"]


def spoken(response) -> list[tuple[str, str | None]]:
    """The TwiML's verbs and their text."""
    assert response.status_code == 200
    return [(verb.tag, verb.text) for verb in ET.fromstring(response.data)]


def dial_check(client, idp, to, **headers):
    return client.post("/dial-check", json={"to": to}, headers={**idp.bearer(), **headers})


@pytest.mark.parametrize(("target", "code"), REFUSED)
def test_policy_refused_target_is_explained_by_both_routes(client, idp, twilio, assert_error,
                                                           target, code):
    """/dial-check answers 403 with the reason's code; /voice says the same sentence, hangs up."""
    error = assert_error(dial_check(client, idp, target), 403, code)

    voice = twilio.post({"From": "client:alice", "To": target})

    assert spoken(voice) == [("Say", error["message"]), ("Hangup", None)]


@pytest.mark.parametrize("target", ALLOWED)
def test_policy_allowed_target_is_dialled(client, idp, twilio, target):
    """US numbers (even in ranges phonenumbers does not know, such as 555), toll-free numbers
    and agents are allowed; /voice dials them."""
    response = dial_check(client, idp, target)

    assert response.status_code == 200
    assert response.get_json() == {"allowed": True, "to": target}
    assert spoken(twilio.post({"From": "client:alice", "To": target,
                               "CallSid": "CA" + "4" * 32}))[0][0] == "Dial"


def test_policy_countries_setting_takes_regions_and_calling_codes(make_app, idp):
    """TOOLBAR_DIAL_COUNTRIES=GB,+33 allows London and Paris, and then no longer the US."""
    client = make_app(TOOLBAR_DIAL_COUNTRIES="GB,+33").test_client()

    statuses = [dial_check(client, idp, to).status_code
                for to in ("+442071838750", "+33142685300", "+14155550123")]  # fmt: skip

    assert statuses == [200, 200, 403]


def test_policy_costly_types_refused_in_allowed_countries(make_app, idp, assert_error):
    """Premium-rate and shared-cost numbers stay refused in a country that is allowed."""
    client = make_app(TOOLBAR_DIAL_COUNTRIES="GB,FR").test_client()

    assert_error(dial_check(client, idp, "+449012345678"), 403, "premium_rate")
    assert_error(dial_check(client, idp, "+33892123456"), 403, "premium_rate")
    assert_error(dial_check(client, idp, "+33810123456"), 403, "shared_cost")


def test_policy_deny_prefixes(make_app, idp, twilio, assert_error):
    """TOOLBAR_DIAL_DENY refuses its prefixes, through /voice too."""
    app = make_app(TOOLBAR_DIAL_DENY="+1415555,+1212")
    client = app.test_client()

    assert_error(dial_check(client, idp, "+14155550123"), 403, "denied_prefix")
    assert dial_check(client, idp, "+16505550123").status_code == 200
    refused = twilio.post({"From": "client:alice", "To": "+12125550123"}, via=client)
    assert spoken(refused)[0][0] == "Say"


def test_policy_voice_logs_calls_placed_and_refused(twilio, caplog):
    """Each call placed or refused by the policy is one log line with caller, target, reason."""
    with caplog.at_level("INFO", logger="server.voice"):
        twilio.post({"From": "client:alice", "To": "+14155550123"})
        twilio.post({"From": "client:alice", "To": "+19005550100"})

    events = [(r.event, r.caller, r.to, getattr(r, "reason", None)) for r in caplog.records
              if r.name == "server.voice"]  # not the REST emulator's request lines
    assert events == [
        ("call_placed", "alice", "+14155550123", None),
        ("call_refused", "alice", "+19005550100", "premium_rate"),
    ]


def test_dial_check_needs_an_agents_jwt(client, idp, assert_error):
    """/dial-check takes the same JWT as /token: none, or a non-agent's, is refused."""
    assert_error(client.post("/dial-check", json={"to": "+14155550123"}), 401, "invalid_token")
    response = client.post("/dial-check", json={"to": "+14155550123"}, headers=idp.bearer("eve"))
    assert_error(response, 403, "not_an_agent")


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"to": 5}', b'{"number": "+1"}'])
def test_dial_check_bad_body_is_400(client, idp, assert_error, body):
    """A body that is not {"to": "<string>"} is a clear 400, never a 500."""
    headers = {**idp.bearer(), "Content-Type": "application/json"}

    assert_error(client.post("/dial-check", data=body, headers=headers), 400, "bad_request")


def test_dial_check_is_rate_limited_apart_from_token(make_app, idp, assert_error):
    """/dial-check has its own budget: spending it leaves the agent's token refresh alone."""
    client = make_app(TOOLBAR_RATE_LIMIT_IDENTITY="2/minute").test_client()

    statuses = [dial_check(client, idp, "+14155550123").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert client.get("/token", headers=idp.bearer()).status_code == 200


def test_dial_check_cors_preflight_allows_the_toolbars_post(client):
    """The toolbar's cross-origin POST with a JSON body passes its preflight."""
    response = client.options("/dial-check", headers={
        "Origin": TOOLBAR_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})  # fmt: skip

    assert response.headers["Access-Control-Allow-Origin"] == TOOLBAR_ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "content-type"} <= set(allowed.replace(" ", "").split(","))
