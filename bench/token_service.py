"""Token service: authenticated ``GET /token`` per second, and latency, under wrk on loopback.

The service (server/) runs as deployed: ``gunicorn --preload server.wsgi:app`` with 2 workers,
and, for comparison, Flask's development server (``python -m server``). Its settings are real:
a JWKS file of a freshly generated RSA key, agent JWTs (RS256) minted with it for 64 agents,
Twilio-shaped credentials, and rate limits set out of reach so that every answer is a token.
Each agent's JWT is sent twice before measuring, and the service remembers a verified JWT
for a minute, so the runs measure the remembered path (bench.token_profile times the RS256
check an agent's first request adds). wrk (Debian's package) then keeps
1, 8 and 64 connections busy, each sending the next agent's JWT as soon as the previous
answer arrived, so requests per second is the most the service answers at that concurrency
and the latencies are what those clients saw. wrk runs on the same 2 cores. Memory is VmRSS
of each serving process after the runs.

Public names: SERVERS, CLIENTS, run, table, main, service_environ.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

from bench.common import Row
from bench.common import free_port
from bench.common import note
from bench.common import rss_mib
from bench.common import running
from bench.common import subject_main
from bench.common import wait_for_http
from sandbox.agents import Agent
from sandbox.agents import AgentIssuer
from sandbox.credentials import TwilioCredentials

CLIENTS = (1, 8, 64)
SECONDS = 10
AGENTS = 64
_LOAD_SCRIPT = Path(__file__).parent / "token_load.lua"
# Out of reach of any run here: the benchmark measures tokens, not refusals.
_NO_LIMIT = "100000000/minute"

SERVERS: dict[str, Callable[[int], list[str]]] = {
    "gunicorn, 2 workers": lambda port: [
        sys.executable,
        "-m",
        "gunicorn",
        "--preload",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "server.wsgi:app",
    ],
    "Flask dev server": lambda port: [
        sys.executable,
        "-m",
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ],
}


def run(quick: bool) -> Iterator[Row]:
    """Load each server at each concurrency; yield throughput, latency and memory rows."""
    with tempfile.TemporaryDirectory(prefix="bench-tokens-") as directory:
        environ, tokens = service_environ(Path(directory))
        for server, command in SERVERS.items():
            port = free_port()
            with running(command(port), env=environ, name=server) as process:
                url = f"http://127.0.0.1:{port}"
                wait_for_http(f"{url}/healthz", process)
                _warm_up(url, tokens)
                for clients in CLIENTS:
                    yield _load(server, url, tokens, clients, 2 if quick else SECONDS)
                yield _memory(server, process.pid)


def table(rows: list[Row]) -> str:
    """The README's token-service table."""
    lines = [
        "| server | clients | tokens/s | p50 | p99 | max | errors | memory per process |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    memory = {
        row["server"]: row for row in rows if row["bench"] == "token" and row["metric"] == "rss_mib"
    }
    for row in rows:
        if row["bench"] != "token" or row["metric"] != "load":
            continue
        rss = memory.get(row["server"])
        rss_text = _rss_text(rss) if rss and row["clients"] == CLIENTS[-1] else ""
        lines.append(
            f"| {row['server']} | {row['clients']} | {row['per_second']:,.0f} "
            f"| {row['p50_ms']:.1f} ms | {row['p99_ms']:.1f} ms | {row['max_ms']:.0f} ms "
            f"| {row['errors']} | {rss_text} |"
        )
    return "\n".join(lines)


def main() -> None:
    subject_main(run, __doc__.splitlines()[0])


def service_environ(directory: Path) -> tuple[dict[str, str], Path]:
    """Write the JWKS and the agents' JWTs; return the service's environment and the JWT file."""
    agents = tuple(Agent(f"bench_agent_{n}", f"Agent {n}") for n in range(AGENTS))
    issuer = AgentIssuer("https://idp.bench.invalid/", agents=agents)
    credentials = TwilioCredentials.generate()
    tokens = directory / "agent-jwts.txt"
    tokens.write_text("".join(issuer.token_for(agent.agent_id) + "\n" for agent in agents))
    environ = {
        "PATH": "/usr/bin:/bin",
        "TWILIO_ACCOUNT_SID": credentials.account_sid,
        "TWILIO_API_KEY_SID": credentials.api_key_sid,
        "TWILIO_API_KEY_SECRET": credentials.api_key_secret,
        "TWILIO_AUTH_TOKEN": credentials.auth_token,
        "TWILIO_TWIML_APP_SID": credentials.twiml_app_sid,
        "TWILIO_CALLER_ID": credentials.caller_id,
        "TOOLBAR_JWKS_URL": issuer.write_jwks(directory / "jwks.json"),
        "TOOLBAR_JWT_ISSUER": issuer.issuer,
        "TOOLBAR_JWT_AUDIENCE": issuer.audience,
        "TOOLBAR_AGENTS": agents[0].agent_id,
        "TOOLBAR_PUBLIC_URL": "https://toolbar.bench.invalid/api",
        "TOOLBAR_RATE_LIMIT_IDENTITY": _NO_LIMIT,
        "TOOLBAR_RATE_LIMIT_ADDRESS": _NO_LIMIT,
    }
    return environ, tokens


def _warm_up(url: str, tokens: Path) -> None:
    """Send every JWT twice before measuring, so the workers' first verifications of a JWT
    (RS256, remembered afterwards) mostly fall outside the runs."""
    for token in tokens.read_text().split() * 2:
        request = urllib.request.Request(
            f"{url}/token", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def _load(server: str, url: str, tokens: Path, clients: int, seconds: int) -> Row:
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(clients),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--script",
        str(_LOAD_SCRIPT),
        f"{url}/token",
        "--",
        str(tokens),
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    note(f"{server}, {clients} clients: {result}")
    return {
        "bench": "token",
        "server": server,
        "clients": clients,
        "metric": "load",
        "seconds": seconds,
        "requests": result["requests"],
        "per_second": round(result["requests"] / (result["duration_us"] / 1e6), 1),
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "max_ms": result["max_us"] / 1000,
        "errors": result["non_2xx"] + result["socket_errors"],
    }


def _memory(server: str, pid: int) -> Row:
    """VmRSS of the server and of its workers (gunicorn's children), in MiB."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {
        "bench": "token",
        "server": server,
        "metric": "rss_mib",
        "main": rss_mib(pid),
        "workers": [rss_mib(int(child)) for child in children],
    }


def _rss_text(row: Row) -> str:
    if row["workers"]:
        workers = ", ".join(f"{rss:.0f}" for rss in row["workers"])
        return f"workers {workers} MiB (master {row['main']:.0f} MiB)"
    return f"{row['main']:.0f} MiB"


if __name__ == "__main__":
    main()
