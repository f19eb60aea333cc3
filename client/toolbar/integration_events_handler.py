"""IntegrationEventsHandler: events from the vendor (Twilio) and from Fusion, handed to the
state machine.

Browser-free; named after Oracle's reference toolbar (src/ts/cti/integrationEventsHandler.ts).
The vendor handler reports each Device event here with the number of the Device it came
from; the Fusion handler hands over Fusion's agent commands and sends back the answer
built here. Calls: the vendor reports each Twilio Call event with the call's key; Fusion's
interaction commands, click-to-dial and offer time-outs go to the CallMachine.

Public names: IntegrationEventsHandler.
"""

from toolbar import payloads
from toolbar import states
from toolbar.controller import Waiter
from toolbar.integration_action_handler import refuse_unavailable
from toolbar.integration_action_handler import usable_device


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

    # ---- Twilio Call events (key: the CallSid of an incoming call, the machine's for others) ----

    def call_incoming(self, device, key, caller):
        if device == self._controller.machine.device:
            self._calls("incoming", key, caller)

    def call_ringing(self, key):
        self._calls("call_ringing", key)

    def call_accepted(self, key):
        self._calls("call_accepted", key)

    def call_ended(self, key, how):
        self._calls("call_ended", key, how)

    def call_error(self, key, code, name, message):
        self._calls("call_error", key, code, name, message)

    def call_muted(self, key, muted):
        self._calls("call_muted", key, muted)

    # ---- Fusion's call events ----

    async def interaction_command_from_fusion(self, command, event_id):
        """onToolbarInteractionCommand: return payloads.SUCCESS or FAILURE once known."""
        waiter = Waiter()
        self._calls("fusion_command", command, event_id, waiter)
        return payloads.SUCCESS if await waiter.wait() else payloads.FAILURE

    def outgoing_from_fusion(self, uuid, out_data):
        """onOutgoingEvent (click-to-dial): call SVCMCA_ANI with the event's uuid as eventId."""
        out_data = out_data or {}
        number = "".join(str(out_data.get("SVCMCA_ANI") or "").split())
        extra = {key: out_data[key] for key in out_data
                 if key.startswith("SVCMCA_") and key != "SVCMCA_ANI"}
        machine = self._controller.machine
        self._calls("dial", number, usable_device(machine), uuid, extra)

    def data_updated_from_fusion(self, update_type, event_id):
        if update_type == "OFFER_TIMEOUT":
            self._calls("offer_timeout", event_id)

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
            if command == payloads.MAKE_UNAVAILABLE and refuse_unavailable(self._controller):
                return payloads.FAILURE, {"reason": machine.status.text}
            self._feed("request_availability", command == payloads.MAKE_AVAILABLE)
            return payloads.SUCCESS, None
        if command == payloads.GET_CURRENT_AGENT_STATE:
            return payloads.SUCCESS, payloads.agent_state_data(machine.available)
        if command == payloads.GET_ACTIVE_ENGAGEMENTS:
            calls = self._controller.calls
            live = calls.live_event_ids() if calls is not None else []
            return payloads.SUCCESS, payloads.active_engagements(live)
        return payloads.FAILURE, None

    def _calls(self, name, *args):
        controller = self._controller
        controller.apply(getattr(controller.calls, name)(*args))

    def _feed(self, name, *args):
        controller = self._controller
        controller.apply(getattr(controller.machine, name)(*args))
