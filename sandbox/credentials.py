"""Throw-away Twilio credentials, generated at each sandbox start.

They are shaped like real ones (``AC…``, ``SK…``, ``AP…`` SIDs, a random secret)
so that the token service runs its production code path unchanged, but they
open no Twilio account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

SANDBOX_CALLER_ID = "+15005550006"


def new_sid(prefix: str) -> str:
    """Return a Twilio-shaped SID: a two-letter prefix and 32 random hex digits."""
    return prefix + secrets.token_hex(16)


@dataclass(frozen=True)
class TwilioCredentials:
    """What the token service and the signaling emulator share, as Twilio would."""

    account_sid: str
    api_key_sid: str
    api_key_secret: str
    auth_token: str
    twiml_app_sid: str
    caller_id: str

    @classmethod
    def generate(cls) -> TwilioCredentials:
        """Make a fresh set; the secret and auth token are 32 random bytes each."""
        return cls(
            account_sid=new_sid("AC"),
            api_key_sid=new_sid("SK"),
            api_key_secret=secrets.token_urlsafe(32),
            auth_token=secrets.token_hex(16),
            twiml_app_sid=new_sid("AP"),
            caller_id=SANDBOX_CALLER_ID,
        )
