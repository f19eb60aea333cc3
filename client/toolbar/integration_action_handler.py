"""IntegrationActionHandler: what the agent does in the toolbar, handed to the state machine.

Browser-free; named after Oracle's reference toolbar (src/ts/cti/integrationActionHandler.ts),
where the toolbar's buttons call into the vendor through this class. The call actions of the
next step (accept, reject, hang up, mute, DTMF) belong here too.

Public names: IntegrationActionHandler.
"""


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
        controller.apply(machine.toggle())
