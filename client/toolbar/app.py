"""Wire the toolbar together and start it, in one pass: the one place that knows every part.

Public names: start.
"""

from toolbar.adapters import ffi
from toolbar.adapters.frame import framing
from toolbar.adapters.fusion_handler import FusionHandler
from toolbar.adapters.token_client import TokenClient
from toolbar.adapters.vendor_handler import VendorHandler
from toolbar.adapters.view import ToolbarView
from toolbar.controller import Controller
from toolbar.controller import Ports
from toolbar.core.settings import ConfigError
from toolbar.core.settings import Settings
from toolbar.core.toolbar import Toolbar


def start() -> Controller:
    """Read TOOLBAR_CONFIG, build the core, the shell and the adapters, and start.

    Returns the Controller (for debugging from the console). A bad configuration, or a frame
    not in ``fusionOrigins``, is shown in ``#status`` and stops start-up.
    """
    try:
        settings, problem = Settings(ffi.to_py(ffi.get(ffi.window, "TOOLBAR_CONFIG"))), ""
    except ConfigError as error:
        settings, problem = None, str(error)
    toolbar = (Toolbar(register_timeout_ms=settings.register_timeout_ms,
                       fusion_origins=settings.fusion_origins) if settings else Toolbar())
    controller = Controller(toolbar, report=_report)
    apply, bug = controller.apply, controller.bug
    view = ToolbarView(ffi.document, toolbar, apply, on_bug=bug)
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


def _report(text: str) -> None:
    ffi.call_now(ffi.get(ffi.window, "console"), "error", text)
