"""One signaling emulator in a process of its own, for bench/emulator_scale.py.

``python -m bench.emulator_process PORT`` serves sandbox.signaling's Emulator on
127.0.0.1:PORT, pinned to CPU 0 so it has one core to itself as far as this benchmark goes,
with the credentials the benchmark generated (JSON in BENCH_TWILIO_CREDENTIALS, so it can
mint Access Tokens the emulator accepts). It raises its open-file limit to the hard limit:
each connection is a file descriptor. SIGTERM stops it.

Public names: HEARTBEAT_SECONDS, CREDENTIALS_VARIABLE, raise_file_limit, main.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import sys

from sandbox.credentials import TwilioCredentials
from sandbox.signaling.emulator import Emulator

HEARTBEAT_SECONDS = 5.0  # the emulator's default, said out loud: the client measures against it
CREDENTIALS_VARIABLE = "BENCH_TWILIO_CREDENTIALS"
EMULATOR_CPU = 0


def raise_file_limit() -> int:
    """Raise this process's open-file limit to its hard limit; return the new limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def _serve(port: int, credentials: TwilioCredentials) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    # No webhook is ever called: nobody places a call.
    emulator = Emulator(
        credentials, webhook_url="http://127.0.0.1:9/voice", heartbeat_interval=HEARTBEAT_SECONDS
    )
    await emulator.start("127.0.0.1", port)
    await stop.wait()


def main() -> None:
    os.sched_setaffinity(0, {EMULATOR_CPU})
    raise_file_limit()
    credentials = TwilioCredentials(**json.loads(os.environ[CREDENTIALS_VARIABLE]))
    asyncio.run(_serve(int(sys.argv[1]), credentials))


if __name__ == "__main__":
    main()
