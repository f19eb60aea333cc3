"""CORS for the toolbar's origins only.

The toolbar page (inside Fusion) fetches /token (GET) and /dial-check (POST, a JSON body) from
another origin with an Authorization header, so the browser sends a preflight first. Configured
origins get Access-Control-Allow-Origin (on errors too, so the toolbar can read them) and may
read X-Request-Id (to quote it when reporting a problem); on preflights, GET and POST with
Authorization and Content-Type; any other origin gets no CORS headers, and the browser keeps the response
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
        response.headers["Access-Control-Expose-Headers"] = "X-Request-Id"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Max-Age"] = _PREFLIGHT_MAX_AGE
        return response
