"""The one status line (``#status``): what it says, in which tone, and for which failure.

Browser-free. Both machines write to the same StatusLine, which the core's Toolbar owns;
each Status is built from a sentence of toolbar/core/messages.py.

Public names: the tones (INFO, OK, WARN, ERROR), Status, StatusLine, failure_status,
progress_status, call_status, CALL_FAILURE.
"""

from toolbar.core import messages

# Tones of a status line (style.css colours them).
INFO = "info"
OK = "ok"
WARN = "warn"
ERROR = "error"

# The failure kind of a call's error line (``#status[data-failure]``).
CALL_FAILURE = "call"

_PROGRESS_TONES = {"still-connecting": WARN, "available": OK, "reconnecting": WARN,
                   "reconnected": OK, "wrap-up": WARN}
_CALL_TONES = {"busy-declined": WARN, "wrapup-declined": WARN, "busy-agent": WARN, "call-failed": ERROR,
               "microphone": ERROR, "in-call": WARN}


class Status:
    """One line in ``#status``: its text, its tone and, for failures, the failure kind."""

    def __init__(self, text: str, tone: str = INFO, kind: str = "") -> None:
        self.text = text
        self.tone = tone
        self.kind = kind

    def __eq__(self, other) -> bool:
        return isinstance(other, Status) and (self.text, self.tone, self.kind) == (
            other.text, other.tone, other.kind)

    def __repr__(self) -> str:
        return "Status(" + repr(self.text) + ", " + repr(self.tone) + ", " + repr(self.kind) + ")"


class StatusLine:
    """The line the agent reads; ``current`` is its Status, ``show`` replaces it."""

    def __init__(self) -> None:
        self.current = progress_status("starting")

    def show(self, status: Status) -> None:
        self.current = status

    @property
    def failed(self) -> bool:
        """Whether it shows an error, which progress must not overwrite."""
        return self.current.tone == ERROR


def failure_status(kind: str, detail: str = "") -> Status:
    """The error Status of a failure ``kind`` (messages' failure kinds)."""
    return Status(messages.failure_text(kind, detail), ERROR, kind)


def progress_status(name: str, **values) -> Status:
    """The Status of progress step ``name`` (``progress.<name>`` in messages.SENTENCES),
    its placeholders from ``values``.

    Raises:
        KeyError: for an unknown name, which is a bug.
    """
    return Status(messages.text("progress." + name, **values), _PROGRESS_TONES.get(name, INFO))


def call_status(name: str, **values) -> Status:
    """The Status of call event ``name`` (``call.<name>``), its placeholders from ``values``."""
    tone = _CALL_TONES[name]
    return Status(messages.text("call." + name, **values), tone,
                  CALL_FAILURE if tone == ERROR else "")
