"""ICtiVendorHandler: what the toolbar needs from a telephony vendor.

Browser-free, but kept with the adapters, where a reader of Oracle's reference toolbar
(src/ts/cti/vendor/ICtiVendorHandler.ts) looks for it. toolbar/adapters/vendor_handler.py
implements it with Twilio's Voice SDK; the tests implement it with fakes. Every Device is
identified by the number the core gave it, and every event the vendor reports to the core's
Toolbar carries that number, so events of a replaced Device are ignored.

Calls: ``dial`` is Oracle's make_outbound_call; ``call_action`` covers accept_call,
reject_call, hangup_call, mute and DTMF. Call events are reported with the call's key
(call_incoming, call_ringing, call_accepted, call_message, call_ended, call_error,
call_muted).

Public names: ICtiVendorHandler.
"""


class ICtiVendorHandler:
    """The vendor side of the toolbar; subclasses report events to the core's Toolbar
    (device_registered(device) and so on) and hand its effects to the shell."""

    async def make_agent_available(self, device: int, token: str) -> None:
        """Create Device ``device`` with ``token`` and start registering it.

        Returns once registration has started; the outcome arrives as events.
        Raises:
            errors.Failure: if the vendor refuses to create it.
        """
        raise NotImplementedError

    async def update_token(self, device: int, token: str) -> None:
        """Give Device ``device`` a fresh token.

        Raises:
            errors.Failure: if the vendor refuses it.
        """
        raise NotImplementedError

    async def dial(self, call: str, device: int, number: str) -> None:
        """Place call ``call`` to ``number`` from Device ``device``; events tell the outcome.

        Raises:
            errors.CallError: if the vendor refuses to start it.
        """
        raise NotImplementedError

    async def call_action(self, call: str, action: str, value=None) -> None:
        """Carry out ``action`` (core/calldefs.py: accept, reject, disconnect, mute, sendDigits).

        Raises:
            errors.CallError: if the vendor refuses it.
        """
        raise NotImplementedError

    async def make_agent_unavailable(self, device: int) -> None:
        """Unregister and destroy Device ``device``, so that nothing can re-register it.

        Idempotent and safe for a Device that never finished starting; never raises.
        """
        raise NotImplementedError
