"""The PStream wire format and the per-connection session, without I/O.

The Voice JS SDK (``pstream.ts``, ``wstransport.ts`` in 2.18.5) sends JSON text frames
``{"payload": {...}, "type": "...", "version": "1.6"}`` and echoes the one-character
heartbeat ``"\\n"``; of what it receives it reads only ``type`` and ``payload``, and it
``JSON.parse``s every frame that is not the heartbeat, so the server sends nothing else.

Two kinds of bad input, two outcomes:

- :class:`FrameError`: the frame is not a PStream message at all (binary, not JSON, no
  ``type``): the connection is closed with the error's close code.
- :class:`SignalingError`: a message the service refuses (unknown type, missing field,
  wrong order, unknown call): it is answered with an ``error`` message, and the
  connection stays open, as Twilio does.

Public names: PSTREAM_VERSION, HEARTBEAT, ErrorCode, FrameError, SignalingError,
Message, parse, text_field, Session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum
from enum import StrEnum
from typing import TYPE_CHECKING
from typing import Any

from websockets.frames import CloseCode

if TYPE_CHECKING:
    from sandbox.signaling.tokens import Grant

PSTREAM_VERSION = "1.6"
HEARTBEAT = "\n"
# ``connected`` names an AWS region; the SDK maps it to a shortcode and an edge (us1, ashburn).
REGION = "US_EAST_VIRGINIA"


class ErrorCode(IntEnum):
    """Signaling error codes the emulator sends (the SDK's ``errors/generated.ts``).

    31204, 31205 and 31201 become 20101, 20104 and 20151 in the app. The SDK shows the
    "precise" ones (31404, 31480, 31486, 31603) as 53000 or, in a ``hangup``, 31005, unless the
    Device has ``enableImprovedSignalingErrorPrecision``.
    """

    UNKNOWN = 31000
    AUTHORIZATION = 31201
    ACCESS_TOKEN_INVALID = 31204
    ACCESS_TOKEN_EXPIRED = 31205
    BAD_REQUEST = 31400
    NOT_FOUND = 31404
    TEMPORARILY_UNAVAILABLE = 31480
    BUSY_HERE = 31486
    DECLINE = 31603


class Phase(StrEnum):
    """Where a connection is in the handshake."""

    AWAITING_LISTEN = "awaiting-listen"
    CONNECTED = "connected"
    REGISTERED = "registered"


class FrameError(Exception):
    """A frame that is not a PStream message: close the connection with ``code``."""

    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class SignalingError(Exception):
    """A message the service refuses: answer it with an ``error`` message."""

    def __init__(self, code: ErrorCode, message: str, callsid: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.callsid = callsid

    def payload(self) -> dict[str, Any]:
        """The ``error`` message's payload; ``callsid`` lets the SDK name the Call."""
        payload: dict[str, Any] = {"error": {"code": int(self.code), "message": self.message}}
        if self.callsid is not None:
            payload["callsid"] = self.callsid
        return payload


@dataclass(frozen=True)
class Message:
    """One PStream message."""

    type: str
    payload: dict[str, Any]

    def encode(self) -> str:
        """Serialize in the SDK's own key order."""
        return json.dumps({"payload": self.payload, "type": self.type, "version": PSTREAM_VERSION})


def parse(data: str | bytes) -> Message:
    """Parse one frame the client sent (not the heartbeat).

    Raises:
        FrameError: UNSUPPORTED_DATA for a binary frame, INVALID_DATA for anything that
            is not a JSON object with a string ``type`` and an object ``payload``.
    """
    if isinstance(data, bytes):
        raise FrameError(CloseCode.UNSUPPORTED_DATA, "binary frames are not supported")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply to decode
        raise FrameError(CloseCode.INVALID_DATA, "frame is not JSON") from None
    if not isinstance(document, dict):
        raise FrameError(CloseCode.INVALID_DATA, "frame is not a JSON object")
    kind = document.get("type")
    payload = document.get("payload", {})
    if not isinstance(kind, str) or not kind:
        raise FrameError(CloseCode.INVALID_DATA, "frame has no type")
    if not isinstance(payload, dict):
        raise FrameError(CloseCode.INVALID_DATA, "payload is not an object")
    return Message(kind, payload)


def text_field(payload: dict[str, Any], name: str, callsid: str | None = None) -> str:
    """Return ``payload[name]``, which must be a non-empty string.

    Raises:
        SignalingError: BAD_REQUEST naming the field.
    """
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise SignalingError(ErrorCode.BAD_REQUEST, f"{name!r} must be a non-empty string", callsid)
    return value


@dataclass
class Session:
    """One WebSocket connection: who it is (after ``listen``) and whether it rings.

    A session answers ``listen`` and ``register`` itself; call messages need
    :meth:`require_grant` first.
    """

    conn_id: int
    remote: str
    grant: Grant | None = None
    registered: bool = False
    # Set once the connection is being closed: later frames are ignored.
    closing: bool = False

    @property
    def identity(self) -> str | None:
        return self.grant.identity if self.grant else None

    @property
    def phase(self) -> Phase:
        if self.grant is None:
            return Phase.AWAITING_LISTEN
        return Phase.REGISTERED if self.registered else Phase.CONNECTED

    def listen(self, grant: Grant) -> Message:
        """Accept a verified token (again, on ``updateToken``) and build ``connected``."""
        self.grant = grant
        return Message("connected", {"region": REGION,
                                     "token": {"identity": grant.identity, "ttl": grant.ttl}})

    def require_grant(self, callsid: str | None = None) -> Grant:
        """Return the token's grant.

        Raises:
            SignalingError: ACCESS_TOKEN_INVALID before a successful ``listen``, which is
                what the SDK's comments say Twilio answers to a premature ``register``.
        """
        if self.grant is None:
            raise SignalingError(ErrorCode.ACCESS_TOKEN_INVALID, "send listen first", callsid)
        return self.grant

    def register(self, payload: dict[str, Any]) -> list[Message]:
        """Answer ``register``: ``ready`` for audio, ``offline`` without.

        Raises:
            SignalingError: before ``listen``, or when ``media.audio`` is not a boolean.
        """
        grant = self.require_grant()
        media = payload.get("media")
        audio = media.get("audio") if isinstance(media, dict) else None
        if not isinstance(audio, bool):
            raise SignalingError(ErrorCode.BAD_REQUEST, "'media.audio' must be true or false")
        if audio and not grant.incoming:
            # offline settles the SDK's register() promise, which would wait forever.
            self.registered = False
            refusal = SignalingError(ErrorCode.AUTHORIZATION,
                                     "Access Token does not allow incoming calls")
            return [Message("error", refusal.payload()), Message("offline", {})]
        self.registered = audio
        return [Message("ready" if audio else "offline", {})]
