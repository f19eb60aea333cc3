"""Portable helpers over PyScript's FFI: the same code on Pyodide and on MicroPython.

The only module that touches ``js`` and ``pyscript``: every JavaScript call of the toolbar
goes through it. It leans on client/ffi.js for what Python cannot do portably (see that
file): every JavaScript call that may throw or reject goes through ``call``/``construct``,
which raise JsError instead. Other differences it hides (measured, see docs/pyscript.md):

- ``window`` is ``js.window``, never ``pyscript.window`` (MicroPython's addEventListener bug).
- JavaScript ``undefined`` is ``None`` in Pyodide but an ``<undefined>`` object in
  MicroPython; ``null`` is ``None`` in MicroPython but ``jsnull`` in Pyodide: ``is_missing``.
- ``to_js(dict)`` drops ``None`` values in Pyodide: data goes through JSON (``js_object``,
  ``to_py``), which gives plain objects and ``null`` on both.
- A Python callback must return a real JS Promise to some callers (UEF's controllable
  events); ``deferred`` makes one with ``Promise.new``, which both interpreters return as is
  (Pyodide turns the promises *other* calls return into Python futures).

Public names: window, document, JsError, is_missing, js_object, to_py, get, put, has_method,
methods, read, call, call_now, call_each, begin, construct, construct_now, fire, load_script,
callback, release, Deferred, deferred.
"""

import json

import js
from pyscript.ffi import create_proxy
from pyscript.ffi import is_none
from pyscript.ffi import to_js

window = js.window
document = js.document
_helpers = js.window.toolbarFfi


class JsError(Exception):
    """A JavaScript exception or rejection: its ``name``, ``message`` and numeric ``code``."""

    def __init__(self, name, message, code=None):
        super().__init__(name + ": " + message)
        self.name = name
        self.message = message
        self.code = code


def is_missing(value):
    """Whether a value from JavaScript is ``undefined`` or ``null``, on either interpreter."""
    return value is None or is_none(value) or type(value).__name__ == "undefined"


def js_object(data):
    """Return a plain JS object (or array) equal to the JSON-able ``data``."""
    return js.JSON.parse(json.dumps(data))


def to_py(value):
    """Return the JSON-able JS ``value`` as Python data (``None`` for undefined)."""
    if is_missing(value):
        return None
    text = js.JSON.stringify(value)
    return json.loads(text) if isinstance(text, str) else None


def get(target, name):
    """Return ``target[name]``, or ``None`` when it is missing or reading it fails."""
    value = _helpers.get(target, name)
    return None if is_missing(value) else value


def put(target, name, value):
    """Set ``target[name] = value`` (a plain JS object's property: it cannot throw)."""
    setattr(target, name, value)


def has_method(target, name):
    return bool(_helpers.hasMethod(target, name))


def methods(target, names):
    """Return the set of ``names`` that are methods of ``target``, in one crossing."""
    found = _helpers.methods(target, json.dumps(list(names)))
    return set(json.loads(found)) if isinstance(found, str) else set()


def read(target, *getters):
    """Return ``target.a().b()…`` for getters ``a, b, …`` in one crossing; ``None`` where a
    getter is missing (or returns nothing).

    Raises:
        JsError: a getter threw.
    """
    return _value(_helpers.read(target, json.dumps(list(getters))))


def call_each(target, calls):
    """Call ``target[name](*args)`` for each ``(name, args)`` of ``calls`` in order, at once,
    in one crossing; ``args`` must be JSON-able. Returns nothing.

    Raises:
        JsError: a call threw or is no method (the calls before it were made).
    """
    _value(_helpers.invokeEach(target, json.dumps([[name, list(args)] for name, args in calls])))


async def call(target, name, *args, timeout_ms=0, timeout_message=""):
    """Await ``target[name](*args)`` (a plain value or a promise) and return its result.

    Raises:
        JsError: it threw, rejected, is no method, or took longer than ``timeout_ms``
            (name ``"TimeoutError"``; 0 means no limit).
    """
    return await begin(target, name, *args, timeout_ms=timeout_ms,
                       timeout_message=timeout_message)


def call_now(target, name, *args):
    """Return ``target[name](*args)`` for a method that answers at once, without awaiting:
    on MicroPython each awaited JS call costs a timer that browsers clamp to 4 ms.

    Raises:
        JsError: it threw or is no method.
    """
    return _value(_helpers.invoke(target, name, to_js(list(args))))


def begin(target, name, *args, timeout_ms=0, timeout_message=""):
    """Call ``target[name](*args)`` now; return an awaitable of its result, as ``call``.

    For callers that must know the call was made (its order against others) before waiting.
    """
    return _outcome(_helpers.call(target, name, to_js(list(args)), timeout_ms, timeout_message))


async def _outcome(promise):
    return _value(await promise)


async def construct(target, name, *args):
    """Return ``new target[name](*args)`` (e.g. ``construct(js.Twilio, "Device", ...)``).

    Raises:
        JsError: the constructor threw, or there is no such class.
    """
    return _value(await _helpers.construct(target, name, to_js(list(args))))


def construct_now(target, name, *args):
    """Return ``new target[name](*args)`` for a class built at once (``URL``), without awaiting.

    Raises:
        JsError: the constructor threw, or there is no such class.
    """
    return _value(_helpers.constructNow(target, name, to_js(list(args))))


def fire(target, name, *args):
    """Start ``target[name](*args)`` without waiting; its failure is ignored."""
    _helpers.fire(target, name, to_js(list(args)))


async def load_script(url, timeout_ms):
    """Load the classic script at ``url``.

    Raises:
        JsError: it failed to load or took longer than ``timeout_ms``.
    """
    _value(await _helpers.loadScript(url, timeout_ms))


def callback(function, on_error):
    """Return a JS function calling ``function``; its exceptions go to ``on_error(error)``.

    Keep a reference to the result for as long as JavaScript may call it, then ``release``.
    """

    def guarded(*args):
        try:
            return function(*args)
        except Exception as error:  # noqa: BLE001 - to on_error, never lost
            on_error(error)
        return None

    return create_proxy(guarded)


def release(proxy):
    """Free a proxy made by ``callback`` (Pyodide needs it; MicroPython has nothing to free)."""
    destroy = getattr(proxy, "destroy", None)
    if destroy is not None:
        destroy()


_resolvers = []
_unsettled = set()
_resolved = []
_KEPT_RESOLVED = 32


def _capture(resolve, reject):
    _resolvers.append(resolve)


_capture_proxy = create_proxy(_capture)


class Deferred:
    """A real JS Promise (``promise``) and ``resolve(value)``, which fulfils it once.

    Kept referenced until resolved, and a while after (the last _KEPT_RESOLVED): MicroPython
    1.27 may otherwise collect the promise's proxy between a callback returning it and
    JavaScript receiving it (measured: the caller then got ``undefined``), and a callback
    may resolve its promise before returning it.
    """

    def __init__(self):
        self.promise = js.Promise.new(_capture_proxy)  # the executor runs before new returns
        self._resolve = _resolvers.pop()
        _unsettled.add(self)

    def resolve(self, value):
        if self in _unsettled:
            _unsettled.discard(self)
            _resolved.append(self)
            del _resolved[:-_KEPT_RESOLVED]
            self._resolve(value)


def deferred():
    """Return a new Deferred."""
    return Deferred()


def _value(outcome):
    if outcome.ok:
        value = outcome.value
        return None if is_missing(value) else value
    error = outcome.error
    code = error.code
    raise JsError(str(error.name), str(error.message), code if isinstance(code, int) else None)
