"""TOOLBAR_CONFIG: checked at start-up, turned into Device options."""

from toolbar.core.settings import SOUND_FILES
from toolbar.core.settings import SOUNDS_VERSION
from toolbar.core.settings import ConfigError
from toolbar.core.settings import Settings


def _config(**changes):
    config = {
        "interpreter": "pyodide",
        "uefLibraryUrl": "https://static.oracle.com/cdn/ui-events-framework/libs/x.js",
        "tokenUrl": "/api/token",
        "twilio": {},
    }
    config.update(changes)
    return config


def _error(config):
    try:
        Settings(config)
    except ConfigError as error:
        return str(error)
    raise AssertionError("accepted " + repr(config))


def test_settings_defaults():
    """Unset keys take SPEC's defaults."""
    settings = Settings(_config())
    assert settings.uef_timeout_ms == 10000 and settings.register_timeout_ms == 20000
    assert settings.token_url == "/api/token"
    assert settings.application_name == "TwilioVoiceToolbar"
    assert settings.twilio["edge"] == ["roaming"] and settings.twilio["signaling"] is None


def test_settings_reports_every_problem():
    """Every bad key is named in one message."""
    message = _error({"interpreter": "brython", "uefTimeoutMs": "soon", "twilio": {"edge": 5}})
    for part in ("TOOLBAR_CONFIG.uefLibraryUrl is missing", "TOOLBAR_CONFIG.tokenUrl is missing",
                 "uefTimeoutMs must be a whole number", "twilio.edge must be a list",
                 "interpreter must be one of pyodide, micropython"):
        assert part in message, message
    assert "twilio must be an object" in _error(_config(twilio=None))
    assert "must be an object" in _error([])
    assert "registerTimeoutMs must be positive" in _error(_config(registerTimeoutMs=0))
    assert "twilio.publishEvents must be true or false" in _error(
        _config(twilio={"publishEvents": "yes"}))
    assert "tokenTimeoutMs must be a whole number" in _error(_config(tokenTimeoutMs=True))


def test_settings_device_options_production():
    """Production Device options: edges, codecs, Insights, versioned local sounds."""
    settings = Settings(_config())
    options = settings.device_options("https://toolbar.example.com/sounds/")
    assert options["edge"] == ["roaming"] and "chunderw" not in options
    assert options["codecPreferences"] == ["opus", "pcmu"]
    assert options["publishEvents"] is True and options["closeProtection"] is True
    assert options["tokenRefreshMs"] == 10000
    sounds = options["sounds"]
    assert sorted(sounds) == sorted(SOUND_FILES) and len(sounds) == 15
    assert sounds["dtmfh"] == "https://toolbar.example.com/sounds/dtmf-hash.wav?v=" + SOUNDS_VERSION


def test_settings_device_options_sandbox():
    """A signaling server replaces the edges (chunderw)."""
    config = _config(twilio={"signaling": "127.0.0.1:8001", "publishEvents": False})
    options = Settings(config).device_options("http://localhost/toolbar/sounds")
    assert options["chunderw"] == ["127.0.0.1:8001"] and "edge" not in options
    assert options["publishEvents"] is False
    assert options["sounds"]["incoming"] == ("http://localhost/toolbar/sounds/incoming.wav?v="
                                             + SOUNDS_VERSION)


def test_settings_no_sounds_means_the_sdks():
    """soundsUrl null leaves the SDK's own sounds."""
    options = Settings(_config(twilio={"soundsUrl": None})).device_options(None)
    assert "sounds" not in options


def test_settings_bad_reasons_are_configuration_errors():
    """A bad reasons list is named in the configuration error, like any bad setting."""
    cases = ((5, "reasons must be a list"), (["BREAK"], "reasons[0] must be an object"),
             ([{"code": ""}], "reasons[0].code must be"),
             ([{"code": "NO WAY"}], "reasons[0].code must be"),
             ([{"code": "A"}, {"code": "A"}], "reasons[1].code A is repeated"),
             ([{"code": "WRAPUP"}], "reasons[0].code WRAPUP is reserved"),
             ([{"code": "A", "label": "Lunch"}], "reasons[0].label must be"),
             ([{"code": "A", "label": {"en": ""}}], "reasons[0].label must be"))
    for reasons, expected in cases:
        assert expected in _error(_config(reasons=reasons)), reasons
    assert Settings(_config(reasons=[])).reasons == []
    assert Settings(_config()).reasons[1] == {"code": "LUNCH"}
    assert "wrapupSeconds must be 0 or more" in _error(_config(wrapupSeconds=-1))
    assert Settings(_config(wrapupSeconds=0)).wrapup_seconds == 0
    assert Settings(_config()).wrapup_seconds == 60 and Settings(_config()).language is None
    assert "language must be a string" in _error(_config(language=7))
