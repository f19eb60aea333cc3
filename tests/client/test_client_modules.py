"""The tree shows what is browser-free: the core and the shell import no JavaScript.

Plain functions and assert: MicroPython runs them too (test_client_micropython).
"""

import sys

from toolbar.adapters.cti_vendor_handler import ICtiVendorHandler

_BROWSER = ("js", "pyscript", "toolbar.adapters")
# Every module of the core and the shell; tests/client/test_client_files.py checks that the
# list is the whole of client/toolbar/core/ (CPython: MicroPython cannot list folders).
BROWSER_FREE = (
    "toolbar.core.calldefs", "toolbar.core.calls", "toolbar.core.effects", "toolbar.core.errors",
    "toolbar.core.fusion_token", "toolbar.core.languages", "toolbar.core.machine",
    "toolbar.core.messages", "toolbar.core.numbers", "toolbar.core.origins",
    "toolbar.core.payloads", "toolbar.core.presentation", "toolbar.core.refusals",
    "toolbar.core.settings",
    "toolbar.core.states", "toolbar.core.status", "toolbar.core.tokens", "toolbar.core.toolbar",
    "toolbar.core.twilio_errors", "toolbar.controller", "toolbar.tasks",
)


def _imported_names(module_name):
    """The modules ``module_name`` imports, read from its source (``import x``, ``from x``)."""
    path = "/".join(module_name.split(".")) + ".py"
    for folder in sys.path:
        try:
            with open(folder + "/" + path) as file:
                source = file.read()
        except OSError:
            continue
        names = []
        for line in source.split("\n"):
            words = line.strip().split(" ")
            if len(words) > 1 and words[0] in ("import", "from"):
                names.append(words[1])
        return names
    raise AssertionError("no source for " + module_name)


def test_modules_core_and_shell_import_nothing_of_the_browser():
    """No module of the core or the shell imports js, pyscript or an adapter."""
    for module_name in BROWSER_FREE:
        for name in _imported_names(module_name):
            for browser in _BROWSER:
                assert not (name == browser or name.startswith(browser + ".")), (
                    module_name + " imports " + name)


def test_modules_core_and_shell_import_without_a_browser():
    """Each browser-free module imports here, where there is no js module."""
    assert "js" not in sys.modules
    for module_name in BROWSER_FREE:
        __import__(module_name)
    assert "js" not in sys.modules and "pyscript" not in sys.modules


def test_modules_vendor_interface_is_abstract():
    """ICtiVendorHandler only names what a vendor must provide: all five methods raise."""
    vendor = ICtiVendorHandler()
    coroutines = (vendor.make_agent_available(1, "t"), vendor.update_token(1, "t"),
                  vendor.dial("out-1", 1, "+15550001111"), vendor.call_action("CA1", "accept"),
                  vendor.make_agent_unavailable(1))
    for coroutine in coroutines:
        try:
            coroutine.send(None)
        except NotImplementedError:
            continue
        raise AssertionError("not abstract: " + repr(coroutine))
