"""Python↔JS crossings per ``agentStateEventOperation`` publish, for one or two client trees.

Runs the tree's own FusionHandler over a counting stand-in of the browser: a fake ``js``
module and ``pyscript.ffi`` whose every property read, property write, call, conversion
(``to_js``, ``create_proxy``) and awaited promise counts as one crossing, as each is one
trip through Pyodide's proxies (MicroPython's are alike). client/ffi.js's helpers and a UEF
request with Oracle's setters are played by Python objects behind that boundary. Each tree
runs in its own process; the count is taken around ``publish_agent_state`` alone, for the
first publish of the operation and for the next one.

Usage: ``python -m bench.crossings [--before REF]``: this tree, and the tree at git REF
(default: where this branch left main) exported to a temporary folder, in one run.

Public names: count, export, git, base, main.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import subprocess
import sys
import tarfile
import tempfile
import types
from pathlib import Path
from typing import Any

from bench.common import ROOT
from bench.common import emit

_count = [0]


def _cross() -> None:
    _count[0] += 1


def _js(value: Any) -> Any:
    """``value`` as JavaScript hands it to Python: primitives as is, objects behind a proxy."""
    if value is None or isinstance(value, (bool, int, float, str, JsProxy)):
        return value
    return JsProxy(value)


def _py(value: Any) -> Any:
    return object.__getattribute__(value, "_target") if isinstance(value, JsProxy) else value


class JsProxy:
    """A JavaScript object seen from Python: each read, write, call or await is a crossing."""

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Any:
        _cross()
        return _js(getattr(_py(self), name, None))

    def __setattr__(self, name: str, value: Any) -> None:
        _cross()
        setattr(_py(self), name, _py(value))

    def __call__(self, *args: Any) -> Any:
        _cross()
        return _js(_py(self)(*[_py(arg) for arg in args]))

    def __await__(self):
        _cross()
        return _py(self).__await__()


def _outcome(call) -> types.SimpleNamespace:
    try:
        return types.SimpleNamespace(ok=True, value=call())
    except Exception as error:  # noqa: BLE001 - an outcome, as ffi.js returns
        return types.SimpleNamespace(ok=False, error=types.SimpleNamespace(
            name=type(error).__name__, message=str(error), code=None))


def _method(target: Any, name: str):
    function = getattr(target, name, None)
    if not callable(function):
        raise TypeError(name + " is not a function")
    return function


class _FfiHelpers:
    """client/ffi.js's toolbarFfi, behind the boundary (old and new helper names)."""

    def get(self, target, name):
        return getattr(target, name, None)

    def hasMethod(self, target, name):
        return callable(getattr(target, name, None))

    def methods(self, target, names):
        return json.dumps([name for name in json.loads(names)
                           if callable(getattr(target, name, None))])

    def invoke(self, target, name, args):
        return _outcome(lambda: _method(target, name)(*args))

    def read(self, target, names):
        def run():
            value = target
            for name in json.loads(names):
                if not callable(getattr(value, name, None)):
                    return None
                value = getattr(value, name)()
            return value
        return _outcome(run)

    def invokeEach(self, target, calls):
        def run():
            for name, args in json.loads(calls):
                _method(target, name)(*args)
        return _outcome(run)

    def call(self, target, name, args, timeout_ms=0, timeout_message=""):
        async def settle():
            value = _method(target, name)(*args)
            if inspect.isawaitable(value):
                value = await value
            return types.SimpleNamespace(ok=True, value=value)
        return settle()


class _Request:
    """A UEF publish request with Oracle's setters for agentStateEventOperation."""

    def __init__(self):
        self.fields = {}

    def __getattr__(self, name):
        if name.startswith("set") and name in _AGENT_STATE_SETTERS:
            return lambda value: self.fields.__setitem__(name, value)
        raise AttributeError(name)


_AGENT_STATE_SETTERS = ("setEventId", "setIsAvailable", "setIsLoggedIn", "setState",
                        "setStateDisplayString", "setReason", "setReasonDisplayString",
                        "setInData")


