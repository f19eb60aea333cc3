"""The sandbox's HTTP side: one WSGI application on one port.

- ``/``: the Fusion host simulator (``sandbox/fusion``).
- ``/toolbar/``: ``client/`` exactly as deployed, with the headers of ``netlify.toml``.
  ``/toolbar/config.js`` is the production file followed by the sandbox's overrides.
- ``/api/``: the token service from ``server/``, as Netlify proxies it in production.
- ``/sandbox/api/...``: the control APIs of the emulator and of the host simulator.
- ``/sandbox/twilio/rest/<domain>/...``: the emulator's Twilio REST API (``sandbox/twilio_rest``).

Every error of the sandbox's own routes has the token service's JSON error shape, from the
service's own handlers (``server.errors``); the REST emulator answers Twilio's error JSON
instead, as Twilio does. Bodies are limited to ``MAX_BODY_BYTES`` (413), and a request whose
``Host`` is not one of the sandbox's own names is refused (400) whatever its path, so a page
that rebinds its DNS name to loopback cannot drive the sandbox.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from flask import Flask
from flask import Response
from flask import abort
from flask import send_from_directory
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.sansio.utils import host_is_trusted

from sandbox import headers
from sandbox.fusion.api import bp as fusion_bp
from sandbox.signaling.control import bp as twilio_bp
from sandbox.twilio_rest.http import bp as twilio_rest_bp
from server import errors

if TYPE_CHECKING:
    from sandbox.runner import Sandbox

ROOT = Path(__file__).resolve().parent.parent
CLIENT_DIR = ROOT / "client"
NETLIFY_TOML = ROOT / "netlify.toml"
# Limits: control requests and REST forms are a few KiB.
MAX_BODY_BYTES = 64 * 1024

WsgiApp = Any  # a WSGI callable

# Browsers refuse module scripts and streaming wasm compilation without these.
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/x-python", ".py")
mimetypes.add_type("application/toml", ".toml")


def create_sandbox_app(sandbox: Sandbox, service: Flask) -> WsgiApp:
    """Build the sandbox's WSGI application around the token service ``service``."""
    app = Flask(__name__, static_folder=None)
    app.extensions["sandbox"] = sandbox
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config["TRUSTED_HOSTS"] = list(sandbox.config.host_names)
    errors.init_app(app)
    app.register_blueprint(fusion_bp)
    app.register_blueprint(twilio_bp)
    app.register_blueprint(twilio_rest_bp)
    _add_toolbar_routes(app, sandbox)
    if sandbox.config.test_pages is not None:
        _add_test_pages(app, sandbox.config.test_pages)
    return _own_hosts_only(app, DispatcherMiddleware(app, {"/api": service}))


def _own_hosts_only(app: Flask, dispatcher: WsgiApp) -> WsgiApp:
    """Hand requests for a foreign ``Host`` to ``app``, whose TRUSTED_HOSTS refuses them (400,
    JSON error shape) whatever the path, ``/api`` included."""
    trusted = app.config["TRUSTED_HOSTS"]

    def guarded(environ: dict[str, Any], start_response: Any) -> Any:
        if host_is_trusted(environ.get("HTTP_HOST"), trusted):
            return dispatcher(environ, start_response)
        return app(environ, start_response)

    return guarded


def _add_toolbar_routes(app: Flask, sandbox: Sandbox) -> None:
    rules = headers.load_header_rules(NETLIFY_TOML)

    def with_netlify_headers(response: Response, path: str) -> Response:
        values = headers.headers_for("/" + path, rules)
        response.headers.update(
            headers.localize(
                values,
                fusion_origin=sandbox.config.fusion_origin,
                signaling_origin=f"ws://{sandbox.config.signaling_address}",
            )
        )
        return response

    @app.get("/toolbar/")
    @app.get("/toolbar/<path:path>")
    def toolbar_file(path: str = "index.html") -> Response:
        if path == "config.js":
            response = Response(toolbar_config_js(sandbox), mimetype="text/javascript")
            response.headers["Cache-Control"] = "no-cache"
        elif (CLIENT_DIR / path).is_dir():
            abort(404)
        else:
            # max_age=0: a developer's edit to a .py file shows on the next reload.
            response = send_from_directory(CLIENT_DIR, path, max_age=0)
        return with_netlify_headers(response, path)


def _add_test_pages(app: Flask, directory: Path) -> None:
    @app.get("/sandbox/test-pages/<path:path>")
    def test_page(path: str) -> Response:
        return send_from_directory(directory, path, max_age=0)


def toolbar_config_js(sandbox: Sandbox) -> str:
    """The production ``config.js`` followed by the sandbox's overrides.

    The overrides point the toolbar at the UEF stand-in and at the signaling emulator,
    allow only the host simulator's origin to frame it (``fusionOrigins``),
    keep the SDK from posting to Twilio's Insights, and install the one piece of
    sandbox code the toolbar page ever runs: a WebSocket subclass that turns the SDK's
    hard-coded ``wss://<chunderw>/signal`` into plain ``ws://`` to the emulator, so an
    ordinary browser needs no certificate. It must run before ``twilio.min.js``, which
    captures ``window.WebSocket`` when it loads; ``config.js`` is loaded first.
    """
    config = sandbox.config
    overrides = {
        "uefLibraryUrl": f"{config.fusion_origin}/sandbox/uef/ui-events-framework-client.js",
        "fusionOrigins": [config.fusion_origin],
        "twilio": {
            "signaling": [config.signaling_address],
            "publishEvents": False,
        },
    }
    production = (CLIENT_DIR / "config.js").read_text()
    return production + _SANDBOX_OVERRIDES.format(
        overrides=json.dumps(overrides, indent=2),
        interpreter=json.dumps(config.interpreter),
        emulator=json.dumps(f"ws://{config.signaling_address}/signal"),
        signaling=json.dumps(f"wss://{config.signaling_address}/signal"),
    )


_SANDBOX_OVERRIDES = """
// ---- Sandbox overrides (served by the sandbox only; not part of the deployed file) ----
(() => {{
  const overrides = {overrides};
  const config = window.TOOLBAR_CONFIG;
  Object.assign(config.twilio, overrides.twilio);
  config.uefLibraryUrl = overrides.uefLibraryUrl;
  config.fusionOrigins = overrides.fusionOrigins;
  // The host page passes ?interpreter=micropython on to the toolbar frame.
  config.interpreter = new URLSearchParams(location.search).get("interpreter") || {interpreter};
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class SandboxWebSocket extends NativeWebSocket {{
    constructor(url, protocols) {{
      super(String(url) === {signaling} ? {emulator} : url, protocols);
    }}
  }};
}})();
"""
