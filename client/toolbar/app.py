"""Wire the toolbar together and start it, in one pass: the one place that knows every part.

Public names: start.
"""

from toolbar.adapters import ffi
from toolbar.adapters.catalogs import load_catalogs
from toolbar.adapters.frame import framing
from toolbar.adapters.fusion_handler import FusionHandler
from toolbar.adapters.token_client import TokenClient
from toolbar.adapters.vendor_handler import VendorHandler
from toolbar.adapters.view import ToolbarView
from toolbar.controller import Controller
from toolbar.controller import Ports
from toolbar.core import languages
from toolbar.core import messages
from toolbar.core.settings import DEFAULTS
from toolbar.core.settings import ConfigError
from toolbar.core.settings import Settings
from toolbar.core.toolbar import Toolbar


async def start() -> Controller:
    """Read TOOLBAR_CONFIG, load the agent's catalog, build the core, the shell and the
    adapters, and start.

    Returns the Controller (for debugging from the console). A bad configuration, or a frame
    not in ``fusionOrigins``, is shown in ``#status`` (in the agent's language) and stops
    start-up.

    Raises:
        CatalogError: not even the English catalog loaded: nothing can be said.
    """
    raw = ffi.to_py(ffi.get(ffi.window, "TOOLBAR_CONFIG"))
    try:
        settings, problem = Settings(raw), ""
    except ConfigError as error:
        settings, problem = None, str(error)
    language = await _install_catalog(raw.get("language") if isinstance(raw, dict) else None,
                                      settings.uef_timeout_ms if settings else
                                      DEFAULTS["uefTimeoutMs"])
    toolbar = Toolbar(register_timeout_ms=settings.register_timeout_ms,
                      fusion_origins=settings.fusion_origins,
                      reasons=languages.reason_labels(settings.reasons, language),
                      wrapup_seconds=settings.wrapup_seconds) if settings else Toolbar()
    controller = Controller(toolbar, report=_report)
    apply, bug = controller.apply, controller.bug
    view = ToolbarView(ffi.document, toolbar, apply, on_bug=bug, language=language)
    if settings is None:
        _report("TOOLBAR_CONFIG: " + problem)
        controller.start(Ports(view=view), toolbar.configuration_failed(problem))
        return controller
    controller.start(Ports(view=view,
                           fusion=FusionHandler(settings, toolbar, apply, on_bug=bug),
                           vendor=VendorHandler(settings, toolbar, apply, on_bug=bug),
                           tokens=TokenClient(settings)),
                     toolbar.start(*framing()))
    return controller


async def _install_catalog(configured, timeout_ms: int) -> str:
    """Install the catalog of the agent's language (languages.candidates); return it."""
    query = ffi.construct_now(ffi.window, "URLSearchParams",
                              ffi.get(ffi.get(ffi.window, "location"), "search"))
    browser = ffi.to_py(ffi.get(ffi.get(ffi.window, "navigator"), "languages"))
    wanted = languages.candidates(ffi.call_now(query, "get", "lang"), configured, browser)
    language, catalog, english = await load_catalogs(wanted, timeout_ms)
    messages.install(catalog, english)
    return language


def _report(text: str) -> None:
    ffi.call_now(ffi.get(ffi.window, "console"), "error", text)
