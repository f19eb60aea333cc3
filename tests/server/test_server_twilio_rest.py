"""The service's REST client: TWILIO_REST_URL, and REST failures in the one JSON error shape.

Its conversation with the emulator (every resource, auth, errors, paging, faults) is in
tests/sandbox/test_twilio_rest.py; here is what needs no emulator.
"""

import pytest
from flask import Flask
from flask import current_app
from twilio.base.exceptions import TwilioException

from server.config import ConfigError
from server.config import load_settings
from server.twilio_rest import RedirectingHttpClient
from server.twilio_rest import TwilioRest
from tests.live import free_port


@pytest.mark.parametrize("url", ["", "https://twilio-emulator.example.com/rest",
                                 "http://127.0.0.1:8000/sandbox/twilio/rest",
                                 "http://localhost:9/x/", "http://[::1]:9"])
def test_config_rest_url_takes_https_or_loopback_http(environ, url):
    """Empty means Twilio; https anywhere; plain http only to this machine."""
    settings = load_settings({**environ, "TWILIO_REST_URL": url})
    assert settings.twilio_rest_url == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://twilio-emulator.example.com", "ftp://127.0.0.1/x",
                                 "https://example.com/x?debug=1", "not a url", "http://[::1"])
def test_config_rest_url_refuses_plain_http_over_a_network_and_junk(environ, url):
    """A plain-http emulator elsewhere would carry the API key secret in clear: refused."""
    with pytest.raises(ConfigError, match="^TWILIO_REST_URL: must be an https:// URL"):
        load_settings({**environ, "TWILIO_REST_URL": url})


def test_redirecting_client_sends_twilio_urls_to_the_base_and_refuses_others():
    """Only https://<domain>.twilio.com/… is rewritten; any other URL is refused, not sent."""
    client = RedirectingHttpClient(f"http://127.0.0.1:{free_port()}/rest/", timeout=1)
    assert client.base_url.endswith("/rest")
    with pytest.raises(TwilioException, match="not a Twilio URL"):
        client.request("GET", "https://example.com/2010-04-01/Accounts.json")


def test_production_client_talks_to_twilio_itself(environ):
    """Without TWILIO_REST_URL, twilio-python's own HTTP client and Twilio's hosts are used."""
    rest = TwilioRest(load_settings({**environ, "TWILIO_REST_URL": ""}))
    assert not isinstance(rest.client.http_client, RedirectingHttpClient)
    assert rest.client.username == environ["TWILIO_API_KEY_SID"]
    assert rest.client.account_sid == environ["TWILIO_ACCOUNT_SID"]


def test_unreachable_twilio_is_a_json_503_not_a_trace(make_app, assert_error):
    """A route whose REST call finds nobody answers 503 twilio_unavailable in the JSON shape."""
    app: Flask = make_app(TWILIO_REST_URL=f"http://127.0.0.1:{free_port()}",
                          TWILIO_REST_TIMEOUT="1")

    @app.get("/calls-now")
    def calls_now() -> str:
        rest = current_app.extensions["twilio_rest"]
        return str(len(rest.call(lambda client: client.calls.list(status="in-progress"))))

    error = assert_error(app.test_client().get("/calls-now"), 503, "twilio_unavailable")
    assert error["message"] == "Twilio is unavailable: ConnectionError"
