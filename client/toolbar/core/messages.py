"""Every sentence the agent reads, by message id, from the catalog of the agent's language.

Browser-free. The sentences live in one catalog per language, ``client/locales/<language>.json``
(a flat JSON object: message id -> sentence); nothing agent-facing is written in the code.
A sentence may hold named placeholders (``{number}``), filled by ``text``. The shell installs
the agent's catalog over the English one at start-up (``install``), so a sentence missing
from a newer catalog reads in English rather than failing. Failures have a kind (the
constants below) whose sentence is ``failure.<kind>``; the technical detail, when there is
one, follows in brackets for whoever the agent calls for help.

Public names: the failure kinds (TOKEN_REFUSED …), SENTENCES, MAX_DETAIL, install, text,
failure_text.
"""

# Failure kinds.
TOKEN_REFUSED = "token-refused"  # the token service said no (401/403)
TOKEN_EXPIRED = "token-expired"  # Fusion's faTrustToken expired, and a fresh one did not help
TOKEN_RATE_LIMITED = "token-rate-limited"  # 429
TOKEN_SERVICE_DOWN = "token-service-down"  # unreachable, 5xx, timed out
TOKEN_BAD_RESPONSE = "token-bad-response"  # 200 without a usable token
TWILIO_REFUSED = "twilio-refused"  # Twilio rejected the Access Token
TWILIO_UNREACHABLE = "twilio-unreachable"  # no registration within registerTimeoutMs
DEVICE_FAILED = "device-failed"  # the SDK refused to create the Device
REFRESH_FAILED = "refresh-failed"  # a new token could not be had before expiry
UEF_LIBRARY = "uef-library"  # Oracle's UEF library did not load
UEF_TIMEOUT = "uef-timeout"  # Fusion did not answer within uefTimeoutMs
UEF_ERROR = "uef-error"  # Fusion answered with an error
UEF_CONFIGURATION = "uef-configuration"  # no agent id or faTrustToken from Fusion
CONFIGURATION = "configuration"  # TOOLBAR_CONFIG is unusable
FUSION_ORIGIN = "fusion-origin"  # framed by a page not in fusionOrigins: not started
INTERNAL = "internal"  # a bug in the toolbar

# The sentences of the agent's language, keyed by message id: client/locales/<language>.json,
# installed once at start-up (``install``) before anything is shown.
SENTENCES = {}

MAX_DETAIL = 120


def install(*catalogs) -> None:
    """Make SENTENCES the union of ``catalogs`` (dicts), the first one's sentences winning."""
    merged = {}
    for catalog in reversed(catalogs):
        merged.update(catalog)
    SENTENCES.clear()
    SENTENCES.update(merged)


def text(message_id: str, **values) -> str:
    """The sentence ``message_id`` with its placeholders filled from ``values``.

    Raises:
        KeyError: for an unknown id or a missing placeholder, which is a bug.
    """
    return SENTENCES[message_id].format(**values)


def failure_text(kind: str, detail: str = "") -> str:
    """Return the agent's sentence for failure ``kind``, with ``detail`` in brackets.

    An unknown kind reads as INTERNAL. The detail is cut to MAX_DETAIL characters: it is a
    hint for support, and some JavaScript errors quote whole functions.
    """
    message_id = "failure." + kind
    sentence = text(message_id if message_id in SENTENCES else "failure." + INTERNAL)
    if not detail:
        return sentence
    if len(detail) > MAX_DETAIL:
        detail = detail[:MAX_DETAIL - 1].rstrip() + "…"
    return text("failure.with-detail", text=sentence, detail=detail)
