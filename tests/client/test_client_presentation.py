"""The view model: what the toggle, the dot and #status show in each state."""

from client_helpers import available_machine
from client_helpers import ready_machine
from client_helpers import registering_machine
from toolbar.core.machine import AgentMachine
from toolbar.core.presentation import present


def test_presentation_starting():
    """While starting, the toggle is disabled and says Unavailable."""
    model = present(AgentMachine())
    assert model["disabled"] and model["busy"] and not model["ready"]
    assert model["label"] == "Unavailable" and model["pressed"] is False


def test_presentation_unavailable():
    """Ready and unavailable: the toggle is enabled, unpressed, with the agent shown."""
    model = present(ready_machine())
    assert model["ready"] and not model["disabled"] and not model["busy"]
    assert (model["label"], model["pressed"], model["presence"]) == (
        "Unavailable", False, "unavailable")
    assert model["agent"] == "alice_agent"


def test_presentation_going_available_is_disabled_and_says_so():
    """Going available: pressed, disabled, Connecting…."""
    machine, _ = registering_machine()
    model = present(machine)
    assert model["disabled"] and model["busy"] and model["pressed"]
    assert model["label"] == "Connecting…" and model["presence"] == "pending"


def test_presentation_available():
    """Available: pressed, enabled, Available, ok tone."""
    machine, _ = available_machine()
    model = present(machine)
    assert (model["label"], model["pressed"], model["presence"], model["tone"]) == (
        "Available", True, "available", "ok")
    assert not model["disabled"]


def test_presentation_reconnecting_is_not_available():
    """Reconnecting is not available, and the agent can still opt out."""
    machine, device = available_machine()
    machine.device_unregistered(device)
    model = present(machine)
    assert model["label"] == "Reconnecting…" and model["presence"] == "pending"
    assert model["pressed"] and not model["disabled"]  # the agent can still opt out


def test_presentation_failure():
    """A start-up failure shows the error presence, tone and kind."""
    machine = AgentMachine()
    machine.start()
    from toolbar.core import messages
    from toolbar.core.errors import Failure
    machine.startup_failed(Failure(messages.UEF_TIMEOUT, "x"))
    model = present(machine)
    assert model["presence"] == "error" and model["tone"] == "error"
    assert model["failure"] == messages.UEF_TIMEOUT and model["disabled"]
