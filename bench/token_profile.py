"""The token service's own time per ``GET /token``, in-process, and where it goes (cProfile).

Not a benchmark but the profiler behind the token-service notes in bench/README.md. It builds
the app exactly as bench/token_service.py configures it (same JWKS, agents and settings), calls
its WSGI entry directly for every agent's JWT in turn, so no server or socket is counted, and
prints the microseconds per answer and the functions with the most cumulative time. The
answers reuse JWTs the service verified a moment ago, which it remembers for a minute; it
also times the check of a JWT it does not remember (RS256 and claims), the extra cost of an
agent's first request.
``python -m bench.token_profile``; for the server around it, sample a gunicorn worker with
``py-spy record -p <worker pid> -f raw`` while ``python -m bench token`` runs.
"""

from __future__ import annotations

import cProfile
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from bench.token_service import service_environ
from server import create_app
from server.agents_auth import AgentVerifier
from server.config import load_settings
from server.jwks import JwksCache

REQUESTS = 5000


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-tokens-") as directory:
        environ, tokens = service_environ(Path(directory))
        app = create_app(load_settings(environ))
        requests = [
            EnvironBuilder(
                path="/token", headers={"Authorization": f"Bearer {token}"}
            ).get_environ()
            for token in tokens.read_text().split()
        ]
        _answer_all(app, requests, len(requests))  # first verifications, not measured
        began = time.perf_counter()
        _answer_all(app, requests, REQUESTS)
        per_answer = (time.perf_counter() - began) / REQUESTS * 1e6
        print(f"{per_answer:.0f} µs per answer ({REQUESTS} answers, in-process, no server)")
        profile = cProfile.Profile()
        profile.runcall(_answer_all, app, requests, REQUESTS)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(20)
        print(f"{_first_check_us(environ, tokens):.0f} µs to check a JWT not remembered")


def _first_check_us(environ: dict[str, str], tokens: Path) -> float:
    """Microseconds per JWT check by a verifier that remembers nothing (``remember_for=0``)."""
    verifier = AgentVerifier(
        JwksCache(environ["TOOLBAR_JWKS_URL"]),
        issuer=environ["TOOLBAR_JWT_ISSUER"],
        audience=environ["TOOLBAR_JWT_AUDIENCE"],
        remember_for=0.0,
    )
    headers = [f"Bearer {token}" for token in tokens.read_text().split()]
    verifier.identity(headers[0])  # loads the JWKS
    began = time.perf_counter()
    for n in range(REQUESTS):
        verifier.identity(headers[n % len(headers)])
    return (time.perf_counter() - began) / REQUESTS * 1e6


def _answer_all(app: Any, requests: list[dict[str, Any]], count: int) -> None:
    """Answer ``count`` requests, cycling through ``requests``; each must be a 200."""
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        statuses.append(status)

    for n in range(count):
        b"".join(app(dict(requests[n % len(requests)]), start_response))
    refused = [status for status in statuses if not status.startswith("200")]
    if refused:
        raise RuntimeError(f"/token refused {len(refused)} requests: {refused[0]}")


if __name__ == "__main__":
    main()
