"""What the core asks the shell to do: Effect, and every kind of effect with its arguments.

Browser-free. Every method of the core (toolbar/core/toolbar.py) returns a list of Effects;
the Controller (toolbar/controller.py) is the only code that carries them out, and reports
each outcome back as another method call, naming the effect by the id it carried (a
publish, a token request, a Device, a timer, a call, a Fusion command).

Public names: Effect and the effect kinds below.
"""

# Start-up and availability.
CONNECT_FUSION = "connect-fusion"  # ()
PUBLISH_AGENT_STATE = "publish-agent-state"  # (publish, available, fields)
FETCH_TOKEN = "fetch-token"  # (request, purpose: states.REGISTER | states.REFRESH, fa_token)
RENEW_FA_TOKEN = "renew-fa-token"  # (renewal): getConfigurationOperation, for a new faTrustToken
START_DEVICE = "start-device"  # (device, token)
UPDATE_TOKEN = "update-token"  # (device, token)
STOP_DEVICE = "stop-device"  # (device)
START_TIMER = "start-timer"  # (timer, ms)
# Calls.
PUBLISH_CALL = "publish-call"  # (call, operation, fields): a UEF call operation
CALL_ACTION = "call-action"  # (call, action, value): a method of the SDK's Call
DIAL_CHECK = "dial-check"  # (call, number, fa_token): POST /dial-check
DIAL = "dial"  # (call, number, device): device.connect({params: {To: number}})
# Fusion's controllable commands: the answer to command ``request`` (FusionHandler's id).
ANSWER_FUSION = "answer-fusion"  # (request, result, out_data)


class Effect:
    """Something the shell must do: a kind and keyword arguments, compared by value."""

    def __init__(self, kind: str, **args) -> None:
        self.kind = kind
        self.args = args

    def __getattr__(self, name: str):
        try:
            return self.args[name]
        except KeyError:
            raise AttributeError(name) from None

    def __eq__(self, other) -> bool:
        return isinstance(other, Effect) and self.kind == other.kind and self.args == other.args

    def __repr__(self) -> str:
        args = ", ".join(key + "=" + repr(self.args[key]) for key in sorted(self.args))
        return "Effect(" + self.kind + (", " + args if args else "") + ")"


def answer(request, result: str, out_data=None) -> list:
    """The ANSWER_FUSION effect of Fusion command ``request`` (none when there is no request)."""
    if request is None:
        return []
    return [Effect(ANSWER_FUSION, request=request, result=result, out_data=out_data)]
