"""ICtiVendorHandler: what the toolbar needs from a telephony vendor.

Browser-free; named after Oracle's reference toolbar (src/ts/cti/vendor/ICtiVendorHandler.ts).
toolbar/vendor_handler.py implements it with Twilio's Voice SDK; the tests implement it with
fakes. Every Device is identified by the number the state machine gave it, and every event
the vendor reports carries that number, so events of a replaced Device are ignored.

Calls: ``dial`` is Oracle's make_outbound_call; ``call_action`` covers accept_call,
reject_call, hangup_call, mute and DTMF. Call events are reported with the call's key
(call_incoming, call_ringing, call_accepted, call_ended, call_error, call_muted).

Public names: ICtiVendorHandler.
"""


class ICtiVendorHandler:
    """The vendor side of the toolbar; subclasses report events to an
    IntegrationEventsHandler (device_registered(device) and so on)."""

    async def make_agent_available(self, device, token):
        """Create Device ``device`` with ``token`` and start registering it.

        Returns once registration has started; the outcome arrives as events.
        Raises:
            messages.Failure: if the vendor refuses to create it.
        """
        raise NotImplementedError

    async def update_token(self, device, token):
        """Give Device ``device`` a fresh token.

        Raises:
            messages.Failure: if the vendor refuses it.
        """
        raise NotImplementedError

    async def dial(self, call, device, number):
        """Place call ``call`` to ``number`` from Device ``device``; events tell the outcome.

        Raises:
            calldefs.CallError: if the vendor refuses to start it.
        """
        raise NotImplementedError

    async def call_action(self, call, action, value=None):
        """Carry out ``action`` (calldefs: accept, reject, disconnect, mute, sendDigits).

        Raises:
            calldefs.CallError: if the vendor refuses it.
        """
        raise NotImplementedError

    async def make_agent_unavailable(self, device):
        """Unregister and destroy Device ``device``, so that nothing can re-register it.

        Idempotent and safe for a Device that never finished starting; never raises.
        """
        raise NotImplementedError
