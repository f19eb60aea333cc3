"""IntegrationEventsHandler: events from the vendor (Twilio) and from Fusion, handed to the
state machine.

Browser-free; named after Oracle's reference toolbar (src/ts/cti/integrationEventsHandler.ts).
The vendor handler reports each Device event here with the number of the Device it came
from; the Fusion handler hands over Fusion's agent commands and sends back the answer
built here. Incoming calls and Fusion's interaction commands come next, in the same way.

Public names: IntegrationEventsHandler.
"""

from toolbar import payloads
from toolbar import states


class IntegrationEventsHandler:
    """Turn vendor and Fusion events into machine inputs."""

    def __init__(self, controller):
        self._controller = controller

    # ---- Twilio Device events (toolbar/vendor_handler.py) ----

    def device_registering(self, device):
        self._feed("device_registering", device)

    def device_registered(self, device):
        self._feed("device_registered", device)

    def device_unregistered(self, device):
        self._feed("device_unregistered", device)

    def device_error(self, device, code, message):
        self._feed("device_error", device, code, message)

    def token_will_expire(self, device):
        self._feed("token_will_expire", device)

    # ---- Fusion (toolbar/fusion_handler.py) ----

    def agent_command_from_fusion(self, command):
        """Carry out one onToolbarAgentCommand and return ``(result, out_data)``.

        ``result`` is payloads.SUCCESS or payloads.FAILURE; ``out_data`` a dict or None.
        makeAvailable succeeds once the toolbar has started going available: Fusion learns
        the outcome from the agentStateEventOperation that follows, as with the toggle.
        """
        machine = self._controller.machine
        if command in (payloads.MAKE_AVAILABLE, payloads.MAKE_UNAVAILABLE):
            if machine.phase == states.ERROR:
                return payloads.FAILURE, None
            self._feed("request_availability", command == payloads.MAKE_AVAILABLE)
            return payloads.SUCCESS, None
        if command == payloads.GET_CURRENT_AGENT_STATE:
            return payloads.SUCCESS, payloads.agent_state_data(machine.available)
        if command == payloads.GET_ACTIVE_ENGAGEMENTS:
            return payloads.SUCCESS, payloads.active_engagements()
        return payloads.FAILURE, None

    def _feed(self, name, *args):
        controller = self._controller
        controller.apply(getattr(controller.machine, name)(*args))
