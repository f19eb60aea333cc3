"""Settings: every missing or malformed value stops start-up with one line naming it."""

import dataclasses
from pathlib import Path

import pytest

from server.config import SETTINGS
from server.config import ConfigError
from server.config import Settings
from server.config import load_settings
from server.config import settings_markdown

REQUIRED = [setting.name for setting in SETTINGS if setting.default is None]

JWKS_URL = "must be an https:// or file:// URL"
WEB_URL = "must be an http:// or https:// URL with no query or fragment"
NOT_ORIGIN = "is not an origin (scheme://host[:port], no path)"
SECRET = "must be at least 32 characters with no spaces"
TTL = "must be a whole number of seconds from 1 to 86400"
E164 = "must be an E.164 phone number such as +15551234567"
RATE = "must be a rate limit such as 30/minute"
NOT_IDENTITY = (
    "is not a Twilio identity (letters, digits and underscores only, at most 121 characters)"
)

MALFORMED = [
    ("TWILIO_ACCOUNT_SID", "AC123", "must be AC followed by 32 hexadecimal characters"),
    ("TWILIO_ACCOUNT_SID", "SK" + "0" * 32, "must be AC followed by 32 hexadecimal characters"),
    ("TWILIO_API_KEY_SID", "SK" + "g" * 32, "must be SK followed by 32 hexadecimal characters"),
    ("TWILIO_API_KEY_SECRET", "short", SECRET),
    ("TWILIO_API_KEY_SECRET", "a" * 20 + " " + "b" * 20, SECRET),
    ("TWILIO_AUTH_TOKEN", "z" * 32, "must be 32 hexadecimal characters"),
    ("TWILIO_TWIML_APP_SID", "AP" + "0" * 31, "must be AP followed by 32 hexadecimal characters"),
    ("TWILIO_CALLER_ID", "5005550006", E164),
    ("TWILIO_CALLER_ID", "+1 500 555 0006", E164),
    ("TOOLBAR_JWKS_URL", "http://idp.example.test/jwks.json", JWKS_URL),
    ("TOOLBAR_JWKS_URL", "http://127.0.0.1:9999/jwks.json", JWKS_URL),
    ("TOOLBAR_JWKS_URL", "HTTP://localhost/jwks.json", JWKS_URL),
    ("TOOLBAR_JWKS_URL", "https://[::1/jwks.json", JWKS_URL),
    ("TOOLBAR_JWKS_URL", "jwks.json", JWKS_URL),
    ("TOOLBAR_JWKS_URL", "file://host/jwks.json", JWKS_URL),
    ("TOOLBAR_JWKS_URL", "https:///jwks.json", JWKS_URL),
    ("TOOLBAR_JWKS_ALLOW_LOOPBACK_HTTP", "maybe", "must be true or false"),
    ("TOOLBAR_ALLOWED_ORIGINS", "*", f"'*' {NOT_ORIGIN}"),
    ("TOOLBAR_ALLOWED_ORIGINS", "https://a.test,https://b.test/",
     f"'https://b.test/' {NOT_ORIGIN}"),
    ("TOOLBAR_ALLOWED_ORIGINS", "https://a.test:99999", f"'https://a.test:99999' {NOT_ORIGIN}"),
    ("TOOLBAR_TOKEN_TTL", "86401", TTL),
    ("TOOLBAR_TOKEN_TTL", "0", TTL),
    ("TOOLBAR_TOKEN_TTL", "1h", TTL),
    ("TOOLBAR_TOKEN_TTL", "1_000", TTL),
    ("TOOLBAR_AGENTS", "alice,bob.smith", f"'bob.smith' {NOT_IDENTITY}"),
    ("TOOLBAR_AGENTS", ",,", "must name at least one agent identity"),
    ("TOOLBAR_PUBLIC_URL", "toolbar.example.test/api", WEB_URL),
    ("TOOLBAR_PUBLIC_URL", "https://toolbar.example.test/api?x=1", WEB_URL),
    ("TOOLBAR_PUBLIC_URL", "https://toolbar.example.test:http/api", WEB_URL),
    ("TOOLBAR_DIAL_TIMEOUT", "3", "must be a whole number of seconds from 5 to 600"),
    ("TOOLBAR_RATE_LIMIT_IDENTITY", "lots", RATE),
    ("TOOLBAR_RATE_LIMIT_ADDRESS", "30/fortnight", RATE),
    ("TOOLBAR_RATE_LIMIT_STORAGE", "memcached://localhost:11211",
     "must be memory:// or a redis:// (rediss://, redis+unix://, …) URI"),
    ("TOOLBAR_TRUSTED_PROXIES", "-1", "must be a whole number from 0 to 10"),
    ("TWILIO_CALLER_ID", "+9995550006", E164),  # no country has calling code 999
    ("TOOLBAR_PROXY_SIGNING_SECRET", "netlify", SECRET),
    ("TOOLBAR_AGENT_CLAIM", "groups", "must be claim=value, such as groups=contact_centre_agents"),
    ("TOOLBAR_AGENT_CLAIM", "=agents", "must be claim=value, such as groups=contact_centre_agents"),
    ("TOOLBAR_DIAL_COUNTRIES", "US,UK",
     "'UK' is neither an ISO region (GB) nor a calling code (+44)"),
    ("TOOLBAR_DIAL_COUNTRIES", "+999",
     "'+999' is neither an ISO region (GB) nor a calling code (+44)"),
    ("TOOLBAR_DIAL_DENY", "+1900,1976", "'1976' is not a number prefix such as +1900"),
]  # fmt: skip


