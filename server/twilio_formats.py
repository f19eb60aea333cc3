"""The formats Twilio insists on: Client identities, E.164 phone numbers, Call and Conference
SIDs.

Configuration, token checks and call routing all test strings against these, so the rules live
here once.

Public names: IDENTITY_RULE, is_identity, is_e164, is_call_sid, is_conference_sid.
"""

import re

# ASCII classes on purpose: \w and \d also match non-ASCII letters and digits, which Twilio refuses.
_IDENTITY = re.compile(r"[A-Za-z0-9_]{1,121}")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
_CONFERENCE_SID = re.compile(r"CF[0-9a-fA-F]{32}")

IDENTITY_RULE = "letters, digits and underscores only, at most 121 characters"


def is_identity(value: str) -> bool:
    """Return whether value is a valid Twilio Client identity (see IDENTITY_RULE)."""
    return _IDENTITY.fullmatch(value) is not None


def is_e164(value: str) -> bool:
    """Return whether value is an E.164 phone number such as +15551234567."""
    return _E164.fullmatch(value) is not None


def is_call_sid(value: str) -> bool:
    """Return whether value is a Call SID: CA and 32 hexadecimal characters."""
    return _CALL_SID.fullmatch(value) is not None


def is_conference_sid(value: str) -> bool:
    """Return whether value is a Conference SID: CF and 32 hexadecimal characters."""
    return _CONFERENCE_SID.fullmatch(value) is not None
