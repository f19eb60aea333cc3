"""Minimal session descriptions for signaling-only calls (no media flows).

Chromium's ``setRemoteDescription`` accepts them, so the SDK's Call reaches ``accept``;
ICE then stays ``new`` because they carry no candidates. Lines end in CRLF: the SDK
splits SDPs on ``"\\r\\nm="`` when it reorders codecs (``rtc/sdp.ts``).

Public names: offer, answer.
"""

from __future__ import annotations

import hashlib
import re
import secrets

# A fingerprint must be well formed; no DTLS handshake ever checks it.
_FINGERPRINT = ":".join(f"{byte:02X}" for byte in hashlib.sha256(b"twilio-sandbox").digest())
_MID = re.compile(r"^a=mid:(\S+)\r?$", re.MULTILINE)
_PROTO = re.compile(r"^m=audio \S+ (\S+) ", re.MULTILINE)


def offer() -> str:
    """Return an audio offer (PCMU only), as the emulator sends in ``invite``."""
    return _describe(setup="actpass", mid="0", proto="UDP/TLS/RTP/SAVPF")


def answer(remote_offer: str) -> str:
    """Return an audio answer to ``remote_offer``, reusing its ``mid`` and transport.

    PCMU (static payload type 0) is answered whatever the offer lists first: every
    browser offers it.
    """
    mid = _MID.search(remote_offer)
    proto = _PROTO.search(remote_offer)
    return _describe(
        setup="active",
        mid=mid.group(1) if mid else "0",
        proto=proto.group(1) if proto else "UDP/TLS/RTP/SAVPF",
    )


def _describe(*, setup: str, mid: str, proto: str) -> str:
    lines = [
        "v=0",
        f"o=- {secrets.randbits(62)} 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        f"a=group:BUNDLE {mid}",
        f"m=audio 9 {proto} 0",
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
        f"a=ice-ufrag:{secrets.token_hex(4)}",
        f"a=ice-pwd:{secrets.token_hex(12)}",
        f"a=fingerprint:sha-256 {_FINGERPRINT}",
        f"a=setup:{setup}",
        f"a=mid:{mid}",
        "a=sendrecv",
        "a=rtcp-mux",
        "a=rtpmap:0 PCMU/8000",
    ]
    return "\r\n".join(lines) + "\r\n"