class _ResponseData:
    def isSuccess(self):
        return True

    def getError(self):
        return None


class _Response:
    def getResponseData(self):
        return _ResponseData()


class _Helper:
    def createPublishRequest(self, operation):
        return _Request()


class _Phone:
    async def publish(self, request):
        return _Response()


def _install_browser() -> None:
    class _Json:
        def parse(self, text):
            return json.loads(text)

        def stringify(self, value):
            return json.dumps(value)

    window = types.SimpleNamespace(toolbarFfi=_FfiHelpers())
    sys.modules["js"] = JsProxy(types.SimpleNamespace(window=window, document=None,
                                                      JSON=_Json()))
    ffi = types.ModuleType("pyscript.ffi")

    def to_js(value):
        _cross()
        return value

    def create_proxy(function):
        _cross()
        return function

    ffi.to_js, ffi.create_proxy = to_js, create_proxy
    ffi.is_none = lambda value: value is None
    pyscript = types.ModuleType("pyscript")
    pyscript.ffi = ffi
    sys.modules["pyscript"], sys.modules["pyscript.ffi"] = pyscript, ffi


def _import(*names: str):
    for name in names:
        try:
            return __import__(name, fromlist=["_"])
        except ImportError:
            continue
    raise ImportError(" or ".join(names))


def count(client: Path) -> dict[str, int]:
    """Crossings of the first and of a later agent state publish, in the tree at ``client``."""
    sys.path.insert(0, str(client))
    _install_browser()
    handler_module = _import("toolbar.adapters.fusion_handler", "toolbar.fusion_handler")
    payloads = _import("toolbar.core.payloads", "toolbar.payloads")
    settings_module = _import("toolbar.core.settings", "toolbar.settings")
    settings = settings_module.Settings({"uefLibraryUrl": "https://uef.example/x.js",
                                         "tokenUrl": "/api/token", "twilio": {}})
    parameters = inspect.signature(handler_module.FusionHandler).parameters
    positional = [settings] + [None] * (len([p for p in parameters.values()
                                             if p.default is p.empty and p.kind
                                             == p.POSITIONAL_OR_KEYWORD]) - 1)
    handler = handler_module.FusionHandler(*positional, on_bug=print)
    handler._helper, handler._phone = JsProxy(_Helper()), JsProxy(_Phone())
    figures = {}
    for which, available in (("first", True), ("later", False)):
        _count[0] = 0
        asyncio.run(handler.publish_agent_state(payloads.agent_state(available)))
        figures[which] = _count[0]
    return figures


def export(ref: str, into: Path, *paths: str) -> Path:
    """Write the tree at git ``ref`` (only ``paths`` if given) into ``into``; return it."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, *paths],
                             capture_output=True, check=True).stdout  # bytes: not git()
    with tempfile.NamedTemporaryFile(suffix=".tar") as file:
        file.write(archive)
        file.flush()
        with tarfile.open(file.name) as tar:
            tar.extractall(into, filter="data")
    return into


def git(*args: str) -> str:
    """The output of ``git args`` in this repository."""
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def base() -> str:
    """Where this branch left main: the tree "before"."""
    return git("merge-base", "HEAD", "main")


def _measure(client: Path) -> dict[str, int]:
    completed = subprocess.run([sys.executable, "-m", "bench.crossings", "--one", str(client)],
                               cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crossings",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="git ref of the tree before (default: the merge base "
                        "of HEAD and main)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one:
        print(json.dumps(count(arguments.one)))
        return
    before_ref = arguments.before or base()
    commit = git("rev-parse", "--short", before_ref)
    with tempfile.TemporaryDirectory(prefix="bench-crossings-") as folder:
        before = _measure(export(before_ref, Path(folder), "client") / "client")
    after = _measure(ROOT / "client")
    for tree, figures in (("before " + commit, before), ("after", after)):
        emit({"bench": "crossings", "tree": tree, **figures})


if __name__ == "__main__":
    main()
