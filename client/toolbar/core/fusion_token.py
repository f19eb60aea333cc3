"""Fusion's faTrustToken: when to ask Fusion for a new one, read from the JWT itself.

Browser-free. The token service checks the agent JWT's signature; the toolbar only reads its
payload, unverified, for ``exp`` (and ``iat``), to renew it before it expires: Fusion mints a
fresh one on every getConfigurationOperation (docs/fusion-uef.md). With ``iat`` the lifetime is
measured on Fusion's clock, so a browser whose clock is off still renews in time; without it,
against ``now``.

Public names: RENEW_MARGIN_S, MIN_DELAY_MS, claims, renewal_delay_ms.
"""

import binascii
import json

# Renew this long before expiry, or a third of the lifetime for short-lived tokens.
RENEW_MARGIN_S = 60
# Never sooner than this: a Fusion whose tokens look expired is not asked in a loop.
MIN_DELAY_MS = 5000


def claims(token) -> dict:
    """The JWT's payload (unverified), or {} if ``token`` is not a JWT with a JSON object."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        return {}
    segment = parts[1].replace("-", "+").replace("_", "/")
    try:
        payload = json.loads(binascii.a2b_base64((segment + "=" * (-len(segment) % 4))
                                                 .encode()).decode())
    except (ValueError, TypeError, UnicodeError):  # binascii.Error is a ValueError
        return {}
    return payload if isinstance(payload, dict) else {}


def renewal_delay_ms(token, now: float):
    """How long from ``now`` (seconds since the epoch) until the token should be renewed;
    None when it carries no usable ``exp`` (then only a refusal from the service renews it)."""
    payload = claims(token)
    exp, iat = payload.get("exp"), payload.get("iat")
    if not _number(exp):
        return None
    left = exp - iat if _number(iat) and iat < exp else exp - now
    margin = min(RENEW_MARGIN_S, left / 3)
    return max(MIN_DELAY_MS, int((left - margin) * 1000))


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
