"""Security headers on every response, errors included.

The service answers only JSON and TwiML, never pages, so the policy can be as strict as it gets:
nothing may load, frame or sniff it, and nothing it returns (tokens!) may be cached.

Public names: init_app.
"""

from flask import Flask
from flask import Response
from flask import request

_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
# Sent over https only (RFC 6797 §7.2); behind a proxy, is_secure relies on ProxyFix.
_HSTS = "max-age=63072000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Add the security headers to every response app sends."""
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    response.headers.update(_HEADERS)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = _HSTS
    return response
