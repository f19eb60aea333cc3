"""At most TOOLBAR_MAX_CALLS_PER_AGENT calls in progress per agent, counted from Twilio's records.

The service keeps no call state: whether an agent already has a call is asked of Twilio, through
the one REST client (twilio_rest.py), so the cap holds however many instances answer /voice. A
call counts while Twilio lists it as queued, ringing or in-progress with ``From`` the agent's
``client:<identity>`` and no parent (the calls the agent's Device placed; the legs they dial are
their children). The call /voice is asked about is not counted.

If Twilio cannot be asked, the call is refused (fail closed): toll fraud is what the cap guards
against, and an agent who hears "try again in a moment" loses less than a contact centre billed
for a burst of premium calls it could not see (docs/deploy.md, "The outbound policy").

Public names: LIVE_STATUSES, TOO_MANY_CALLS, CANNOT_COUNT, CallCap.
"""

from server.errors import TwilioRestError
from server.outbound_policy import CLIENT_PREFIX
from server.outbound_policy import Refusal
from server.twilio_rest import TwilioRest

# Twilio's call statuses of a call that is not over.
LIVE_STATUSES = ("queued", "ringing", "in-progress")

TOO_MANY_CALLS = "Sorry, you already have a call in progress. Finish it before placing another."
CANNOT_COUNT = (
    "Sorry, calls cannot be placed right now: your calls in progress cannot be checked. "
    "Please try again in a moment."
)


class CallCap:
    """Refuses an agent's call once they have ``limit`` calls in progress."""

    def __init__(self, rest: TwilioRest, limit: int) -> None:
        self._rest = rest
        self._limit = limit

    def refusal(self, identity: str, call_sid: str) -> Refusal | None:
        """Return why ``identity`` may not place call ``call_sid`` now, or None."""
        try:
            live = self._live_calls(identity, call_sid)
        except TwilioRestError:
            return Refusal("calls_uncounted", CANNOT_COUNT)
        if live >= self._limit:
            return Refusal("too_many_calls", TOO_MANY_CALLS)
        return None

    def _live_calls(self, identity: str, call_sid: str) -> int:
        caller = CLIENT_PREFIX + identity
        count = 0
        for status in LIVE_STATUSES:
            calls = self._rest.call(lambda client, status=status: client.calls.list(
                from_=caller, status=status))
            count += sum(1 for call in calls if call.sid != call_sid and not call.parent_call_sid)
        return count
