"""Verify Twilio Access Tokens the way the signaling service does on ``listen``.

The SDK never looks inside its token (``device.ts`` only checks it is a string): the
service decides, and answers ``error`` 31204 (the app sees 20101 AccessTokenInvalid)
or 31205 (20104 AccessTokenExpired). Tokens are the ones ``twilio.jwt.access_token``
builds: HS256 with the API key secret, header ``cty: twilio-fpa;v=1``, ``iss`` the API
key SID, ``sub`` the account SID, ``grants.identity`` and ``grants.voice``.

Public names: Grant, TokenError, verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from sandbox.credentials import TwilioCredentials
from sandbox.signaling.protocol import ErrorCode
from sandbox.signaling.protocol import SignalingError

TWILIO_CONTENT_TYPE = "twilio-fpa;v=1"


@dataclass(frozen=True)
class Grant:
    """What a valid token allows: who the device is, for how long, and which calls."""

    identity: str
    # Seconds left before the token expires, as ``connected`` reports it.
    ttl: int
    incoming: bool
    outgoing_application_sid: str | None


class TokenError(SignalingError):
    """The token is not acceptable; ``code`` is 31204 or 31205."""


def verify(token: object, credentials: TwilioCredentials, *, now: float) -> Grant:
    """Check ``token``'s signature, expiry, issuer, account and Voice grant.

    ``now`` (seconds since the epoch) only computes the remaining ``ttl``; expiry and
    not-before are checked by PyJWT against the system clock, as a server would.

    Raises:
        TokenError: 31205 if it has expired, 31204 for anything else wrong with it.
    """
    if not isinstance(token, str) or not token:
        raise TokenError(ErrorCode.ACCESS_TOKEN_INVALID, "Access Token is missing")
    claims = _decode(token, credentials)
    grants = claims.get("grants")
    identity = grants.get("identity") if isinstance(grants, dict) else None
    voice = grants.get("voice") if isinstance(grants, dict) else None
    if not isinstance(identity, str) or not identity:
        raise TokenError(ErrorCode.ACCESS_TOKEN_INVALID, "Access Token has no identity")
    if not isinstance(voice, dict):
        raise TokenError(ErrorCode.ACCESS_TOKEN_INVALID, "Access Token has no Voice grant")
    return Grant(
        identity=identity,
        ttl=max(0, int(claims["exp"]) - int(now)),
        incoming=_dig(voice, "incoming", "allow") is True,
        outgoing_application_sid=_text_or_none(_dig(voice, "outgoing", "application_sid")),
    )


def _decode(token: str, credentials: TwilioCredentials) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("cty") != TWILIO_CONTENT_TYPE:
            raise TokenError(ErrorCode.ACCESS_TOKEN_INVALID, "Access Token is not a Twilio token")
        claims = jwt.decode(
            token,
            credentials.api_key_secret,
            algorithms=["HS256"],
            issuer=credentials.api_key_sid,
            options={"require": ["exp", "iss", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError(ErrorCode.ACCESS_TOKEN_EXPIRED, "Access Token expired") from None
    except jwt.PyJWTError as error:
        # Bad signature, wrong key (iss), malformed, not yet valid: all one code to the SDK.
        message = f"Access Token is invalid: {error}"
        raise TokenError(ErrorCode.ACCESS_TOKEN_INVALID, message) from None
    if claims["sub"] != credentials.account_sid:
        raise TokenError(ErrorCode.ACCESS_TOKEN_INVALID, "Access Token is for another account")
    return claims


def _dig(mapping: dict[str, Any], *keys: str) -> object:
    value: object = mapping
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
