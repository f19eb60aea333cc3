"""Twilio's form parameters (PascalCase, booleans as ``true``/``false``), checked.

Unknown parameters are ignored, as Twilio ignores them.

Public names: Params.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sandbox.signaling.webhook import parse_events
from sandbox.twilio_rest.errors import INVALID_URL
from sandbox.twilio_rest.errors import RestError
from sandbox.twilio_rest.errors import invalid

_BOOLEANS = {"true": True, "false": False}


class Params:
    """One request's parameters; each reader raises RestError (400) on a bad value."""

    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    def text(self, name: str) -> str | None:
        """The last value given for ``name`` (None if absent or empty)."""
        values = self._values.get(name)
        return values[-1] if values and values[-1] != "" else None

    def names(self) -> list[str]:
        return list(self._values)

    def flag(self, name: str, default: bool) -> bool:
        """A boolean with a default for when it is absent."""
        value = self.boolean(name)
        return default if value is None else value

    def boolean(self, name: str) -> bool | None:
        raw = self.text(name)
        if raw is None:
            return None
        if raw.lower() not in _BOOLEANS:
            raise invalid(f"{name} must be true or false, not {raw!r}")
        return _BOOLEANS[raw.lower()]

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.text(name)
        if raw is None:
            return default
        # isdigit() alone would take "²", which int() refuses.
        if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
            raise invalid(f"{name} must be a whole number from {low} to {high}")
        return int(raw)

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        raw = self.text(name)
        if raw is not None and raw not in choices:
            raise invalid(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
        return raw

    def events(self, name: str, allowed: frozenset[str], default: frozenset[str]) -> frozenset[str]:
        """Event names, repeated or space-separated, as Twilio takes both."""
        values = self._values.get(name)
        if not values:
            return default
        events = parse_events(values)
        unknown = events - allowed
        if unknown:
            raise invalid(f"{name} takes {', '.join(sorted(allowed))}; not {sorted(unknown)}")
        return events

    def url(self, name: str, code: int = INVALID_URL) -> str | None:
        """An absolute http(s) URL, as Twilio requires of every callback."""
        raw = self.text(name)
        if raw is None:
            return None
        try:
            parts = urlsplit(raw)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise RestError(400, code, f"{name} is not a valid URL: {raw!r}")
        return raw

    def post_only(self, *names: str) -> None:
        """The emulator makes its requests with POST only: refuse a GET it would not do."""
        for name in names:
            method = self.choice(name, ("GET", "POST"))
            if method == "GET":
                raise invalid(f"{name}=GET is not emulated: the emulator requests with POST")
