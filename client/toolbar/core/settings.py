"""The client's settings (``window.TOOLBAR_CONFIG``, client/config.js), declared once.

Browser-free, and importing nothing: the sandbox loads this file by path for INTERPRETERS.
SPEC names every key with its type, default and meaning; Settings checks the page's
configuration against it once at start-up and fails with one message naming each bad key,
so a deployment mistake shows in ``#status`` rather than as a puzzling failure later. The
README's client configuration table is ``table()``: print it with
``cd client && python -m toolbar.core.settings --table``; tests check it and
client/config.js against SPEC.

Public names: INTERPRETERS, REQUIRED, SPEC, NULLABLE, ZERO_ALLOWED, RESERVED_REASONS,
DEFAULTS, SOUND_FILES, SOUNDS_VERSION, ConfigError, Settings, sound_urls, table.
"""

# The interpreters the toolbar runs on (client/boot.js maps each to its vendored files).
INTERPRETERS = ("pyodide", "micropython")
REQUIRED = object()

# (key, type, default, help); REQUIRED marks keys config.js must set; keys in NULLABLE may
# be null. "twilio.<key>" keys are in TOOLBAR_CONFIG.twilio.
SPEC = (
    ("interpreter", str, "pyodide",
     ("The Python that runs the toolbar: pyodide (CPython in WebAssembly, ~2 s to start) "
     "or micropython (~0.2 s).")),
    ("uefLibraryUrl", str, REQUIRED, "Oracle's UI Events Framework client library."),
    ("applicationName", str, "TwilioVoiceToolbar",
     "The name the toolbar gives UEF, and the SDK's appName."),
    ("tokenUrl", str, REQUIRED,
     "The token service's GET /token (same origin: Netlify proxies /api/*)."),
    ("fusionOrigins", list, ["https://*.oraclecloud.com"],
     ("The Fusion pages allowed to frame the toolbar: exact origins or https://*.<domain>; "
     "any other frame makes it refuse to start. Narrow it (and netlify.toml's "
     "frame-ancestors) to your own pods.")),
    ("uefTimeoutMs", int, 10000,
     "How long Fusion may take to answer a UEF request before the agent is told."),
    ("tokenTimeoutMs", int, 10000, "How long the token service may take to answer."),
    ("registerTimeoutMs", int, 20000,
     "How long going available may take (token, then Twilio registration) before giving up."),
    ("unregisterTimeoutMs", int, 5000,
     "How long going unavailable waits for Twilio to confirm, before closing the connection."),
    ("language", str, None,
     ("The toolbar's language (a catalog in client/locales/, e.g. ja) when the URL has no "
     "?lang=; null: the browser's languages, then English.")),
    ("reasons", list, [{"code": "BREAK"}, {"code": "LUNCH"}, {"code": "MEETING"},
                       {"code": "TRAINING"}],
     ("The not-ready reasons in #reason: {code, label: {en, ja, …}}; a code's label defaults to "
     "the catalog's reason.<code>. Codes: letters, digits and _ (up to 30).")),
    ("wrapupSeconds", int, 60,
     "After-call work: how long after a call the agent gets no new call (0: no wrap-up)."),
    ("twilio.edge", list, ["roaming"],
     ("Twilio edge location(s): a name or a list, tried in order. Keep netlify.toml's "
     "connect-src in step (wss://voice-js.<edge>.twilio.com).")),
    ("twilio.signaling", list, None,
     "host:port of a signaling server instead of Twilio's (the SDK's chunderw); testing only."),
    ("twilio.publishEvents", bool, True, "Send call-quality events to Twilio Insights."),
    ("twilio.soundsUrl", str, "./sounds/",
     ("Where the ring, ringback, disconnect and DTMF sounds are (client/sounds/); null loads "
     "Twilio's from its CDN (then allow it in the CSP).")),
    ("twilio.codecPreferences", list, ["opus", "pcmu"], "Audio codecs, preferred first."),
    ("twilio.closeProtection", bool, True, "Ask before the page closes during a call."),
    ("twilio.tokenRefreshMs", int, 10000,
     ("tokenWillExpire fires this long before the Access Token expires; keep it well below "
     "the token service's TTL.")),
    ("twilio.logLevel", str, "error", "The SDK's console logging: error, warn, info or debug."),
)
NULLABLE = ("language", "twilio.signaling", "twilio.soundsUrl")
ZERO_ALLOWED = ("wrapupSeconds",)
# The code Fusion is told during wrap-up (payloads.WRAPUP_REASON): no configured reason's.
RESERVED_REASONS = ("WRAPUP",)
DEFAULTS = {key: default for key, _, default, _ in SPEC if default is not REQUIRED}
_TWILIO = "twilio."
_LISTS_FROM_STRINGS = ("edge", "signaling")  # one name may stand for a list of one

