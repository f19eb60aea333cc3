"""Sandbox scale: registered SDK-like connections one emulator process holds, and its heartbeats.

The emulator runs alone in a process pinned to CPU 0 (bench/emulator_process.py), with its
5 s heartbeat. This process, pinned to CPU 1, opens N WebSockets to it and on each does what
the Voice SDK does: ``listen`` with a real Access Token (twilio's AccessToken, HS256, signed
with the emulator's generated API key), ``register`` with audio, then echo every heartbeat.
At most 100 connections are being set up at once. Once all N are registered it watches for
4 heartbeat intervals. A heartbeat is *missed* when it is more than half an interval late
(or never comes): per gap between beats, ``floor(gap / interval - 0.5)`` beats are missing.
N steps up from 250 and stops at the first step that misses more than 1 %, or fails to
register a connection. Each step gets a fresh emulator. This process and the emulator both
raise their open-file limits to the hard limit (resource.setrlimit).

Lateness is measured where the SDK would see it, so a slow client counts against the
emulator: the client's own load is reported beside it.

Public names: STEPS, MAX_MISSED, run, table, main.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import math
import os
import sys
import time
from collections.abc import Iterator

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from bench.common import Row
from bench.common import cpu_seconds
from bench.common import free_port
from bench.common import note
from bench.common import percentile
from bench.common import rss_mib
from bench.common import running
from bench.common import subject_main
from bench.common import wait_for_port
from bench.emulator_process import CREDENTIALS_VARIABLE
from bench.emulator_process import HEARTBEAT_SECONDS
from bench.emulator_process import raise_file_limit
from sandbox.credentials import TwilioCredentials

STEPS = (250, 500, 1000, 2000, 4000, 8000)
MAX_MISSED = 0.01
CLIENT_CPU = 1
_INTERVALS_WATCHED = 4
_CONNECTING = 100  # connections in set-up at once
_REGISTER = json.dumps(
    {"payload": {"media": {"audio": True}}, "type": "register", "version": "1.6"}
)


@dataclasses.dataclass
class _Line:
    """One SDK-like connection: how long registering took, when heartbeats came, when it ended."""

    register_ms: float | None = None
    beats: list[float] = dataclasses.field(default_factory=list)
    closed_at: float | None = None


def run(quick: bool) -> Iterator[Row]:
    """Step the connection count up until heartbeats are missed; yield one row per step."""
    limit = raise_file_limit()
    credentials = TwilioCredentials.generate()
    environ = {**os.environ, CREDENTIALS_VARIABLE: json.dumps(dataclasses.asdict(credentials))}
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {CLIENT_CPU})
    try:
        for count in STEPS[:2] if quick else STEPS:
            if count + 100 > limit:  # each process holds one socket per connection
                note(f"stopping before {count} connections: the open-file limit is {limit}")
                return
            row = _step(credentials, environ, count, 2 if quick else _INTERVALS_WATCHED)
            yield row
            if row["miss_pct"] > 100 * MAX_MISSED or row["registered"] < count:
                return
    finally:
        os.sched_setaffinity(0, affinity)


def table(rows: list[Row]) -> str:
    """The README's emulator-scale table."""
    lines = [
        (
            "| connections | registered | heartbeats | missed | late, p99 "
            "| register, p50 / p99 | emulator CPU | emulator RSS | client CPU |"
        ),
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        if row["bench"] == "scale":
            lines.append(
                f"| {row['connections']:,} | {row['registered']:,} | {row['beats']:,} "
                f"| {row['missed']} ({row['miss_pct']:.2f} %) | {row['late_p99_ms']:.0f} ms "
                f"| {row['register_p50_ms']:.0f} / {row['register_p99_ms']:.0f} ms "
                f"| {row['emulator_cpu_pct']:.0f} % | {row['emulator_rss_mib']:.0f} MiB "
                f"| {row['client_cpu_pct']:.0f} % |"
            )
    return "\n".join(lines)


def main() -> None:
    subject_main(run, __doc__.splitlines()[0])


def _step(
    credentials: TwilioCredentials, environ: dict[str, str], count: int, intervals: int
) -> Row:
    """Start a fresh emulator, hold ``count`` connections on it; return the step's row."""
    port = free_port()
    command = [sys.executable, "-m", "bench.emulator_process", str(port)]
    with running(command, env=environ, name="emulator") as process:
        wait_for_port(port, process)
        tokens = [_access_token(credentials, f"bench_{n}") for n in range(count)]
        url = f"ws://127.0.0.1:{port}/signal"
        row = asyncio.run(_hold(url, tokens, intervals * HEARTBEAT_SECONDS, process.pid))
    note(f"{count} connections: {row}")
    return row


def _access_token(credentials: TwilioCredentials, identity: str) -> str:
    """An Access Token like the token service's: a Voice grant that accepts incoming calls."""
    token = AccessToken(
        credentials.account_sid,
        credentials.api_key_sid,
        credentials.api_key_secret,
        identity=identity,
        ttl=3600,
    )
    token.add_grant(
        VoiceGrant(incoming_allow=True, outgoing_application_sid=credentials.twiml_app_sid)
    )
    return token.to_jwt()


async def _hold(url: str, tokens: list[str], seconds: float, emulator: int) -> Row:
    """Open a connection per token, watch heartbeats for ``seconds``, close them all."""
    lines = [_Line() for _ in tokens]
    gate = asyncio.Semaphore(_CONNECTING)
    tasks = [
        asyncio.create_task(_connection(url, token, line, gate))
        for token, line in zip(tokens, lines, strict=True)
    ]
    deadline = time.monotonic() + 30 + len(tokens) / 50
    while time.monotonic() < deadline and any(
        line.register_ms is None and line.closed_at is None for line in lines
    ):
        await asyncio.sleep(0.2)
    start = time.monotonic()
    used = cpu_seconds(emulator), cpu_seconds(os.getpid())
    await asyncio.sleep(seconds)
    end = time.monotonic()
    cpu = {
        "emulator_cpu_pct": cpu_seconds(emulator) - used[0],
        "client_cpu_pct": cpu_seconds(os.getpid()) - used[1],
    }
    rss = rss_mib(emulator)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "bench": "scale",
        "connections": len(lines),
        "window_s": round(end - start, 1),
        **_heartbeats(lines, start, end),
        **{name: round(100 * used / (end - start), 1) for name, used in cpu.items()},
        "emulator_rss_mib": rss,
    }


