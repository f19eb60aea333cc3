"""The agent machine's phases (toolbar/core/machine.py) and its token fetch purposes.

Browser-free. Plain string constants: MicroPython has no ``enum``.

Public names: the phases (OFFLINE … ERROR), READY_PHASES, TRANSITIONS, REGISTER, REFRESH.
"""

OFFLINE = "offline"  # nothing started yet
INITIALIZING = "initializing"  # connecting to Fusion (UEF)
UNAVAILABLE = "unavailable"  # ready; no Device
GOING_AVAILABLE = "going-available"  # fetching a token, then the Device registers
AVAILABLE = "available"  # the Device is registered and Fusion was told so
RECONNECTING = "reconnecting"  # the Device lost signaling; the SDK is re-registering it
GOING_UNAVAILABLE = "going-unavailable"  # the Device is being unregistered and destroyed
ERROR = "error"  # start-up failed; nothing works until the page is reloaded

READY_PHASES = (UNAVAILABLE, GOING_AVAILABLE, AVAILABLE, RECONNECTING, GOING_UNAVAILABLE)
TRANSITIONS = (GOING_AVAILABLE, GOING_UNAVAILABLE)

# Why a token is fetched.
REGISTER = "register"
REFRESH = "refresh"
