"""Check an agent's bearer JWT and return the Twilio identity it names.

The JWT is the one Fusion hands the toolbar as ``faTrustToken``, or any OIDC provider's ID token.
It must be signed with RS256 or ES256 by a key in the configured JWKS, found by its ``kid``, and
carry the configured ``iss`` and ``aud``, an ``exp`` that has not passed (give or take a small
leeway) and a ``sub`` that already is a valid Twilio identity: a ``sub`` that is not is refused,
never rewritten, so two agents can never end up sharing one identity. Then the identity must be
an agent's: listed in TOOLBAR_AGENTS, or carrying TOOLBAR_AGENT_CLAIM (``claim=value``: the
claim equals value, or is a list that holds it); anyone else gets 403 not_an_agent.

Public names: ALGORITHMS, AgentVerifier.
"""

import re
import threading
import time
from collections.abc import Callable

import jwt
from jwt.exceptions import InvalidSubjectError

from server.errors import Forbidden
from server.errors import InvalidToken
from server.jwks import JwksCache
from server.twilio_formats import IDENTITY_RULE
from server.twilio_formats import is_identity

# Asymmetric only. HS* would let anyone holding the (public) JWKS mint tokens, and "none"
# needs no key at all; both are refused before any key is looked at.
ALGORITHMS = ("RS256", "ES256")

_MAX_AUTHORIZATION = 8192  # far above any real JWT; bounds the work junk can cause
_BEARER = re.compile(r"Bearer +([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*)", re.IGNORECASE)
_REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
_NOT_AN_IDENTITY = f"token subject is not a Twilio identity ({IDENTITY_RULE})"

# Most specific first: InvalidSignatureError is a DecodeError, and both are InvalidTokenErrors.
_REFUSALS: tuple[tuple[type[jwt.InvalidTokenError], str], ...] = (
    (jwt.ExpiredSignatureError, "token has expired"),
    (jwt.ImmatureSignatureError, "token is not valid yet"),
    (jwt.InvalidIssuerError, "token is from another issuer"),
    (jwt.InvalidAudienceError, "token is for another audience"),
    (jwt.InvalidSignatureError, "token signature does not verify"),
    (InvalidSubjectError, _NOT_AN_IDENTITY),
    (jwt.InvalidTokenError, "token is malformed"),
)


class AgentVerifier:
    """Turns an Authorization header into a verified Twilio identity.

    A token that verified is remembered for up to ``remember_for`` seconds, and never past its
    ``exp`` plus the leeway, so an agent's repeated requests skip the signature check (about 40 %
    of a /token answer's time). Refusals are never remembered, so junk cannot fill the memory;
    valid tokens are bounded by ``remember_max``, oldest forgotten first. A signing key removed
    from the JWKS stops working within ``remember_for`` of the JWKS cache noticing.
    """

    def __init__(
        self,
        keys: JwksCache,
        *,
        issuer: str,
        audience: str,
        agents: tuple[str, ...],
        agent_claim: tuple[str, str] | None = None,
        # Timeouts
        leeway: float = 30.0,
        remember_for: float = 60.0,
        # Limits
        remember_max: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._agents = frozenset(agents)
        self._agent_claim = agent_claim
        self._leeway = leeway
        self._remember_for = remember_for
        self._remember_max = remember_max
        self._clock = clock
        self._remembered: dict[str, tuple[str, float]] = {}  # token -> (identity, until)
        self._lock = threading.Lock()

    def identity(self, authorization: str | None) -> str:
        """Return the Twilio identity in the bearer JWT of an Authorization header value.

        Safe to call from many threads at once.

        Raises:
            InvalidToken: the header is missing or malformed, or the token fails any check;
                the message says which, without repeating the token.
            Forbidden: not_an_agent, the token is valid but names no agent.
            KeysUnavailable: no signing keys could be loaded to check it with.
        """
        token = _bearer_token(authorization)
        now = self._clock()
        remembered = self._remembered.get(token)
        if remembered is not None and now < remembered[1]:
            return remembered[0]
        claims = self._verified_claims(token, self._key_for(token))
        identity = _twilio_identity(claims)
        if not self._is_agent(identity, claims):
            raise Forbidden("not_an_agent", "this identity is not one of the contact centre's agents")
        # PyJWT has checked that int(exp) works and is not in the past (give or take leeway).
        self._remember(
            token, identity, min(int(claims["exp"]) + self._leeway, now + self._remember_for)
        )
        return identity

    def _is_agent(self, identity: str, claims: dict[str, object]) -> bool:
        if identity in self._agents:
            return True
        if self._agent_claim is None:
            return False
        name, value = self._agent_claim
        held = claims.get(name)
        return held == value or (isinstance(held, list) and value in held)

    def _remember(self, token: str, identity: str, until: float) -> None:
        with self._lock:
            while len(self._remembered) >= self._remember_max:
                # Dicts keep insertion order, so the first key is the oldest.
                del self._remembered[next(iter(self._remembered))]
            self._remembered[token] = (identity, until)

    def _key_for(self, token: str) -> jwt.PyJWK:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("token is malformed") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:  # a tuple, so unhashable junk compares instead of raising
            raise InvalidToken("token algorithm must be RS256 or ES256")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidToken("token has no key id (kid)")
        key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("token is signed with an unknown key")
        if key.algorithm_name != algorithm:
            raise InvalidToken("token algorithm does not match its key")
        return key

    def _verified_claims(self, token: str, key: jwt.PyJWK) -> dict[str, object]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[key.algorithm_name],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.MissingRequiredClaimError as error:
            raise InvalidToken(f"token has no {error.claim} claim") from None
        except jwt.InvalidTokenError as error:
            message = next(text for kind, text in _REFUSALS if isinstance(error, kind))
            raise InvalidToken(message) from None


def _twilio_identity(claims: dict[str, object]) -> str:
    subject = claims["sub"]
    if not isinstance(subject, str) or not is_identity(subject):
        raise InvalidToken(_NOT_AN_IDENTITY)
    return subject


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise InvalidToken("missing bearer token")
    match = _BEARER.fullmatch(authorization) if len(authorization) <= _MAX_AUTHORIZATION else None
    if match is None:
        raise InvalidToken("Authorization header is not 'Bearer <JWT>'")
    return match.group(1)