async def _connection(url: str, token: str, line: _Line, gate: asyncio.Semaphore) -> None:
    """Be one SDK: listen, register, then echo heartbeats until cancelled."""
    listen = json.dumps({"payload": {"token": token}, "type": "listen", "version": "1.6"})
    try:
        async with gate:
            websocket = await connect(url, ping_interval=None, compression=None)
            began = time.monotonic()
            await websocket.send(listen)
            await _until(websocket, "connected", line)
            await websocket.send(_REGISTER)
            await _until(websocket, "ready", line)
            line.register_ms = (time.monotonic() - began) * 1000
        async with websocket:
            async for frame in websocket:
                await _echo(websocket, frame, line)
    except (OSError, WebSocketException) as error:
        note(f"a connection failed: {error!r}")
    finally:
        line.closed_at = time.monotonic()


async def _until(websocket: ClientConnection, kind: str, line: _Line) -> None:
    """Read until a message of ``kind`` arrives, echoing heartbeats meanwhile."""
    async for frame in websocket:
        if not await _echo(websocket, frame, line) and json.loads(frame)["type"] == kind:
            return
    raise ConnectionError(f"closed before {kind}")


async def _echo(websocket: ClientConnection, frame: str | bytes, line: _Line) -> bool:
    """Echo a heartbeat and note when it came; return whether ``frame`` was one."""
    if frame != "\n":
        return False
    line.beats.append(time.monotonic())
    await websocket.send("\n")
    return True


def _heartbeats(lines: list[_Line], start: float, end: float) -> Row:
    """Count the heartbeats of the registered lines between start and end, and the missing ones.

    Per connection, the gaps run from its last beat before ``start`` (or ``start``) through
    each beat to ``end``; a gap of g seconds lacks floor(g / interval - 0.5) beats.
    """
    registered = [line for line in lines if line.register_ms is not None]
    beats = missed = 0
    lateness = []
    for line in registered:
        inside = [at for at in line.beats if start <= at <= end]
        points = [at for at in line.beats if at < start][-1:] or [start]
        points += inside + [end]
        gaps = [later - earlier for earlier, later in itertools.pairwise(points)]
        beats += len(inside)
        missed += sum(max(0, math.floor(gap / HEARTBEAT_SECONDS - 0.5)) for gap in gaps)
        lateness += [(gap - HEARTBEAT_SECONDS) * 1000 for gap in gaps[1:-1]]
    registering = [line.register_ms for line in registered]
    return {
        "registered": len(registered),
        "closed_early": sum(
            1 for line in registered if line.closed_at is not None and line.closed_at < end
        ),
        "beats": beats,
        "missed": missed,
        "miss_pct": round(100 * missed / max(1, beats + missed), 3),
        "late_p99_ms": round(percentile(lateness, 0.99), 1) if lateness else math.nan,
        "register_p50_ms": round(percentile(registering, 0.5), 1) if registering else math.nan,
        "register_p99_ms": round(percentile(registering, 0.99), 1) if registering else math.nan,
    }


if __name__ == "__main__":
    main()
