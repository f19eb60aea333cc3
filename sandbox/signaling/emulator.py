"""PLACEHOLDER until the emulator lands: listens and does nothing else."""

from __future__ import annotations

import websockets
from websockets.asyncio.server import Server

from sandbox.credentials import TwilioCredentials


class Emulator:
    def __init__(self, credentials: TwilioCredentials, *, webhook_url: str) -> None:
        self.credentials = credentials
        self.webhook_url = webhook_url
        self._server: Server | None = None

    async def start(self, host: str, port: int) -> None:
        self._server = await websockets.serve(self._handle, host, port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, connection) -> None:
        async for _ in connection:
            pass
