"""What every benchmark shares: rows on stdout, notes on stderr, summaries and processes.

Benchmarks report; they never assert. A row is one JSON object on one line of stdout, so a run
can be piped, saved and compared; anything meant for people goes to stderr. Each subject
module has ``run(quick) -> Iterator[Row]``, ``table(rows) -> str`` (its Markdown table) and a
``main()`` that runs it alone.

Public names: ROOT, Row, emit, note, percentile, summarize, free_port, running, wait_for_http,
wait_for_port, rss_mib, cpu_seconds, machine, subject_main.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Row = dict[str, Any]


def emit(row: Row) -> Row:
    """Print ``row`` as one JSON line on stdout and return it."""
    print(json.dumps(row), flush=True)
    return row


def note(text: str) -> None:
    """Tell the person running the benchmark something (stderr)."""
    print(text, file=sys.stderr, flush=True)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that occurred (with few runs, p95 is the worst one)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def summarize(values: Sequence[float], digits: int = 1) -> dict[str, float | int]:
    """Return n, median, p95, min and max of ``values`` (at least one)."""
    return {
        "n": len(values),
        "median": round(statistics.median(values), digits),
        "p95": round(percentile(values, 0.95), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    name: str = "process",
    cwd: Path = ROOT,
) -> Iterator[subprocess.Popen[str]]:
    """Run ``command`` from ``cwd`` (the repository root); stop it however the block ends.

    Its output goes to a file, not a pipe (a pipe nobody reads blocks a chatty server), and
    is shown on stderr if it dies before the block ends.
    """
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, text=True
        )
        try:
            yield process
        finally:
            died = process.poll()
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if died is not None:
                output.seek(0)
                note(f"{name} exited early ({died}):\n{output.read()[-4000:]}")


def wait_for_http(url: str, process: subprocess.Popen[str], timeout: float = 30.0) -> None:
    """Return once ``url`` answers 200; raise if ``process`` dies or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 30.0) -> None:
    """Return once 127.0.0.1:``port`` accepts connections; raise if ``process`` dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


def rss_mib(pid: int) -> float:
    """Resident memory (VmRSS) of process ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"process {pid} has no VmRSS")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> Row:
    """Describe this machine and how busy it is: figures mean little without it."""
    return {
        "bench": "machine",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _output(["git", "rev-parse", "--short", "HEAD"]),
        "uncommitted": _uncommitted(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "chromium": _output(["/usr/bin/chromium", "--version"]),
        "wrk": _output(["wrk", "--version"]).split(" [")[0],
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }


def subject_main(run: Callable[[bool], Iterator[Row]], description: str) -> None:
    """The ``main()`` of a subject module: ``--quick`` for a short smoke run."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer runs: check, don't measure")
    arguments = parser.parse_args()
    emit(machine())
    for row in run(arguments.quick):
        emit(row)


def _uncommitted() -> list[str]:
    """The product folders whose working copy differs from the commit being reported."""
    status = _output(["git", "status", "--porcelain", "--", "client", "server", "sandbox"])
    return sorted({line.split(maxsplit=1)[1].split("/")[0] for line in status.splitlines()})


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def _output(command: list[str]) -> str:
    try:
        return subprocess.run(
            command, check=False, cwd=ROOT, capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
