"""``window.TOOLBAR_CONFIG`` (client/config.js), checked once at start-up.

Browser-free. The page's configuration arrives as a plain dict; Settings checks every key
it uses and fails with one message naming each bad key, so a deployment mistake shows up
at start-up in ``#status`` rather than as a puzzling failure later. Keys, types and
defaults are in the SPEC tables below; config.js documents what each one means.

Public names: ConfigError, Settings, SOUND_FILES.
"""

INTERPRETERS = ("pyodide", "micropython")
_REQUIRED = object()

# (key, type, default); _REQUIRED marks keys config.js must set. Keys in NULLABLE may be null.
SPEC = (
    ("interpreter", str, "pyodide"),
    ("uefLibraryUrl", str, _REQUIRED),
    ("applicationName", str, "TwilioVoiceToolbar"),
    ("tokenUrl", str, _REQUIRED),
    # Timeouts, in milliseconds.
    ("uefTimeoutMs", int, 10000),
    ("tokenTimeoutMs", int, 10000),
    ("registerTimeoutMs", int, 20000),
    ("unregisterTimeoutMs", int, 5000),
)
TWILIO_SPEC = (
    ("edge", list, ["roaming"]),  # one edge name or a list (the SDK falls back in order)
    ("signaling", list, None),  # chunderw: host:port of a signaling server (sandbox only)
    ("publishEvents", bool, True),
    ("soundsUrl", str, "./sounds/"),
    ("codecPreferences", list, ["opus", "pcmu"]),
    ("closeProtection", bool, True),
    ("tokenRefreshMs", int, 10000),
    ("logLevel", str, "error"),
)

NULLABLE = ("signaling", "soundsUrl")

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
    """The checked configuration, as attributes named after the keys in snake_case.

    Raises:
        ConfigError: from the constructor, listing every problem at once.
    """

    def __init__(self, raw):
        problems = []
        if not isinstance(raw, dict):
            raise ConfigError("TOOLBAR_CONFIG must be an object")
        values = _check(raw, SPEC, "TOOLBAR_CONFIG.", problems)
        twilio = raw.get("twilio")
        if not isinstance(twilio, dict):
            problems.append("TOOLBAR_CONFIG.twilio must be an object")
            twilio = {}
        twilio = _listify(twilio, ("edge", "signaling"))
        twilio_values = _check(twilio, TWILIO_SPEC, "TOOLBAR_CONFIG.twilio.", problems)
        if values.get("interpreter") not in INTERPRETERS:
            problems.append("TOOLBAR_CONFIG.interpreter must be one of " + ", ".join(INTERPRETERS))
        for key, _, _ in SPEC:
            if key.endswith("Ms") and key in values and values[key] <= 0:
                problems.append("TOOLBAR_CONFIG." + key + " must be positive")
        if problems:
            raise ConfigError("; ".join(problems))
        for key, value in values.items():
            setattr(self, _snake(key), value)
        self.twilio = twilio_values

    def device_options(self, sounds_base_url):
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


def sound_urls(base_url):
    """Return the SDK's ``sounds`` option: every sound name mapped to a file under ``base_url``,
    versioned by SOUNDS_VERSION."""
    if not base_url.endswith("/"):
        base_url = base_url + "/"
    return {name: base_url + filename + "?v=" + SOUNDS_VERSION
            for name, filename in SOUND_FILES.items()}


def _listify(raw, keys):
    """Return ``raw`` with a single string under each of ``keys`` turned into a list."""
    raw = dict(raw)
    for key in keys:
        if isinstance(raw.get(key), str):
            raw[key] = [raw[key]]
    return raw


def _check(raw, spec, prefix, problems):
    values = {}
    for key, kind, default in spec:
        value = raw.get(key, default)
        if value is _REQUIRED or (value is None and default is _REQUIRED):
            problems.append(prefix + key + " is missing")
        elif value is None and key in NULLABLE:
            values[key] = None
        elif not _is_kind(value, kind):
            problems.append(prefix + key + " must be " + _KIND_NAMES[kind])
        else:
            values[key] = value
    return values


_KIND_NAMES = {str: "a string", int: "a whole number", bool: "true or false", list: "a list"}


def _is_kind(value, kind):
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is str:
        return isinstance(value, str) and value != ""
    return isinstance(value, kind)


def _snake(name):
    out = ""
    for char in name:
        out += "_" + char.lower() if "A" <= char <= "Z" else char
    return out