@pytest.mark.parametrize("name", REQUIRED)
def test_config_required_setting_missing_names_it(environ, name):
    """Each required setting, when absent, is named in the error."""
    del environ[name]

    with pytest.raises(ConfigError) as raised:
        load_settings(environ)

    assert str(raised.value) == f"{name}: must be set"


@pytest.mark.parametrize("name", REQUIRED)
def test_config_required_setting_blank_counts_as_missing(environ, name):
    """A required setting set to spaces is as missing as an absent one."""
    environ[name] = "   "

    with pytest.raises(ConfigError, match=f"^{name}: must be set$"):
        load_settings(environ)


@pytest.mark.parametrize(("name", "value", "problem"), MALFORMED)
def test_config_malformed_setting_names_it_and_the_problem(environ, name, value, problem):
    """A malformed value gives one line: the setting's name, then what is wrong."""
    environ[name] = value

    with pytest.raises(ConfigError) as raised:
        load_settings(environ)

    assert str(raised.value) == f"{name}: {problem}"
    assert "\n" not in str(raised.value)


def test_config_secret_values_never_appear_in_errors(environ):
    """Errors about secrets describe the problem without echoing the value."""
    environ["TWILIO_API_KEY_SECRET"] = "tiny-secret"

    with pytest.raises(ConfigError) as raised:
        load_settings(environ)

    assert "tiny-secret" not in str(raised.value)


def test_config_defaults_apply_when_optional_settings_are_unset(environ):
    """Optional settings get their documented defaults."""
    del environ["TOOLBAR_ALLOWED_ORIGINS"]

    settings = load_settings(environ)

    assert settings.allowed_origins == ()
    assert settings.token_ttl == 3600
    assert settings.dial_timeout == 20
    assert settings.rate_limit_identity == "30/minute"
    assert settings.rate_limit_address == "120/minute"
    assert settings.rate_limit_storage == "memory://"
    assert settings.trusted_proxies == 0
    assert settings.jwks_allow_loopback_http is False
    assert settings.proxy_signing_secret == ""
    assert settings.agent_claim is None
    assert (settings.dial_countries, settings.dial_deny) == ((), ())


def test_config_lists_are_split_trimmed_and_deduplicated(environ):
    """Comma-separated settings ignore spaces, empty entries and repeats; origins are lowercased."""
    environ["TOOLBAR_AGENTS"] = " alice , bob_2,,alice "
    environ["TOOLBAR_ALLOWED_ORIGINS"] = "https://Fusion.Example.test, http://localhost:8000"

    settings = load_settings(environ)

    assert settings.agents == ("alice", "bob_2")
    assert settings.allowed_origins == ("https://fusion.example.test", "http://localhost:8000")


def test_config_dial_countries_and_agent_claim_are_normalised(environ):
    """Regions are upper-cased and calling codes written +N; the claim splits at its first =."""
    environ["TOOLBAR_DIAL_COUNTRIES"] = "gb, 44, +33 ,GB"
    environ["TOOLBAR_AGENT_CLAIM"] = " roles = cc=agent "

    settings = load_settings(environ)

    assert settings.dial_countries == ("GB", "+44", "+33")
    assert settings.agent_claim == ("roles", "cc=agent")


def test_config_loopback_http_jwks_needs_the_opt_in(environ):
    """http:// JWKS URLs on loopback load only with TOOLBAR_JWKS_ALLOW_LOOPBACK_HTTP."""
    environ["TOOLBAR_JWKS_URL"] = "http://127.0.0.1:8000/sandbox/jwks.json"
    environ["TOOLBAR_JWKS_ALLOW_LOOPBACK_HTTP"] = "yes"

    assert load_settings(environ).jwks_url == "http://127.0.0.1:8000/sandbox/jwks.json"


def test_config_settings_are_frozen_and_hide_secrets(environ):
    """Settings cannot change after start-up, and their repr leaves the secrets out."""
    settings = load_settings(environ)

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.token_ttl = 1  # type: ignore[misc]
    assert environ["TWILIO_API_KEY_SECRET"] not in repr(settings)
    assert environ["TWILIO_AUTH_TOKEN"] not in repr(settings)


def test_config_table_covers_every_setting():
    """SETTINGS declares each Settings field exactly once, and the README table lists them all."""
    fields = [field.name for field in dataclasses.fields(Settings)]
    assert sorted(setting.field for setting in SETTINGS) == sorted(fields)

    table = settings_markdown().splitlines()
    assert table[0] == "| Name | Required | Default | Meaning |"
    assert [row.split("|")[1].strip(" `") for row in table[2:]] == [s.name for s in SETTINGS]


def test_config_env_example_documents_every_setting():
    """.env.example lists each setting once, in SETTINGS order; only its xxx SIDs need filling."""
    path = Path(__file__).resolve().parents[2] / ".env.example"
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    example = dict(line.split("=", 1) for line in lines)

    assert list(example) == [setting.name for setting in SETTINGS]
    with pytest.raises(ConfigError, match="^TWILIO_ACCOUNT_SID: "):
        load_settings(example)
    filled = {name: value.replace("x" * 32, "0" * 32) for name, value in example.items()}
    assert load_settings(filled).agents == ("alice_agent", "bob_agent")
