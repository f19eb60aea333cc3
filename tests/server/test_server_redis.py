"""Rate limits shared through a real Redis by two real service processes.

Debian's redis-server (``make test`` installs it) runs on a free loopback port; two
``python -m server`` processes count in it. Then Redis stops: each process falls back to its
own memory, still enforcing the limit, and says so once in its (JSON) log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.live import ProcessOutput
from tests.live import free_port
from tests.live import stop
from tests.live import wait_until

ROOT = Path(__file__).resolve().parents[2]
FALLBACK = "rate-limit storage failed"


@dataclass
class Process:
    popen: subprocess.Popen
    output: ProcessOutput

    def log(self) -> str:
        return self.output.text()

    def wait_logged(self, text: str) -> None:
        wait_until(lambda: text in self.log(), what=f"{text!r} logged",
                   changes=self.output.changes)


@contextlib.contextmanager
def _running(command: list[str], ready, env: dict[str, str] | None = None) -> Iterator[Process]:
    """Run command until the block ends; ready() says it serves (looked at as it prints)."""
    popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    process = Process(popen, ProcessOutput(popen))
    try:
        wait_until(lambda: _started(process, ready), what=" ".join(command[:3]),
                   changes=process.output.changes)
        yield process
    finally:
        stop(popen)
        process.output.close()


def _started(process: Process, ready) -> bool:
    if process.popen.poll() is not None:
        raise AssertionError(f"exited early:\n{process.log()}")
    with contextlib.suppress(OSError):  # refused: not listening yet (requests' errors too)
        return ready()
    return False


@pytest.fixture
def redis_server() -> Iterator[tuple[str, Process]]:
    """A throw-away redis-server on a free loopback port: (its URL, its process)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("needs Debian's redis-server (make test installs it)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no"]

    def answers() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    with _running(command, answers) as process:
        yield f"redis://127.0.0.1:{port}/0", process


def _service(environ: dict[str, str], storage: str):
    port = free_port()
    env = {**os.environ, **environ, "TOOLBAR_RATE_LIMIT_STORAGE": storage,
           "TOOLBAR_RATE_LIMIT_IDENTITY": "3/minute"}
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "server", "--port", str(port)]
    return url, _running(command, lambda: requests.get(url + "/healthz", timeout=5).ok, env)


def test_redis_limit_holds_across_two_processes_and_falls_back(environ, idp, redis_server):
    """One agent's budget is spent across both processes; with Redis gone, each still
    enforces the limit from its memory and logs the fallback once, not per request."""
    storage, redis = redis_server
    url_a, service_a = _service(environ, storage)
    url_b, service_b = _service(environ, storage)
    with service_a as a, service_b as b:

        def token(url: str) -> int:
            return requests.get(url + "/token", headers=idp.bearer(), timeout=10).status_code

        # 3 a minute for alice, counted in Redis: wherever the requests land.
        assert [token(url_a), token(url_b), token(url_a), token(url_b), token(url_a)] == [
            200, 200, 200, 429, 429]  # fmt: skip

        stop(redis.popen)

        # Each process now counts in its own memory: still limited, logged once.
        assert [token(url_a) for _ in range(4)] == [200, 200, 200, 429]
        assert token(url_b) == 200
        a.wait_logged(FALLBACK)  # a line the process has written may still be in the pipe
        b.wait_logged(FALLBACK)
        assert a.log().count(FALLBACK) == 1
        assert b.log().count(FALLBACK) == 1
