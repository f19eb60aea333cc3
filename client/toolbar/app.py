"""Wire the toolbar together and start it: the one place that knows every part.

Public names: start.
"""

import js

from toolbar import ffi
from toolbar import messages
from toolbar.calls import CallMachine
from toolbar.controller import Controller
from toolbar.fusion_handler import FusionHandler
from toolbar.integration_action_handler import IntegrationActionHandler
from toolbar.integration_events_handler import IntegrationEventsHandler
from toolbar.machine import AgentMachine
from toolbar.messages import Failure
from toolbar.settings import ConfigError
from toolbar.settings import Settings
from toolbar.token_client import TokenClient
from toolbar.vendor_handler import VendorHandler
from toolbar.view import ToolbarView


def start():
    """Read TOOLBAR_CONFIG, build the handlers, render, and connect to Fusion.

    Returns the Controller (for debugging from the console). A bad configuration is shown
    in ``#status`` and stops start-up.
    """
    settings, problem = _settings()
    machine = AgentMachine(
        register_timeout_ms=settings.register_timeout_ms if settings else 20000)
    controller = Controller(machine, fusion=None, vendor=None, tokens=None, view=None,
                            report=_report, calls=CallMachine(machine))
    actions = IntegrationActionHandler(controller)
    events = IntegrationEventsHandler(controller)
    controller.view = ToolbarView(ffi.document, on_toggle=actions.toggle_agent_availability,
                                  on_bug=controller.bug, actions=actions)
    if settings is None:
        _report("TOOLBAR_CONFIG: " + problem)
        controller.apply(machine.startup_failed(Failure(messages.CONFIGURATION, problem)))
        return controller
    controller.fusion = FusionHandler(settings, events, on_bug=controller.bug)
    controller.vendor = VendorHandler(settings, events, on_bug=controller.bug)
    controller.tokens = TokenClient(settings)
    controller.apply(machine.start())
    return controller


def _settings():
    try:
        return Settings(ffi.to_py(ffi.get(ffi.window, "TOOLBAR_CONFIG"))), ""
    except ConfigError as error:
        return None, str(error)


def _report(text):
    js.console.error(text)
