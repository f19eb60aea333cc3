"""The service's one Twilio REST client: twilio-python, built once from the settings.

Every REST request the service makes goes through :meth:`TwilioRest.call`, which turns what
can go wrong (a timeout, a refused connection, a 5xx, one of Twilio's error codes) into one
:class:`~server.errors.TwilioRestError`, answered in the service's JSON error shape.

``TWILIO_REST_URL`` (unset in production) sends the library's requests for
``https://<domain>.twilio.com/<path>`` to ``<TWILIO_REST_URL>/<domain>/<path>`` instead, through
:class:`RedirectingHttpClient`: the library and every call site stay as they are for Twilio.
The subset an emulator must answer is described in docs/twilio-rest.md.

``create_app`` keeps the instance in ``app.extensions["twilio_rest"]``.

Public names: RedirectingHttpClient, TwilioRest.
"""

import json
import re
from collections.abc import Callable
from typing import TypeVar

import requests
from twilio.base.exceptions import TwilioException
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from server.config import Settings
from server.errors import TwilioRestError

T = TypeVar("T")

# What twilio-python requests: https://api.twilio.com/2010-04-01/…, https://taskrouter.twilio.com/v1/…
_TWILIO_URL = re.compile(r"https://(?P<domain>[a-z0-9-]+)\.twilio\.com/(?P<path>.*)", re.DOTALL)


class RedirectingHttpClient(TwilioHttpClient):
    """twilio-python's own HTTP client, with Twilio's host swapped for ``base_url``.

    Page URLs (``next_page_uri``) come through here too, so paging stays on ``base_url``.
    """

    def __init__(self, base_url: str, *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")
        # The emulator is on loopback: no proxy from the environment stands in between.
        if self.session is not None:
            self.session.trust_env = False

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send the request to ``base_url`` instead of Twilio; any other URL is refused."""
        match = _TWILIO_URL.fullmatch(url)
        if match is None:
            raise TwilioException(f"not a Twilio URL: {url!r}")
        redirected = f"{self.base_url}/{match['domain']}/{match['path']}"
        return super().request(method, redirected, params, data, headers, auth, timeout,
                               allow_redirects)


class TwilioRest:
    """The twilio-python ``Client`` of this service, authenticated with its API key."""

    def __init__(self, settings: Settings) -> None:
        timeout = settings.twilio_rest_timeout
        http_client = (RedirectingHttpClient(settings.twilio_rest_url, timeout=timeout)
                       if settings.twilio_rest_url else TwilioHttpClient(timeout=timeout))
        self.client = Client(settings.twilio_api_key_sid, settings.twilio_api_key_secret,
                             settings.twilio_account_sid, http_client=http_client)

    def call(self, request: Callable[[Client], T]) -> T:
        """Return ``request(client)``; every failure becomes a TwilioRestError.

        Raises:
            TwilioRestError: 503 if Twilio is unreachable, too slow or failing, 502 if it
                refused the request (its error code kept in ``twilio_code``).
        """
        try:
            return request(self.client)
        except TwilioRestException as error:
            raise _answered(error.status, error.code, error.msg) from None
        except requests.Timeout:
            raise TwilioRestError.unreachable("no answer in time") from None
        except requests.RequestException as error:
            raise TwilioRestError.unreachable(type(error).__name__) from None
        except TwilioException as error:
            # List pages raise TwilioException("Unable to fetch page", response) instead.
            answer = error.args[1] if len(error.args) > 1 else None
            if isinstance(answer, Response):
                body = _json_object(answer.text)
                raise _answered(answer.status_code, body.get("code"),
                                str(body.get("message", error.args[0]))) from None
            raise TwilioRestError.unreachable(_sentence(str(error))) from None


def _answered(status: int, code: object, message: str) -> TwilioRestError:
    """The error for an HTTP error answer from Twilio: 5xx is unavailable, 4xx refused."""
    twilio_code = code if isinstance(code, int) else None
    if status >= 500:
        return TwilioRestError.unreachable(f"HTTP {status}", twilio_code)
    return TwilioRestError.refused(twilio_code, _sentence(message))


def _json_object(text: str) -> dict[str, object]:
    try:
        body = json.loads(text)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _sentence(text: str) -> str:
    # twilio-python prefixes "Unable to fetch record: " and may add ANSI colours and newlines.
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return " ".join(text.split())[:300]
