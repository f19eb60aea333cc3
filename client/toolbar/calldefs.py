"""Constants and small pure helpers of the call state machine (toolbar/calls.py).

Browser-free. Call phases, effect kinds, SDK call actions, Twilio error codes sorted into
outboundCommError codes, the agent's sentences about calls, and the E.164 check.

Public names: CallError, the phases (RINGING … ENDED), directions, effect kinds (PUBLISH_CALL,
CALL_ACTION, DIAL, ANSWER_COMMAND), actions (ACCEPT_ACTION …), is_e164, error_kind,
error_text, status.
"""

from toolbar import messages

# Phases. Inbound: RINGING -> CONNECTING (accept asked) -> ACTIVE -> ENDED.
# Outbound: DIALING (connect asked) -> RINGING (the far end rings) -> ACTIVE -> ENDED.
DIALING = "dialing"
RINGING = "ringing"
CONNECTING = "connecting"
ACTIVE = "active"
ENDED = "ended"

INBOUND = "inbound"
OUTBOUND = "outbound"

# Effect kinds and their arguments.
PUBLISH_CALL = "publish-call"  # (call, operation, fields): a UEF call operation
CALL_ACTION = "call-action"  # (call, action, value): a method of the SDK's Call
DIAL = "dial"  # (call, number, device): device.connect({params: {To: number}})
ANSWER_COMMAND = "answer-command"  # (waiter, ok): settle a Fusion interaction command

ACCEPT_ACTION = "accept"
REJECT_ACTION = "reject"
DISCONNECT_ACTION = "disconnect"
MUTE_ACTION = "mute"  # value: True/False
DIGITS_ACTION = "sendDigits"  # value: the digits

# Twilio error codes (the SDK's, or the gateway's inside a 31005's originalError).
_ERROR_CODES = {
    31486: "BUSY", 31480: "NO_ANSWER", 31603: "BUSY", 31404: "INVALID_NUMBER",
    31401: "MICROPHONE", 31208: "MICROPHONE", 31402: "MICROPHONE",
}
_MICROPHONE_NAMES = ("NotAllowedError", "NotFoundError", "PermissionDeniedError",
                     "NotReadableError", "SecurityError")

_ERROR_TEXT = {
    "INVALID_NUMBER": "The number is not valid: use the international format, e.g. +14155550100.",
    "NOT_AVAILABLE": "Go available before placing a call.",
    "BUSY": "The line is busy.",
    "NO_ANSWER": "There was no answer.",
    "MICROPHONE": "The microphone is not available.",
    "FAILED": "The call could not be connected.",
    "BUSY_AGENT": "The agent is already on a call.",
}

_STATUS = {
    "busy-declined": ("Declined a call from {0}: you are already on a call.", messages.WARN),
    "busy-agent": ("Finish the current call first.", messages.WARN),
    "call-failed": ("Call to {0} failed: {1}", messages.ERROR),
    "microphone": (("The call needs your microphone. Allow the microphone for this site "
                    "(the camera icon in the address bar), check one is plugged in, "
                    "then try again."), messages.ERROR),
    "in-call": ("Finish your call before going unavailable.", messages.WARN),
}


class CallError(Exception):
    """An SDK call method failed: the Twilio ``code`` (or None), the error's ``name``, its text."""

    def __init__(self, code, name="", message=""):
        super().__init__(str(code) + " " + name + ": " + message)
        self.code = code
        self.name = name
        self.message = message


def is_e164(number):
    """Whether ``number`` is E.164: "+", a non-zero digit, then 1 to 14 digits."""
    if not isinstance(number, str) or len(number) < 3 or len(number) > 16:
        return False
    digits = number[1:]
    return number[0] == "+" and digits[0] != "0" and all("0" <= d <= "9" for d in digits)


def error_kind(code, name=""):
    """The outboundCommError code of a Twilio error ``code`` (or a DOM error ``name``)."""
    if name in _MICROPHONE_NAMES:
        return "MICROPHONE"
    return _ERROR_CODES.get(code, "FAILED")


def error_text(kind):
    return _ERROR_TEXT.get(kind, _ERROR_TEXT["FAILED"])


def status(name, *args):
    """The messages.Status of call event ``name``, its text filled with ``args``."""
    text, tone = _STATUS[name]
    for index in range(len(args)):
        text = text.replace("{" + str(index) + "}", str(args[index]))
    return messages.Status(text, tone, "call" if tone == messages.ERROR else "")
