"""The toolbar's phases and the effects its state machine asks for (toolbar/machine.py).

Browser-free. Plain string constants (MicroPython has no ``enum``) and one small class.

Public names: the phases (OFFLINE … ERROR), READY_PHASES, TRANSITIONS, the effect kinds
(CONNECT_FUSION … START_TIMER), the fetch purposes (REGISTER, REFRESH), Effect.
"""

# Phases.
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

# Effect kinds and their arguments.
CONNECT_FUSION = "connect-fusion"  # ()
PUBLISH_AGENT_STATE = "publish-agent-state"  # (publish, available, fields)
FETCH_TOKEN = "fetch-token"  # (request, purpose: "register" | "refresh")
START_DEVICE = "start-device"  # (device, token)
UPDATE_TOKEN = "update-token"  # (device, token)
STOP_DEVICE = "stop-device"  # (device)
START_TIMER = "start-timer"  # (timer, ms)

REGISTER = "register"
REFRESH = "refresh"


class Effect:
    """Something the caller must do: a kind and keyword arguments, compared by value."""

    def __init__(self, kind, **args):
        self.kind = kind
        self.args = args

    def __getattr__(self, name):
        try:
            return self.args[name]
        except KeyError:
            raise AttributeError(name) from None

    def __eq__(self, other):
        return isinstance(other, Effect) and self.kind == other.kind and self.args == other.args

    def __repr__(self):
        args = ", ".join(key + "=" + repr(self.args[key]) for key in sorted(self.args))
        return "Effect(" + self.kind + (", " + args if args else "") + ")"
