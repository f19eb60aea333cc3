"""Start and stop the whole sandbox: signaling emulator, web server, token service.

The emulator runs on the asyncio loop of the main thread; the WSGI side (host page,
toolbar, token service, control APIs) runs in a thread. Control-API handlers reach
the emulator through :meth:`Sandbox.run_on_loop`.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Callable
from collections.abc import Coroutine
from pathlib import Path
from typing import Any
from typing import TypeVar

from werkzeug.serving import make_server

from sandbox.agents import AgentIssuer
from sandbox.config import SandboxConfig
from sandbox.credentials import TwilioCredentials
from sandbox.signaling.emulator import Emulator
from sandbox.web import create_sandbox_app
from server import create_app
from server.config import load_settings

T = TypeVar("T")

# Generous limits: the sandbox and its benchmarks toggle availability many times a minute.
SANDBOX_RATE_LIMITS = {
    "TOOLBAR_RATE_LIMIT_IDENTITY": "6000 per minute",
    "TOOLBAR_RATE_LIMIT_ADDRESS": "6000 per minute",
}


class Sandbox:
    """One running sandbox; its credentials and keys live as long as it does."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.credentials = TwilioCredentials.generate()
        self.agents = AgentIssuer(issuer=f"{config.fusion_origin}/sandbox")
        self.emulator = Emulator(
            self.credentials, webhook_url=f"{config.service_url}/voice"
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workdir = tempfile.TemporaryDirectory(prefix="sandbox-")

    def service_environ(self) -> dict[str, str]:
        """The environment the token service would get in production, for this sandbox."""
        creds = self.credentials
        jwks_url = self.agents.write_jwks(Path(self._workdir.name) / "jwks.json")
        return {
            "TWILIO_ACCOUNT_SID": creds.account_sid,
            "TWILIO_API_KEY_SID": creds.api_key_sid,
            "TWILIO_API_KEY_SECRET": creds.api_key_secret,
            "TWILIO_AUTH_TOKEN": creds.auth_token,
            "TWILIO_TWIML_APP_SID": creds.twiml_app_sid,
            "TWILIO_CALLER_ID": creds.caller_id,
            "TOOLBAR_JWKS_URL": jwks_url,
            "TOOLBAR_JWT_ISSUER": self.agents.issuer,
            "TOOLBAR_JWT_AUDIENCE": self.agents.audience,
            "TOOLBAR_ALLOWED_ORIGINS": self.config.toolbar_origin,
            "TOOLBAR_TOKEN_TTL": str(self.config.token_ttl),
            "TOOLBAR_AGENTS": ",".join(self.agents.agents),
            "TOOLBAR_PUBLIC_URL": self.config.service_url,
            "TWILIO_REST_URL": self.config.rest_url,
            **SANDBOX_RATE_LIMITS,
        }

    def run_on_loop(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run ``coro`` on the emulator's loop from a web thread and return its result."""
        if self._loop is None:
            raise RuntimeError("the sandbox is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def serve(self, stop: asyncio.Event, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until ``stop`` is set, then shut everything down.

        ``on_ready`` is called once every listener accepts connections.
        """
        self._loop = asyncio.get_running_loop()
        service = create_app(load_settings(self.service_environ()))
        web = make_server(
            self.config.host, self.config.port, create_sandbox_app(self, service), threaded=True
        )
        await self.emulator.start(self.config.host, self.config.signaling_port)
        thread = threading.Thread(target=web.serve_forever, name="sandbox-web", daemon=True)
        thread.start()
        if on_ready is not None:
            on_ready()
        try:
            await stop.wait()
        finally:
            web.shutdown()
            await self.emulator.stop()
            self._workdir.cleanup()