# The SDK's sound names (Device.Options.sounds) and our files in client/sounds/.
SOUND_FILES = {
    "incoming": "incoming.wav",
    "outgoing": "outgoing.wav",
    "disconnect": "disconnect.wav",
    "dtmf0": "dtmf-0.wav", "dtmf1": "dtmf-1.wav", "dtmf2": "dtmf-2.wav", "dtmf3": "dtmf-3.wav",
    "dtmf4": "dtmf-4.wav", "dtmf5": "dtmf-5.wav", "dtmf6": "dtmf-6.wav", "dtmf7": "dtmf-7.wav",
    "dtmf8": "dtmf-8.wav", "dtmf9": "dtmf-9.wav", "dtmfs": "dtmf-star.wav",
    "dtmfh": "dtmf-hash.wav",
}
# A digest of client/sounds/ (tests/client/test_client_files.py checks it), in every sound's
# URL: netlify.toml lets browsers keep /sounds/* for a year, so a new Device (one per going
# available) loads them from cache, and changed sounds must come under new URLs.
SOUNDS_VERSION = "f2cd254abb0b"


class ConfigError(ValueError):
    """TOOLBAR_CONFIG is missing a key or has one of the wrong type; the message names them."""


class Settings:
    """The checked configuration: the top-level keys as attributes in snake_case, and
    ``twilio``, a dict of the ``twilio.*`` keys.

    Raises:
        ConfigError: from the constructor, listing every problem at once.
    """

    def __init__(self, raw) -> None:
        if not isinstance(raw, dict):
            raise ConfigError("TOOLBAR_CONFIG must be an object")
        problems = []
        twilio = raw.get("twilio")
        if not isinstance(twilio, dict):
            problems.append("TOOLBAR_CONFIG.twilio must be an object")
            twilio = {}
        values = {}
        for key, kind, default, _ in SPEC:
            if key.startswith(_TWILIO):
                name = key[len(_TWILIO):]
                value = twilio.get(name, default)
                if name in _LISTS_FROM_STRINGS and isinstance(value, str):
                    value = [value]
            else:
                value = raw.get(key, default)
            problem = "" if value is None and key in NULLABLE else _problem(key, value, kind, default)
            if not problem and key == "reasons":
                problem = _reasons_problem(value)
            if problem:
                problems.append("TOOLBAR_CONFIG." + key + problem)
            else:
                values[key] = value
        if values.get("interpreter", INTERPRETERS[0]) not in INTERPRETERS:
            problems.append("TOOLBAR_CONFIG.interpreter must be one of " + ", ".join(INTERPRETERS))
        if problems:
            raise ConfigError("; ".join(problems))
        self.twilio = {}
        for key, value in values.items():
            if key.startswith(_TWILIO):
                self.twilio[key[len(_TWILIO):]] = value
            else:
                setattr(self, _snake(key), value)

    def device_options(self, sounds_base_url: str | None) -> dict:
        """Return the options of ``new Twilio.Device(token, options)`` as a plain dict.

        ``sounds_base_url`` is ``twilio.soundsUrl`` made absolute by the caller; the SDK then
        loads its 15 sounds from there instead of Twilio's CDN.
        """
        twilio = self.twilio
        options = {
            "codecPreferences": twilio["codecPreferences"],
            "closeProtection": twilio["closeProtection"],
            "publishEvents": twilio["publishEvents"],
            "tokenRefreshMs": twilio["tokenRefreshMs"],
            "logLevel": twilio["logLevel"],
            "appName": self.application_name,
            # A second call while busy must reach the toolbar, which declines it and tells
            # Fusion (the SDK would otherwise ignore the invite and leave the caller ringing).
            "allowIncomingWhileBusy": True,
        }
        if twilio["signaling"]:
            options["chunderw"] = twilio["signaling"]
        else:
            options["edge"] = twilio["edge"]
        if sounds_base_url:
            options["sounds"] = sound_urls(sounds_base_url)
        return options


