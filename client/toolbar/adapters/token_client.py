"""TokenClient: ``GET /api/token`` with the agent's faTrustToken, for a Twilio Access Token.

The token service is same-origin (Netlify proxies ``/api/*`` to it), so no CORS and no
cookies: the faTrustToken Fusion gave the toolbar is the only credential, as a Bearer
token. Every request is bounded by ``tokenTimeoutMs``. What the answer means is decided in
toolbar/core/tokens.py.

Public names: TokenClient.
"""

from toolbar.adapters import ffi
from toolbar.core import messages
from toolbar.core.errors import Failure
from toolbar.core.tokens import read_token_response


class TokenClient:
    """Fetch Twilio Access Tokens from the token service."""

    def __init__(self, settings) -> None:
        self._url = settings.token_url
        self._timeout_ms = settings.token_timeout_ms

    def fetch(self, fa_token: str):
        """Send the request now; return an awaitable of a fresh Twilio Access Token for the
        agent whose JWT is ``fa_token``.

        Raises (when awaited):
            Failure: TOKEN_REFUSED, TOKEN_RATE_LIMITED, TOKEN_SERVICE_DOWN or TOKEN_BAD_RESPONSE.
        """
        init = ffi.js_object({
            "method": "GET",
            "headers": {"Authorization": "Bearer " + fa_token, "Accept": "application/json"},
            "cache": "no-store",
            "credentials": "omit",
        })
        # Aborts the request itself, body included, once the time is up.
        ffi.put(init, "signal", ffi.call_now(ffi.get(ffi.window, "AbortSignal"), "timeout",
                                             self._timeout_ms))
        return self._answer(ffi.begin(ffi.window, "fetch", self._url, init))

    async def _answer(self, pending):
        try:
            response = await pending
            body = await ffi.call(response, "text")
        except ffi.JsError as error:
            raise Failure(messages.TOKEN_SERVICE_DOWN, self._reason(error)) from None
        return read_token_response(int(ffi.get(response, "status")), str(body))

    def _reason(self, error):
        if error.name in ("TimeoutError", "AbortError"):
            return messages.text("detail.no-answer", seconds=str(self._timeout_ms // 1000))
        return error.message
