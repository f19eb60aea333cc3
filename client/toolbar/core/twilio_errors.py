"""Twilio's error codes, sorted by what they mean for the toolbar.

Browser-free. Codes are the Voice SDK's (docs/twilio-signaling.md lists the ones the
emulator sends), or the gateway's inside a 31005's ``originalError``.

Public names: device_error_kind, call_error_kind.
"""

# Device errors: the token is no good (retrying will not help), or signaling trouble the SDK
# retries by itself.
_AUTH_CODES = (20101, 20102, 20103, 20104, 20105, 20106, 20107, 20151, 20157,
               31201, 31202, 31203, 31204, 31205, 31207, 51007)
_CONNECTION_CODES = (31000, 31003, 31005, 31009, 53000, 53001)

# Call errors, as outboundCommError codes.
_CALL_CODES = {
    31486: "BUSY", 31480: "NO_ANSWER", 31603: "BUSY", 31404: "INVALID_NUMBER",
    31401: "MICROPHONE", 31208: "MICROPHONE", 31402: "MICROPHONE",
}
# DOMException names of a refused or missing microphone (getUserMedia).
_MICROPHONE_NAMES = ("NotAllowedError", "NotFoundError", "PermissionDeniedError",
                     "NotReadableError", "SecurityError")


def device_error_kind(code) -> str:
    """Sort a Device error code: ``"auth"``, ``"connection"`` or ``"other"``."""
    if code in _AUTH_CODES:
        return "auth"
    if code in _CONNECTION_CODES:
        return "connection"
    return "other"


def call_error_kind(code, name: str = "") -> str:
    """The outboundCommError code of a Twilio error ``code`` (or a DOM error ``name``)."""
    if name in _MICROPHONE_NAMES:
        return "MICROPHONE"
    return _CALL_CODES.get(code, "FAILED")
