"""IntegrationActionHandler: what the agent does in the toolbar, handed to the state machine.

Browser-free; named after Oracle's reference toolbar (src/ts/cti/integrationActionHandler.ts),
where the toolbar's buttons call into the vendor through this class: the availability toggle
and the call panel (answer, decline, hang up, mute, keypad, dial a number).

Public names: IntegrationActionHandler, refuse_unavailable, usable_device.
"""

from toolbar import calldefs


class IntegrationActionHandler:
    """Turn the toolbar's UI actions into machine inputs."""

    def __init__(self, controller):
        self._controller = controller

    def toggle_agent_availability(self):
        """The agent clicked the availability toggle (or pressed Enter/Space on it).

        Ignored while the toggle is disabled (starting, or in a transition): the toggle stays
        focusable then, for keyboard users, so the click can still arrive.
        """
        controller = self._controller
        machine = controller.machine
        if not machine.ready or machine.transitioning:
            return
        if machine.wants_available and refuse_unavailable(controller):
            return
        controller.apply(machine.toggle())

    def answer(self):
        self._calls("accept")

    def decline(self):
        self._calls("reject")

    def hang_up(self):
        self._calls("hang_up")

    def toggle_mute(self):
        self._calls("toggle_mute")

    def send_digit(self, digit):
        self._calls("send_digits", digit)

    def dial(self, number):
        """The agent typed a number and pressed Call (no Fusion uuid: a generated eventId)."""
        controller = self._controller
        number = "".join(str(number).split())
        controller.apply(controller.calls.dial(number, usable_device(controller.machine)))

    def _calls(self, name, *args):
        controller = self._controller
        controller.apply(getattr(controller.calls, name)(*args))


def refuse_unavailable(controller):
    """While a call is live the agent stays available: say why; return whether refused."""
    calls = controller.calls
    if calls is None or calls.current is None:
        return False
    controller.machine.status = calldefs.status("in-call")
    controller.render()
    return True


def usable_device(machine):
    """The Device calls may use: the registered one, else None (not available)."""
    return machine.device if machine.available else None
