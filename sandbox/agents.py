"""Demo agents and the agent JWTs Fusion would hand the toolbar.

Fusion gives the toolbar a signed JWT (``faTrustToken``) for the signed-in agent, a
short-lived one, minted afresh for every ``getConfiguration``. The sandbox plays that
part with its own RSA key: it mints the JWTs and publishes the key as a JWKS, which
the token service is configured to trust.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.config import SandboxConfig

AUDIENCE = "twilio-fusion-toolbar"


@dataclass(frozen=True)
class Agent:
    """A demo agent; ``agent_id`` is also its Twilio identity."""

    agent_id: str
    name: str


DEMO_AGENTS = (
    Agent("alice_agent", "Alice Adams"),
    Agent("bob_agent", "Bob Brown"),
    Agent("carol_agent", "Carol Chen"),
)


class AgentIssuer:
    """Mint agent JWTs with a key generated at start, and publish it as a JWKS."""

    def __init__(self, issuer: str, *, agents: tuple[Agent, ...] = DEMO_AGENTS) -> None:
        self.issuer = issuer
        self.audience = AUDIENCE
        self.agents = {agent.agent_id: agent for agent in agents}
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = uuid.uuid4().hex

    def jwks(self) -> dict:
        """The public key set, as an identity provider serves it."""
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        public.update(kid=self._kid, use="sig", alg="RS256")
        return {"keys": [public]}

    def write_jwks(self, path: Path) -> str:
        """Write the JWKS to ``path`` and return its ``file://`` URL."""
        path.write_text(json.dumps(self.jwks()))
        return path.resolve().as_uri()

    def token_for(self, agent_id: str, *, ttl: int = SandboxConfig.fa_token_ttl) -> str:
        """Return a new signed JWT whose ``sub`` is the agent's id, valid for ``ttl`` seconds.

        Each has its own ``jti``, so two minted in the same second still differ.

        Raises:
            KeyError: if ``agent_id`` is not a demo agent.
        """
        agent = self.agents[agent_id]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": agent.agent_id,
            "name": agent.name,
            "iat": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
