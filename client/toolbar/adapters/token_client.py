"""TokenClient: the token service, with the agent's faTrustToken: ``GET /api/token`` for a
Twilio Access Token, ``POST /api/dial-check`` before a call.

The token service is same-origin (Netlify proxies ``/api/*`` to it), so no CORS and no
cookies: the faTrustToken Fusion gave the toolbar is the only credential, as a Bearer
token. Every request is bounded by ``tokenTimeoutMs``. What the answers mean is decided in
toolbar/core/tokens.py.

Public names: TokenClient.
"""

import json

from toolbar.adapters import ffi
from toolbar.core import messages
from toolbar.core.errors import Failure
from toolbar.core.tokens import dial_check_url
from toolbar.core.tokens import read_dial_check
from toolbar.core.tokens import read_token_response


class TokenClient:
    """Fetch Twilio Access Tokens from the token service, and ask it before dialling."""

    def __init__(self, settings) -> None:
        self._url = settings.token_url
        self._dial_check_url = dial_check_url(settings.token_url)
        self._timeout_ms = settings.token_timeout_ms

    def fetch(self, fa_token: str):
        """Send the request now; return an awaitable of a fresh Twilio Access Token for the
        agent whose JWT is ``fa_token``.

        Raises (when awaited):
            Failure: TOKEN_EXPIRED, TOKEN_REFUSED, TOKEN_RATE_LIMITED, TOKEN_SERVICE_DOWN or
                TOKEN_BAD_RESPONSE.
        """
        return self._token(self._send(self._url, fa_token, "GET"))

    async def dial_check(self, fa_token: str, number: str):
        """Return the outbound policy's refusal code for calling ``number``, or None.

        Raises:
            Failure: TOKEN_SERVICE_DOWN when the service cannot be asked.
        """
        status, body = await self._answer(self._send(self._dial_check_url, fa_token, "POST",
                                                     json.dumps({"to": number})))
        return read_dial_check(status, body)

    def _send(self, url, fa_token, method, body=None):
        headers = {"Authorization": "Bearer " + fa_token, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        init = ffi.js_object({"method": method, "headers": headers, "cache": "no-store",
                              "credentials": "omit"})
        if body is not None:
            ffi.put(init, "body", body)
        # Aborts the request itself, body included, once the time is up.
        ffi.put(init, "signal", ffi.call_now(ffi.get(ffi.window, "AbortSignal"), "timeout",
                                             self._timeout_ms))
        return ffi.begin(ffi.window, "fetch", url, init)

    async def _token(self, pending):
        status, body = await self._answer(pending)
        return read_token_response(status, body)

    async def _answer(self, pending):
        try:
            response = await pending
            body = await ffi.call(response, "text")
        except ffi.JsError as error:
            raise Failure(messages.TOKEN_SERVICE_DOWN, self._reason(error)) from None
        return int(ffi.get(response, "status")), str(body)

    def _reason(self, error):
        if error.name in ("TimeoutError", "AbortError"):
            return messages.text("detail.no-answer", seconds=str(self._timeout_ms // 1000))
        return error.message
