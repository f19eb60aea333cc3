"""Sandbox settings: where it listens and what it tells the toolbar.

Only ``__main__`` reads the command line and the environment; everything else
takes a :class:`SandboxConfig`.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType


@functools.cache
def client_settings() -> ModuleType:
    """The toolbar's settings module (client/toolbar/core/settings.py), home of its
    interpreters and sounds; it imports nothing, so it loads by path."""
    path = Path(__file__).resolve().parents[1] / "client" / "toolbar" / "core" / "settings.py"
    spec = importlib.util.spec_from_file_location("_client_settings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


INTERPRETERS: tuple[str, ...] = tuple(client_settings().INTERPRETERS)


@dataclass(frozen=True)
class SandboxConfig:
    """Where the sandbox listens.

    The Fusion host page is served as ``http://<host>:<port>`` and the toolbar as
    ``http://<toolbar_host>:<port>/toolbar/``: two names for loopback give two
    origins, so the toolbar is embedded cross-origin as it is in Fusion.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    signaling_port: int = 8001
    toolbar_host: str = "localhost"
    interpreter: str = "pyodide"
    # Seconds an Access Token lives; short values exercise the toolbar's refresh.
    token_ttl: int = 3600
    # Seconds an agent JWT (faTrustToken) lives; each getConfiguration gets a new one, as in Fusion.
    fa_token_ttl: int = 3600
    # Extra pages for tests (minimal SDK and UEF pages), served at /sandbox/test-pages/.
    test_pages: Path | None = None

    @property
    def host_names(self) -> tuple[str, ...]:
        """The names a request's ``Host`` may carry (any port); others are refused."""
        return (self.host, self.toolbar_host)

    @property
    def fusion_origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def toolbar_origin(self) -> str:
        return f"http://{self.toolbar_host}:{self.port}"

    @property
    def service_url(self) -> str:
        """The token service's public base URL (mounted under ``/api``)."""
        return f"{self.fusion_origin}/api"

    @property
    def rest_url(self) -> str:
        """The REST emulator's base: the token service's ``TWILIO_REST_URL``."""
        return f"{self.fusion_origin}/sandbox/twilio/rest"

    @property
    def signaling_address(self) -> str:
        """``host:port`` of the signaling emulator, as the SDK's ``chunderw`` option takes it."""
        return f"{self.host}:{self.signaling_port}"
