"""CORS for the toolbar's origins only.

The toolbar page (inside Fusion) fetches /token from another origin with an Authorization
header, so the browser sends a preflight first. Configured origins get
Access-Control-Allow-Origin (on errors too, so the toolbar can read them) and, on preflights, GET
and Authorization; any other origin gets no CORS headers, and the browser keeps the response
from it. Credentials (cookies) are never allowed: the bearer token is all the toolbar needs.

Public names: init_app.
"""

from collections.abc import Iterable

from flask import Flask
from flask import Response
from flask import request

_PREFLIGHT_MAX_AGE = "600"  # seconds browsers may reuse a preflight answer


def init_app(app: Flask, origins: Iterable[str]) -> None:
    """Add CORS headers to app's responses for requests from origins."""
    allowed = frozenset(origins)

    @app.after_request
    def _cors(response: Response) -> Response:
        # Every answer depends on Origin, so caches must key on it, refused origins included.
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin not in allowed:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET"
            response.headers["Access-Control-Allow-Headers"] = "Authorization"
            response.headers["Access-Control-Max-Age"] = _PREFLIGHT_MAX_AGE
        return response
