"""Serve the toolbar with the headers ``netlify.toml`` gives it in production.

The browser tests then run the toolbar under its real Content-Security-Policy.
Only the origins differ: the production ones (Fusion pods, Oracle's CDN, Twilio's
signaling edge) are replaced by the sandbox's own.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

FUSION_ORIGINS = "https://*.oraclecloud.com"
UEF_CDN_ORIGIN = "https://static.oracle.com"
TWILIO_SIGNALING_ORIGIN = "wss://voice-js.roaming.twilio.com"


def load_header_rules(netlify_toml: Path) -> list[tuple[str, dict[str, str]]]:
    """Return ``(path pattern, headers)`` pairs in file order."""
    config = tomllib.loads(netlify_toml.read_text())
    return [(rule["for"], dict(rule.get("values", {}))) for rule in config.get("headers", [])]


def headers_for(path: str, rules: list[tuple[str, dict[str, str]]]) -> dict[str, str]:
    """Merge the headers of every rule whose pattern matches ``path``, later rules winning.

    Netlify patterns use ``*`` as a splat that also matches ``/``; ``fnmatch`` does too.
    """
    merged: dict[str, str] = {}
    for pattern, values in rules:
        if fnmatch.fnmatchcase(path, pattern):
            merged.update(values)
    return merged


def localize(headers: dict[str, str], *, fusion_origin: str, signaling_origin: str) -> dict[str, str]:
    """Swap the production origins in header values for the sandbox's."""
    swaps = {
        FUSION_ORIGINS: fusion_origin,
        UEF_CDN_ORIGIN: fusion_origin,
        TWILIO_SIGNALING_ORIGIN: signaling_origin,
    }
    localized = {}
    for name, value in headers.items():
        for production, local in swaps.items():
            value = value.replace(production, local)
        localized[name] = value
    return localized
