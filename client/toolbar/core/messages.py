"""Every sentence the agent reads, in one table keyed by a message id.

Browser-free. A sentence may hold named placeholders (``{number}``), filled by ``text``; a
later catalog per language can replace the table without touching a call site. Failures
have a kind (the constants below) whose sentence is ``failure.<kind>``; the technical
detail, when there is one, follows in brackets for whoever the agent calls for help.

Public names: the failure kinds (TOKEN_REFUSED …), SENTENCES, MAX_DETAIL, text, failure_text.
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

SENTENCES = {
    # Failures (the status line's error tone).
    "failure.token-refused": "The phone service did not accept your Fusion sign-in. "
    "Sign out of Fusion and back in, or ask your administrator.",
    "failure.token-expired": "Your Fusion sign-in has expired and could not be renewed. "
    "Reload the page; if that does not help, sign out of Fusion and back in.",
    "failure.token-rate-limited": "Too many attempts to go available. "
    "Wait a minute, then try again.",
    "failure.token-service-down": "The phone service cannot be reached right now. "
    "Try again in a moment.",
    "failure.token-bad-response": "The phone service sent an answer the toolbar cannot use. "
    "Ask your administrator.",
    "failure.twilio-refused": "Twilio refused the phone session. Try again; "
    "if it keeps happening, ask your administrator.",
    "failure.twilio-unreachable": "Could not connect to Twilio. "
    "Check your network, then try again.",
    "failure.device-failed": "The phone could not start in this browser.",
    "failure.refresh-failed": "Your phone session could not be renewed, "
    "so you are now unavailable. Go available again when the problem is fixed.",
    "failure.uef-library": "The toolbar could not load Fusion's integration library. "
    "Reload the page.",
    "failure.uef-timeout": "Fusion is not answering the toolbar. "
    "Reload the page if this persists.",
    "failure.uef-error": "Fusion refused the toolbar's request.",
    "failure.uef-configuration": "Fusion did not provide your agent sign-in. "
    "Check that you are signed in, then reload the page.",
    "failure.configuration": "The toolbar is misconfigured. Ask your administrator.",
    "failure.fusion-origin": "The toolbar did not start: the page around it is not one of "
    "your Fusion sites. Ask your administrator to add it to fusionOrigins if it should be.",
    "failure.internal": "Something went wrong in the toolbar.",
    "failure.with-detail": "{text} ({detail})",
    # Technical details the toolbar writes itself (after a failure's sentence).
    "detail.register-timeout": "no registration within {seconds} s",
    "detail.no-answer": "no answer within {seconds} s",
    # Progress (the status line).
    "progress.starting": "Connecting to Fusion…",
    "progress.ready": "You are unavailable.",
    "progress.unavailable": "You are unavailable.",
    "progress.fetching-token": "Going available…",
    "progress.registering": "Connecting to Twilio…",
    "progress.still-connecting": "Still trying to reach Twilio…",
    "progress.available": "You are available for calls.",
    "progress.reconnecting": "Connection to Twilio lost. Reconnecting… "
    "Fusion shows you unavailable until it is back.",
    "progress.reconnected": "Connection restored. You are available for calls.",
    "progress.going-unavailable": "Going unavailable…",
    # Calls (the status line).
    "call.busy-declined": "Declined a call from {number}: you are already on a call.",
    "call.busy-agent": "Finish the current call first.",
    "call.call-failed": "Call to {number} failed: {reason}",
    "call.microphone": "The call needs your microphone. Allow the microphone for this site "
    "(the camera icon in the address bar), check one is plugged in, then try again.",
    "call.in-call": "Finish your call before going unavailable.",
    # Why an outbound call failed (also outboundCommError's errorMsg, which Fusion shows).
    "call-error.INVALID_NUMBER": "The number is not valid: use the international format, "
    "e.g. +14155550100.",
    "call-error.NOT_AVAILABLE": "Go available before placing a call.",
    "call-error.BUSY": "The line is busy.",
    "call-error.NO_ANSWER": "There was no answer.",
    "call-error.MICROPHONE": "The microphone is not available.",
    "call-error.FAILED": "The call could not be connected.",
    "call-error.BUSY_AGENT": "The agent is already on a call.",
    "call-error.with-detail": "{text} ({detail})",
    # Why the outbound policy refused a call (POST /dial-check's codes; toolbar/core/refusals.py).
    "dial-refused.invalid_number": "The number is not valid: use the international format, "
    "e.g. +14155550100.",
    "dial-refused.not_an_agent": "That is not an agent of this contact centre.",
    "dial-refused.denied_prefix": "Your contact centre does not allow calls to this number.",
    "dial-refused.international_network": "Calls to international network numbers "
    "(satellite and global services) are not allowed.",
    "dial-refused.country_not_allowed": "Your contact centre does not allow calls to this "
    "country.",
    "dial-refused.premium_rate": "Calls to premium-rate numbers are not allowed.",
    "dial-refused.shared_cost": "Calls to shared-cost numbers are not allowed.",
    "dial-refused.personal_number": "Calls to personal (follow-me) numbers are not allowed.",
    # The toggle's label.
    "label.available": "Available",
    "label.unavailable": "Unavailable",
    "label.connecting": "Connecting…",
    "label.reconnecting": "Reconnecting…",
    "label.disconnecting": "Disconnecting…",
    # What Fusion shows of the agent's state (agentStateEventOperation, getCurrentAgentState).
    "fusion.state.available": "Available",
    "fusion.state.unavailable": "Unavailable",
    "fusion.reason.available": "Idle",
    "fusion.reason.unavailable": "Unavailable",
}

MAX_DETAIL = 120


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