def sound_urls(base_url: str) -> dict:
    """Return the SDK's ``sounds`` option: every sound name mapped to a file under ``base_url``,
    versioned by SOUNDS_VERSION."""
    if not base_url.endswith("/"):
        base_url = base_url + "/"
    return {name: base_url + filename + "?v=" + SOUNDS_VERSION
            for name, filename in SOUND_FILES.items()}


def table() -> str:
    """The README's client configuration table (Markdown), one row per key of SPEC."""
    lines = ["| Key | Type | Default | Meaning |", "|---|---|---|---|"]
    for key, kind, default, help_text in SPEC:
        shown = "required" if default is REQUIRED else "`" + _json(default) + "`"
        lines.append("| `" + key + "` | " + _TYPE_NAMES[kind] + " | " + shown
                     + " | " + help_text + " |")
    return "\n".join(lines)


_KIND_NAMES = {str: "a string", int: "a whole number", bool: "true or false", list: "a list"}
_TYPE_NAMES = {str: "string", int: "integer", bool: "boolean", list: "list"}


def _problem(key, value, kind, default) -> str:
    """What is wrong with ``value`` for ``key``, of ``kind`` ("" if nothing)."""
    if value is REQUIRED or (value is None and default is REQUIRED):
        return " is missing"
    if kind is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
        if fits and key in ZERO_ALLOWED and value < 0:
            return " must be 0 or more"
        if fits and key not in ZERO_ALLOWED and value <= 0:
            return " must be positive"
    elif kind is str:
        fits = isinstance(value, str) and value != ""
    else:
        fits = isinstance(value, kind)
    return "" if fits else " must be " + _KIND_NAMES[kind]


_CODE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"


def _reasons_problem(reasons) -> str:
    """What is wrong with the ``reasons`` list ("" if nothing): each an object with a code
    (letters, digits, _; at most 30, as Fusion's lookup codes), unique and not reserved, and
    an optional label object of language -> non-empty string."""
    codes = []
    for index, reason in enumerate(reasons):
        where = "[" + str(index) + "]"
        if not isinstance(reason, dict):
            return where + " must be an object {code, label}"
        code = reason.get("code")
        if not isinstance(code, str) or not 0 < len(code) <= 30 or any(
                char not in _CODE_CHARS for char in code):
            return where + ".code must be 1 to 30 letters, digits or _"
        if code in codes or code in RESERVED_REASONS:
            return where + ".code " + code + (" is reserved" if code in RESERVED_REASONS
                                               else " is repeated")
        codes.append(code)
        label = reason.get("label")
        if label is not None and (not isinstance(label, dict) or not label or any(
                not isinstance(text, str) or not text for text in label.values())):
            return where + ".label must be an object of language -> text"
    return ""


def _json(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(_json(key) + ": " + _json(value[key]) for key in value) + "}"
    return str(value)


def _snake(name: str) -> str:
    out = ""
    for char in name:
        out += "_" + char.lower() if "A" <= char <= "Z" else char
    return out


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--table"]:
        raise SystemExit("usage: python -m toolbar.core.settings --table")
    print(table())
