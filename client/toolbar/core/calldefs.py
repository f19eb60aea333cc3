"""The call machine's phases, directions and SDK call actions (toolbar/core/calls.py).

Browser-free. Plain string constants.

Public names: the phases (DIALING … ENDED), INBOUND, OUTBOUND, the actions (ACCEPT_ACTION …).
"""

# Inbound: RINGING -> CONNECTING (accept asked) -> ACTIVE -> ENDED.
# Outbound: DIALING (connect asked) -> RINGING (the far end rings) -> ACTIVE -> ENDED.
DIALING = "dialing"
RINGING = "ringing"
CONNECTING = "connecting"
ACTIVE = "active"
ENDED = "ended"

INBOUND = "inbound"
OUTBOUND = "outbound"

# Methods of the SDK's Call (effects.CALL_ACTION).
ACCEPT_ACTION = "accept"
REJECT_ACTION = "reject"
DISCONNECT_ACTION = "disconnect"
MUTE_ACTION = "mute"  # value: True/False
DIGITS_ACTION = "sendDigits"  # value: the digits
