"""``python -m sandbox``: the whole sandbox on loopback, with no accounts needed.

Settings come from flags, or from ``SANDBOX_*`` environment variables (see README).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from sandbox.config import INTERPRETERS
from sandbox.config import SandboxConfig
from sandbox.runner import Sandbox
from server.config import ConfigError


def parse_args(argv: list[str] | None) -> SandboxConfig:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default=env.get("SANDBOX_HOST", "127.0.0.1"),
                        help="loopback address for every listener (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=int(env.get("SANDBOX_PORT", "8000")),
                        help="host page, toolbar, token service and control API (default 8000)")
    parser.add_argument("--signaling-port", type=int,
                        default=int(env.get("SANDBOX_SIGNALING_PORT", "8001")),
                        help="the Twilio signaling emulator (default 8001)")
    parser.add_argument("--interpreter", choices=INTERPRETERS,
                        default=env.get("SANDBOX_INTERPRETER", "pyodide"),
                        help="the toolbar's default interpreter (default pyodide)")
    parser.add_argument("--token-ttl", type=int, default=int(env.get("SANDBOX_TOKEN_TTL", "3600")),
                        help="lifetime of Twilio Access Tokens in seconds (default 3600)")
    parser.add_argument("--fa-token-ttl", type=int,
                        default=int(env.get("SANDBOX_FA_TOKEN_TTL", "3600")),
                        help="lifetime of agent JWTs (faTrustToken) in seconds (default 3600)")
    parser.add_argument("--test-pages", type=Path, default=None,
                        help="a folder of extra pages to serve at /sandbox/test-pages/ (tests)")
    parser.add_argument("--verbose", action="store_true", help="log every request and message")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return SandboxConfig(host=args.host, port=args.port, signaling_port=args.signaling_port,
                         interpreter=args.interpreter, token_ttl=args.token_ttl,
                         fa_token_ttl=args.fa_token_ttl, test_pages=args.test_pages)


async def run(config: SandboxConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    def announce() -> None:
        print(f"Sandbox running: open {config.fusion_origin}/ (Ctrl-C to stop)", flush=True)

    await Sandbox(config).serve(stop, on_ready=announce)


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    try:
        asyncio.run(run(config))
    except (ConfigError, OSError) as error:
        print(f"sandbox: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
