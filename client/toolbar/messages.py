"""What the agent reads in ``#status``, and how failures are sorted into kinds.

Browser-free: CPython and MicroPython import it alike. Every failure the toolbar can meet
has a kind (a string constant below) and one sentence in the agent's words; the technical
detail, when there is one, follows in brackets for whoever the agent calls for help.

Public names: the failure kinds (TOKEN_REFUSED …), the tones (INFO, OK, WARN, ERROR),
Failure, Status, failure_status, progress_status, twilio_error_kind.
"""

# Tones of a status line (style.css colours them).
INFO = "info"
OK = "ok"
WARN = "warn"
ERROR = "error"

# Failure kinds.
TOKEN_REFUSED = "token-refused"  # the token service said no (401/403)
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
INTERNAL = "internal"  # a bug in the toolbar

_FAILURE_TEXT = {
    TOKEN_REFUSED: "The phone service did not accept your Fusion sign-in. "
    "Sign out of Fusion and back in, or ask your administrator.",
    TOKEN_RATE_LIMITED: "Too many attempts to go available. Wait a minute, then try again.",
    TOKEN_SERVICE_DOWN: "The phone service cannot be reached right now. Try again in a moment.",
    TOKEN_BAD_RESPONSE: "The phone service sent an answer the toolbar cannot use. "
    "Ask your administrator.",
    TWILIO_REFUSED: "Twilio refused the phone session. Try again; "
    "if it keeps happening, ask your administrator.",
    TWILIO_UNREACHABLE: "Could not connect to Twilio. Check your network, then try again.",
    DEVICE_FAILED: "The phone could not start in this browser.",
    REFRESH_FAILED: "Your phone session could not be renewed, so you are now unavailable. "
    "Go available again when the problem is fixed.",
    UEF_LIBRARY: "The toolbar could not load Fusion's integration library. Reload the page.",
    UEF_TIMEOUT: "Fusion is not answering the toolbar. Reload the page if this persists.",
    UEF_ERROR: "Fusion refused the toolbar's request.",
    UEF_CONFIGURATION: "Fusion did not provide your agent sign-in. "
    "Check that you are signed in, then reload the page.",
    CONFIGURATION: "The toolbar is misconfigured. Ask your administrator.",
    INTERNAL: "Something went wrong in the toolbar.",
}

MAX_DETAIL = 120

# Progress lines: (text, tone) by name.
_PROGRESS = {
    "starting": ("Connecting to Fusion…", INFO),
    "ready": ("You are unavailable.", INFO),
    "unavailable": ("You are unavailable.", INFO),
    "fetching-token": ("Going available…", INFO),
    "registering": ("Connecting to Twilio…", INFO),
    "still-connecting": ("Still trying to reach Twilio…", WARN),
    "available": ("You are available for calls.", OK),
    "reconnecting": (("Connection to Twilio lost. Reconnecting… "
                      "Fusion shows you unavailable until it is back."), WARN),
    "reconnected": ("Connection restored. You are available for calls.", OK),
    "going-unavailable": ("Going unavailable…", INFO),
}

# Twilio error codes (https://www.twilio.com/docs/api/errors) by what they mean for us.
_TWILIO_AUTH_CODES = (20101, 20102, 20103, 20104, 20105, 20106, 20107, 20151, 20157,
                      31201, 31202, 31203, 31204, 31205, 31207, 51007)
_TWILIO_CONNECTION_CODES = (31000, 31003, 31005, 31009, 53000, 53001)


class Failure(Exception):
    """Something the agent must hear about: a kind (above) and an optional technical detail.

    Raised by the boundary modules (token client, Fusion and vendor handlers) and handed to
    the state machine, which turns it into a status line.
    """

    def __init__(self, kind, detail=""):
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail

    def __str__(self):
        return failure_text(self.kind, self.detail)


class Status:
    """One line in ``#status``: its text, its tone and, for failures, the failure kind."""

    def __init__(self, text, tone=INFO, kind=""):
        self.text = text
        self.tone = tone
        self.kind = kind

    def __eq__(self, other):
        return isinstance(other, Status) and (self.text, self.tone, self.kind) == (
            other.text, other.tone, other.kind)

    def __repr__(self):
        return "Status(" + repr(self.text) + ", " + repr(self.tone) + ", " + repr(self.kind) + ")"


def failure_text(kind, detail=""):
    """Return the agent's sentence for failure ``kind``, with ``detail`` in brackets.

    The detail is cut to MAX_DETAIL characters: it is a hint for support, and some
    JavaScript errors quote whole functions.
    """
    text = _FAILURE_TEXT.get(kind, _FAILURE_TEXT[INTERNAL])
    if detail:
        if len(detail) > MAX_DETAIL:
            detail = detail[:MAX_DETAIL - 1].rstrip() + "…"
        text = text + " (" + detail + ")"
    return text


def failure_status(kind, detail=""):
    """Return the error Status of a failure."""
    return Status(failure_text(kind, detail), ERROR, kind)


def progress_status(name):
    """Return the Status of progress step ``name`` (a key of the table above).

    Raises:
        KeyError: for an unknown name, which is a bug.
    """
    text, tone = _PROGRESS[name]
    return Status(text, tone)


def twilio_error_kind(code):
    """Sort a Twilio error code: ``"auth"`` (the token is no good, retrying will not help),
    ``"connection"`` (signaling trouble the SDK retries by itself) or ``"other"``."""
    if code in _TWILIO_AUTH_CODES:
        return "auth"
    if code in _TWILIO_CONNECTION_CODES:
        return "connection"
    return "other"
