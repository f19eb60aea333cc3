"""The two exceptions the adapters raise into the shell, which hands them to the core.

Browser-free.

Public names: Failure, CallError.
"""

from toolbar.core import messages


class Failure(Exception):
    """Something the agent must hear about: a failure kind (toolbar/core/messages.py) and an
    optional technical detail.

    Raised by the adapters (token client, Fusion and vendor handlers) and handed to the agent
    machine, which turns it into the status line.
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail

    def __str__(self) -> str:
        return messages.failure_text(self.kind, self.detail)


class CallError(Exception):
    """An SDK call method failed: the Twilio ``code`` (or None), the error's ``name``, its text."""

    def __init__(self, code, name: str = "", message: str = "") -> None:
        super().__init__(str(code) + " " + name + ": " + message)
        self.code = code
        self.name = name
        self.message = message
