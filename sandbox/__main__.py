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
    # The defaults are SandboxConfig's own: declared there once.
    default = SandboxConfig()
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default=env.get("SANDBOX_HOST", default.host),
                        help=f"loopback address for every listener (default {default.host})")
    parser.add_argument("--port", type=int, default=int(env.get("SANDBOX_PORT", default.port)),
                        help="host page, toolbar, token service and control API "
                             f"(default {default.port})")
    parser.add_argument("--signaling-port", type=int,
                        default=int(env.get("SANDBOX_SIGNALING_PORT", default.signaling_port)),
                        help=f"the Twilio signaling emulator (default {default.signaling_port})")
    parser.add_argument("--interpreter", choices=INTERPRETERS,
                        default=env.get("SANDBOX_INTERPRETER", default.interpreter),
                        help=f"the toolbar's default interpreter (default {default.interpreter})")
    parser.add_argument("--token-ttl", type=int,
                        default=int(env.get("SANDBOX_TOKEN_TTL", default.token_ttl)),
                        help=f"lifetime of Twilio Access Tokens in seconds "
                             f"(default {default.token_ttl})")
    parser.add_argument("--fa-token-ttl", type=int,
                        default=int(env.get("SANDBOX_FA_TOKEN_TTL", default.fa_token_ttl)),
                        help=f"lifetime of agent JWTs (faTrustToken) in seconds "
                             f"(default {default.fa_token_ttl})")
    parser.add_argument("--test-pages", type=Path, default=default.test_pages,
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
