"""Settings for the token service, read once from an environment mapping.

Every setting is declared once, in SETTINGS (name, parser, default, help); that table drives
load_settings and the README's configuration table (settings_markdown), and a test holds
.env.example to it. Nothing here reads os.environ: entry points pass it in.

Public names: ConfigError, Settings, SETTINGS, load_settings, settings_markdown.
"""

import dataclasses
import importlib.util
import re
from collections.abc import Callable
from collections.abc import Mapping
from urllib.parse import SplitResult
from urllib.parse import urlsplit

import limits
import phonenumbers

from server.twilio_formats import IDENTITY_RULE
from server.twilio_formats import is_e164
from server.twilio_formats import is_identity

MAX_TOKEN_TTL = 86400  # Twilio refuses Access Tokens that live longer than 24 hours.

_JWKS_URL_PROBLEM = "must be an https:// or file:// URL"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")


class ConfigError(Exception):
    """A setting is missing or malformed; str() is one line that names it."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name


@dataclasses.dataclass(frozen=True)
class Settings:
    """Validated settings; build one with load_settings, never by hand."""

    # Twilio account
    twilio_account_sid: str
    twilio_api_key_sid: str
    twilio_api_key_secret: str = dataclasses.field(repr=False)
    twilio_auth_token: str = dataclasses.field(repr=False)
    twilio_twiml_app_sid: str
    twilio_caller_id: str
    # Agent authentication
    jwks_url: str
    jwks_allow_loopback_http: bool
    jwt_issuer: str
    jwt_audience: str
    # Browser access and tokens
    allowed_origins: tuple[str, ...]
    token_ttl: int
    # Call routing
    agents: tuple[str, ...]
    public_url: str
    dial_timeout: int
    # Abuse control and deployment
    rate_limit_identity: str
    rate_limit_address: str
    rate_limit_storage: str
    trusted_proxies: int
    proxy_signing_secret: str = dataclasses.field(repr=False)
    # Who is an agent, and whom agents may call
    agent_claim: tuple[str, str] | None
    dial_countries: tuple[str, ...]
    dial_deny: tuple[str, ...]
    max_calls_per_agent: int
    # Twilio's REST API
    twilio_rest_url: str
    twilio_rest_timeout: int
    # Call control
    transfer_timeout: int
    hold_music_url: str


# Parsers take the stripped, non-empty raw value and return the parsed one. A ValueError's
# message is the problem, phrased to follow "NAME: ".


def _sid(prefix: str) -> Callable[[str], str]:
    pattern = re.compile(prefix + r"[0-9a-fA-F]{32}")

    def parse(raw: str) -> str:
        if not pattern.fullmatch(raw):
            raise ValueError(f"must be {prefix} followed by 32 hexadecimal characters")
        return raw

    return parse


def _secret(raw: str) -> str:
    # Twilio's secrets are 32 characters; anything shorter is a paste error, and PyJWT warns on
    # every token signed or checked with an HMAC key under 32 bytes.
    if len(raw) < 32 or any(character.isspace() for character in raw):
        raise ValueError("must be at least 32 characters with no spaces")
    return raw


def _auth_token(raw: str) -> str:
    if not re.fullmatch(r"[0-9a-fA-F]{32}", raw):
        raise ValueError("must be 32 hexadecimal characters")
    return raw


def _phone_number(raw: str) -> str:
    problem = "must be an E.164 phone number such as +15551234567"
    if not is_e164(raw):
        raise ValueError(problem)
    try:
        phonenumbers.parse(raw)  # the outbound policy takes the default country from it
    except phonenumbers.NumberParseException:
        raise ValueError(problem) from None
    return raw


def _text(raw: str) -> str:
    return raw


def _whole_number(low: int, high: int, unit: str = "") -> Callable[[str], int]:
    def parse(raw: str) -> int:
        # int() alone would also take "1_000", "+5" and non-ASCII digits.
        if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
            raise ValueError(f"must be a whole number{unit} from {low} to {high}")
        return int(raw)

    return parse


_token_ttl = _whole_number(1, MAX_TOKEN_TTL, " of seconds")
_dial_timeout = _whole_number(5, 600, " of seconds")  # the range Twilio's <Dial timeout> takes
_proxy_count = _whole_number(0, 10)
_rest_timeout = _whole_number(1, 60, " of seconds")
_max_calls = _whole_number(1, 100)
_transfer_timeout = _whole_number(5, 600, " of seconds")  # Twilio's participant Timeout range


def _boolean(raw: str) -> bool:
    words = {"1": True, "true": True, "yes": True, "on": True}
    words.update({"0": False, "false": False, "no": False, "off": False})
    if raw.lower() not in words:
        raise ValueError("must be true or false")
    return words[raw.lower()]


def _split(raw: str, problem: str) -> SplitResult:
    try:
        return urlsplit(raw)
    except ValueError:  # e.g. an unclosed "[" around an IPv6 address
        raise ValueError(problem) from None


def _jwks_url(raw: str) -> str:
    parts = _split(raw, _JWKS_URL_PROBLEM)
    if parts.scheme == "https" and parts.hostname:
        return raw
    if parts.scheme == "file" and parts.netloc in ("", "localhost") and parts.path.startswith("/"):
        return raw
    # Plain http only to this machine, and only with TOOLBAR_JWKS_ALLOW_LOOPBACK_HTTP (checked
    # in load_settings, which sees both settings).
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return raw
    raise ValueError(_JWKS_URL_PROBLEM)


def _rest_url(raw: str) -> str:
    # Empty: Twilio itself. Plain http only to this machine (an emulator), never over a network.
    problem = "must be an https:// URL, or http:// on 127.0.0.1, ::1 or localhost, with no query"
    if not raw:
        return raw
    parts = _split(raw, problem)
    if not _is_web_url(parts) or (parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS):
        raise ValueError(problem)
    return raw.rstrip("/")


def _is_web_url(parts: SplitResult) -> bool:
    """Return whether parts is an http(s) URL with a host, a sane port and no query or fragment."""
    try:
        port = parts.port
    except ValueError:  # a port that is not a number from 0 to 65535
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and port != 0
        and not (parts.query or parts.fragment)
    )


def _hold_music_url(raw: str) -> str:
    problem = "must be an http:// or https:// URL Twilio can fetch"
    if not _is_web_url(_split(raw.split("?", 1)[0], problem)):
        raise ValueError(problem)
    return raw


def _public_url(raw: str) -> str:
    problem = "must be an http:// or https:// URL with no query or fragment"
    if not _is_web_url(_split(raw, problem)):
        raise ValueError(problem)
    return raw


def _origin(raw: str) -> str:
    problem = f"{raw!r} is not an origin (scheme://host[:port], no path)"
    parts = _split(raw, problem)
    if not _is_web_url(parts) or parts.path or parts.username or parts.password:
        raise ValueError(problem)
    # Browsers send the scheme and host in lower case.
    return raw.lower()


def _origins(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_origin(entry.strip()) for entry in raw.split(",") if entry.strip()))


def _identities(raw: str) -> tuple[str, ...]:
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    for entry in entries:
        if not is_identity(entry):
            raise ValueError(f"{entry!r} is not a Twilio identity ({IDENTITY_RULE})")
    if not entries:
        raise ValueError("must name at least one agent identity")
    return tuple(dict.fromkeys(entries))


def _rate_limit(raw: str) -> str:
    try:
        limits.parse_many(raw)
    except ValueError:
        raise ValueError("must be a rate limit such as 30/minute") from None
    return raw


def _limit_storage(raw: str) -> str:
    problem = "must be memory:// or a redis:// (rediss://, redis+unix://, …) URI"
    scheme = _split(raw, problem).scheme
    if scheme != "memory" and scheme not in _REDIS_SCHEMES:
        raise ValueError(problem)
    if scheme != "memory" and importlib.util.find_spec("redis") is None:
        raise ValueError("needs the redis package: pip install '.[redis]'")
    return raw


def _optional_secret(raw: str) -> str:
    return _secret(raw) if raw else ""


def _agent_claim(raw: str) -> tuple[str, str] | None:
    if not raw:
        return None
    name, equals, value = raw.partition("=")
    if not (equals and name.strip() and value.strip()):
        raise ValueError("must be claim=value, such as groups=contact_centre_agents")
    return name.strip(), value.strip()


def _dial_countries(raw: str) -> tuple[str, ...]:
    # ISO regions ("GB") or calling codes ("+44"), as docs/deploy.md explains.
    return tuple(dict.fromkeys(_dial_country(entry.strip()) for entry in raw.split(",")
                               if entry.strip()))


def _dial_country(entry: str) -> str:
    code = entry.removeprefix("+")
    if code.isascii() and code.isdigit():
        if int(code) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return "+" + str(int(code))
    elif entry.upper() in phonenumbers.SUPPORTED_REGIONS:
        return entry.upper()
    raise ValueError(f"{entry!r} is neither an ISO region (GB) nor a calling code (+44)")


def _prefixes(raw: str) -> tuple[str, ...]:
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    for entry in entries:
        if not re.fullmatch(r"\+[0-9]{1,15}", entry):
            raise ValueError(f"{entry!r} is not a number prefix such as +1900")
    return tuple(dict.fromkeys(entries))


@dataclasses.dataclass(frozen=True)
class _Setting:
    name: str
    field: str
    parse: Callable[[str], object]
    default: str | None  # None: the setting is required
    help: str


# One row per setting: name, Settings field, parser, default (None: required), help.
# fmt: off
SETTINGS: tuple[_Setting, ...] = (
    _Setting("TWILIO_ACCOUNT_SID", "twilio_account_sid", _sid("AC"), None,
             "Twilio account SID (AC…)."),
    _Setting("TWILIO_API_KEY_SID", "twilio_api_key_sid", _sid("SK"), None,
             "API key SID (SK…) that signs Access Tokens."),
    _Setting("TWILIO_API_KEY_SECRET", "twilio_api_key_secret", _secret, None,
             "That API key's secret."),
    _Setting("TWILIO_AUTH_TOKEN", "twilio_auth_token", _auth_token, None,
             "Account auth token; checks X-Twilio-Signature on /voice."),
    _Setting("TWILIO_TWIML_APP_SID", "twilio_twiml_app_sid", _sid("AP"), None,
             "TwiML App (AP…) whose voice URL is this service's /voice."),
    _Setting("TWILIO_CALLER_ID", "twilio_caller_id", _phone_number, None,
             "Your Twilio number (E.164): outbound caller ID; calls to it ring the agents."),
    _Setting("TOOLBAR_JWKS_URL", "jwks_url", _jwks_url, None,
             "https:// or file:// URL of the JWKS that signs agents' JWTs."),
    _Setting("TOOLBAR_JWKS_ALLOW_LOOPBACK_HTTP", "jwks_allow_loopback_http", _boolean, "false",
             "Development only: also allow http:// JWKS URLs on 127.0.0.1, ::1, localhost."),
    _Setting("TOOLBAR_JWT_ISSUER", "jwt_issuer", _text, None,
             "The `iss` agents' JWTs must carry."),
    _Setting("TOOLBAR_JWT_AUDIENCE", "jwt_audience", _text, None,
             "The `aud` agents' JWTs must carry."),
    _Setting("TOOLBAR_ALLOWED_ORIGINS", "allowed_origins", _origins, "",
             "Comma-separated origins allowed to call /token cross-origin (empty: none)."),
    _Setting("TOOLBAR_TOKEN_TTL", "token_ttl", _token_ttl, "3600",
             "Lifetime of issued Access Tokens in seconds, at most 86400."),
    _Setting("TOOLBAR_AGENTS", "agents", _identities, None,
             "Comma-separated identities that inbound calls ring, all at once."),
    _Setting("TOOLBAR_PUBLIC_URL", "public_url", _public_url, None,
             "Public base URL Twilio calls; /voice signatures are checked against it."),
    _Setting("TOOLBAR_DIAL_TIMEOUT", "dial_timeout", _dial_timeout, "20",
             "Seconds an inbound call rings before the caller hears nobody is free."),
    _Setting("TOOLBAR_RATE_LIMIT_IDENTITY", "rate_limit_identity", _rate_limit, "30/minute",
             "Token requests allowed per verified agent identity."),
    _Setting("TOOLBAR_RATE_LIMIT_ADDRESS", "rate_limit_address", _rate_limit, "120/minute",
             "Token requests allowed per client address, failed ones included."),
    _Setting("TOOLBAR_RATE_LIMIT_STORAGE", "rate_limit_storage", _limit_storage, "memory://",
             "Rate-limit counters: memory:// (per worker) or redis://host:6379 (shared)."),
    _Setting("TOOLBAR_TRUSTED_PROXIES", "trusted_proxies", _proxy_count, "0",
             "Proxies whose X-Forwarded-For/-Proto to trust (1 behind Netlify)."),
    _Setting("TOOLBAR_PROXY_SIGNING_SECRET", "proxy_signing_secret", _optional_secret, "",
             "Secret of Netlify's signed proxy: only requests with a valid X-Nf-Sign are "
             "served (and their X-Forwarded-For believed); /healthz stays open."),
    _Setting("TOOLBAR_AGENT_CLAIM", "agent_claim", _agent_claim, "",
             "claim=value: JWTs whose claim is (or lists) value also get tokens, besides "
             "TOOLBAR_AGENTS."),
    _Setting("TOOLBAR_DIAL_COUNTRIES", "dial_countries", _dial_countries, "",
             "Comma-separated ISO regions (GB) or calling codes (+44) agents may dial "
             "(empty: the region of TWILIO_CALLER_ID)."),
    _Setting("TOOLBAR_DIAL_DENY", "dial_deny", _prefixes, "",
             "Comma-separated number prefixes agents may never dial, e.g. +1900,+44871."),
    _Setting("TOOLBAR_MAX_CALLS_PER_AGENT", "max_calls_per_agent", _max_calls, "1",
             "Calls in progress an agent may have at once, counted from Twilio's records over "
             "REST (a call is refused if Twilio cannot be asked)."),
    _Setting("TWILIO_REST_URL", "twilio_rest_url", _rest_url, "",
             "Empty: Twilio. Else requests for https://<domain>.twilio.com/<path> go to "
             "<TWILIO_REST_URL>/<domain>/<path> (an emulator; http:// only on loopback)."),
    _Setting("TWILIO_REST_TIMEOUT", "twilio_rest_timeout", _rest_timeout, "10",
             "Seconds to wait for Twilio's REST API before answering 503 (1 to 60)."),
    _Setting("TOOLBAR_TRANSFER_TIMEOUT", "transfer_timeout", _transfer_timeout, "20",
             "Seconds a transfer or consultation target rings before it counts as unanswered."),
    _Setting("TOOLBAR_HOLD_MUSIC_URL", "hold_music_url", _hold_music_url,
             "https://twimlets.com/holdmusic?Bucket=com.twilio.music.classical",
             "What callers hear while they wait for an agent or are on hold (MP3, WAV or TwiML)."),
)
# fmt: on


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Parse and check every setting in environ.

    Empty values count as unset. Pure: reads nothing but environ (no files, no network).

    Raises:
        ConfigError: for the first setting, in SETTINGS order, that is missing or malformed.
    """
    values = {setting.field: _parse(setting, environ) for setting in SETTINGS}
    plain_http = urlsplit(values["jwks_url"]).scheme == "http"
    if plain_http and not values["jwks_allow_loopback_http"]:
        raise ConfigError("TOOLBAR_JWKS_URL", _JWKS_URL_PROBLEM)
    return Settings(**values)


def _parse(setting: _Setting, environ: Mapping[str, str]) -> object:
    raw = environ.get(setting.name, "").strip() or setting.default
    if raw is None:
        raise ConfigError(setting.name, "must be set")
    try:
        return setting.parse(raw)
    except ValueError as error:
        raise ConfigError(setting.name, str(error)) from None


def settings_markdown() -> str:
    """Return the settings as a Markdown table (name, required, default, meaning) for the README."""
    rows = ["| Name | Required | Default | Meaning |", "|---|---|---|---|"]
    for setting in SETTINGS:
        if setting.default is None:
            required, default = "yes", ""
        else:
            required, default = "no", f"`{setting.default}`" if setting.default else "(empty)"
        rows.append(f"| `{setting.name}` | {required} | {default} | {setting.help} |")
    return "\n".join(rows) + "\n"
