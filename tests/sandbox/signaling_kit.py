"""Helpers for the signaling emulator's tests: tokens, frames, and a switchboard driver."""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from typing import Self
from urllib.parse import parse_qsl

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant
from twilio.request_validator import RequestValidator

from sandbox.changes import Changes
from sandbox.credentials import TwilioCredentials
from sandbox.signaling.effects import Effect
from sandbox.signaling.effects import FetchTwiml
from sandbox.signaling.effects import Send
from sandbox.signaling.effects import StartTimer
from sandbox.signaling.switchboard import Switchboard
from sandbox.signaling.webhook import WebhookResult
from sandbox.signaling.webhook import parse_twiml

WEBHOOK_URL = "http://127.0.0.1:9/api/voice"
CALLER = "+15557770001"


def access_token(credentials: TwilioCredentials, identity: str = "alice", *, ttl: int = 600,
                 secret: str | None = None, incoming: bool = True,
                 application_sid: str | None = "default") -> str:
    """An Access Token as the token service mints it; keywords spoil one part of it.

    A negative ``ttl`` gives a token that has already expired.
    """
    token = AccessToken(credentials.account_sid, credentials.api_key_sid,
                        secret or credentials.api_key_secret, identity=identity, ttl=ttl)
    app_sid = credentials.twiml_app_sid if application_sid == "default" else application_sid
    token.add_grant(VoiceGrant(incoming_allow=incoming, outgoing_application_sid=app_sid))
    return token.to_jwt()


def frame(kind: str, **payload: Any) -> str:
    """A client frame exactly as the SDK serializes it."""
    return json.dumps({"payload": payload, "type": kind, "version": "1.6"})


def sent(effects: list[Effect]) -> list[tuple[int, str, dict[str, Any]]]:
    """The messages among ``effects`` as (connection, type, payload)."""
    messages = []
    for effect in effects:
        if isinstance(effect, Send):
            document = json.loads(effect.text)
            messages.append((effect.conn_id, document["type"], document["payload"]))
    return messages


def kinds(effects: list[Effect]) -> list[tuple[int, str]]:
    """The messages among ``effects`` as (connection, type)."""
    return [(conn_id, kind) for conn_id, kind, _ in sent(effects)]


def timers(effects: list[Effect]) -> list[StartTimer]:
    return [effect for effect in effects if isinstance(effect, StartTimer)]


class Board:
    """A fresh switchboard with predictable sids, and shortcuts to drive it."""

    def __init__(self, **options: Any) -> None:
        self.credentials = TwilioCredentials.generate()
        counter = itertools.count(1)
        self.switchboard = Switchboard(
            self.credentials, webhook_url=WEBHOOK_URL,
            sid_factory=lambda prefix: f"{prefix}{next(counter):032x}", **options)

    def connect(self) -> int:
        return self.switchboard.connect("127.0.0.1:5000")

    def send(self, conn_id: int, kind: str, **payload: Any) -> list[Effect]:
        return self.switchboard.receive(conn_id, frame(kind, **payload))

    def agent(self, identity: str = "alice", *, register: bool = True) -> int:
        """A connection that has listened (and registered) as ``identity``."""
        conn_id = self.connect()
        assert kinds(self.send(conn_id, "listen", token=access_token(self.credentials, identity))) \
            == [(conn_id, "connected")]
        if register:
            assert kinds(self.send(conn_id, "register", media={"audio": True})) \
                == [(conn_id, "ready")]
        return conn_id

    def twiml(self, effects: list[Effect], body: str, status: int = 200) -> list[Effect]:
        """Answer the one webhook request among ``effects`` with TwiML ``body``."""
        (fetch,) = [effect for effect in effects if isinstance(effect, FetchTwiml)]
        result = WebhookResult(status, verbs=parse_twiml(body), twiml=body)
        return self.switchboard.twiml_received(fetch.call_sid, result)

    def inbound(self, body: str) -> tuple[str, list[Effect]]:
        """A phone calls the sandbox's number and the webhook answers ``body``."""
        call, effects = self.switchboard.place_call(CALLER, self.credentials.caller_id)
        return call["sid"], self.twiml(effects, body)

    def outbound(self, conn_id: int, body: str, **params: str) -> tuple[str, list[Effect]]:
        """``conn_id``'s device calls with ``params``; the webhook answers ``body``."""
        client_sid = f"TJS{conn_id:08d}-0000-4000-8000-000000000000"
        query = "&".join(f"{key}={value}" for key, value in params.items())
        effects = self.send(conn_id, "invite", callsid=client_sid, sdp=OFFER,
                            twilio={"params": query})
        return client_sid, self.twiml(effects, body)

    def call(self, sid: str) -> dict[str, Any]:
        return self.switchboard.call(sid)


# A browser's offer, trimmed to what the emulator reads.
OFFER = ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
         "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
         "a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n")


class WebhookStub:
    """A voice URL on loopback that checks X-Twilio-Signature as the token service does.

    It answers ``twiml`` (200) to correctly signed requests and 403 to others, and keeps
    every request's path, form and whether its signature held for the URL it was sent to
    (``url`` for the voice webhook, ``base + "/<anything>"`` for callbacks).
    """

    def __init__(self, auth_token: str, twiml: str = "<Response/>") -> None:
        self.twiml = twiml
        self.requests: list[dict[str, Any]] = []
        self.changes = Changes()  # bumped at each request
        validator = RequestValidator(auth_token)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                signature = self.headers.get("X-Twilio-Signature", "")
                valid = validator.validate(stub.base + self.path, form, signature)
                stub.requests.append({"path": self.path, "form": form, "valid": valid})
                stub.changes.bump()
                body = stub.twiml.encode() if valid else b"bad signature"
                self.send_response(200 if valid else 403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass  # keep the test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.url = self.base + "/api/voice"
        # A short poll interval: shutdown() waits up to one.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    def signed_forms(self, path: str) -> list[dict[str, str]]:
        """The forms POSTed to ``path``, in order; each must be validly signed for its URL."""
        requests = [request for request in self.requests if request["path"] == path]
        assert all(request["valid"] for request in requests), requests
        return [request["form"] for request in requests]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
