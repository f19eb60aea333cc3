"""Toolbar: the one object that decides. It owns the agent machine, the call machine and the
status line, and every input is one of its methods.

Browser-free (CPython and MicroPython). A click, a Device or Call event, a Fusion command, a
timer, the outcome of an effect: each is a method call that returns the Effects the shell
(toolbar/controller.py) must carry out. Adapters call these methods directly and hand the
effects to the shell; nothing outside the machines changes their state. What crosses
between the two machines (the Device calls may use, the in-call refusal) is decided here.

Public names: Toolbar.
"""

from toolbar.core import payloads
from toolbar.core import states
from toolbar.core.calls import CallMachine
from toolbar.core.effects import answer
from toolbar.core.errors import Failure
from toolbar.core.machine import AgentMachine
from toolbar.core.messages import CONFIGURATION
from toolbar.core.messages import FUSION_ORIGIN
from toolbar.core.origins import framing_refusal
from toolbar.core.presentation import present
from toolbar.core.settings import DEFAULTS
from toolbar.core.status import StatusLine
from toolbar.core.status import call_status


class Toolbar:
    """The toolbar's decisions; read ``agent``, ``calls`` and ``status_line``, call methods."""

    def __init__(self, *, register_timeout_ms: int = DEFAULTS["registerTimeoutMs"],
                 fusion_origins=DEFAULTS["fusionOrigins"], reasons=(),
                 wrapup_seconds: int = DEFAULTS["wrapupSeconds"]) -> None:
        """``reasons``: ``[(code, label), ...]`` in the agent's language (languages.reason_labels)."""
        self.fusion_origins = fusion_origins
        self.status_line = StatusLine()
        self.reasons = list(reasons)
        self.wrapup_seconds = wrapup_seconds
        self.agent = AgentMachine(register_timeout_ms=register_timeout_ms,
                                  status_line=self.status_line, reasons=self.reasons)
        self.calls = CallMachine(self.status_line)

    def present(self) -> dict:
        """The view model of the whole toolbar (presentation.present)."""
        return present(self.agent, self.calls, self.status_line.current, self.reasons)

    # ---- Start-up ----

    def start(self, parent_origin, ancestor_origin=None) -> list:
        """Start, if the frame is Fusion's: ``parent_origin`` is the ``oraParentFrame`` query
        parameter, ``ancestor_origin`` the browser's ``location.ancestorOrigins[0]`` (None
        where it has none). Framed by any other page, the toolbar says why and never talks to
        it (no CONNECT_FUSION)."""
        refused = framing_refusal(parent_origin, ancestor_origin, self.fusion_origins)
        if refused is not None:
            return self.agent.startup_failed(Failure(FUSION_ORIGIN, refused))
        return self.agent.start()

    def configuration_failed(self, problem: str) -> list:
        """TOOLBAR_CONFIG is unusable (``problem`` names the keys): nothing can start."""
        return self.agent.startup_failed(Failure(CONFIGURATION, problem))

    def fusion_connected(self, agent_id: str, fa_token: str, now: float) -> list:
        return self.agent.fusion_connected(agent_id, fa_token, now)

    def fa_token_renewed(self, renewal: int, fa_token: str, now: float) -> list:
        return self.agent.fa_token_renewed(renewal, fa_token, now)

    def fa_token_renewal_failed(self, renewal: int, failure: Failure) -> list:
        return self.agent.fa_token_renewal_failed(renewal, failure)

    def startup_failed(self, failure: Failure) -> list:
        return self.agent.startup_failed(failure)

    def agent_state_published(self, publish: int, failure: Failure | None = None) -> list:
        return self.agent.agent_state_published(publish, failure)

    def internal_error(self, detail: str) -> list:
        """A bug surfaced in the toolbar's own code (``detail``: the exception)."""
        return self.agent.internal_error(detail)

    # ---- The agent's clicks ----

    def toggle(self) -> list:
        """The availability toggle (a click, Enter or Space).

        Ignored while the toggle is disabled (starting, or in a transition): it stays
        focusable then, for keyboard users, so the click can still arrive. During a call the
        agent stays available, and reads why.
        """
        agent = self.agent
        if not agent.ready or agent.transitioning:
            return []
        if agent.wants_available and self._refuse_unavailable():
            return []
        return agent.toggle()

    def choose_reason(self, code: str) -> list:
        """The agent picked ``code`` in #reason ("" for none): unavailable for that reason.

        Like the toggle: ignored until ready or in a transition, refused during a call.
        """
        agent = self.agent
        if not agent.ready or agent.transitioning:
            return []
        if agent.wants_available and self._refuse_unavailable():
            return []
        return agent.choose_reason(code or None)

    def finish_wrapup(self) -> list:
        """#wrapup-done: the agent has finished the after-call work."""
        return self.agent.end_wrapup()

    def answer(self) -> list:
        return self._calls(self.calls.accept())

    def decline(self) -> list:
        return self._calls(self.calls.reject())

    def hang_up(self) -> list:
        return self._calls(self.calls.hang_up())

    def toggle_mute(self) -> list:
        return self._calls(self.calls.toggle_mute())

    def send_digit(self, digit: str) -> list:
        return self._calls(self.calls.send_digits(digit))

    def dial(self, number: str) -> list:
        """A number typed in the dial form (no Fusion uuid: a generated eventId)."""
        number = "".join(str(number).split())
        return self._calls(self.calls.dial(number, self._usable_device(),
                                           fa_token=self.agent.fa_token))

    def dial_checked(self, key: str, refusal=None) -> list:
        """The outbound policy's answer for call ``key``: a refusal code, or None to dial."""
        return self._calls(self.calls.dial_checked(key, refusal, self._usable_device()))

    def dial_check_failed(self, key: str) -> list:
        """The outbound policy could not be asked (the service unreachable, say): dial all the
        same, as the service decides again in /voice, and tells the agent there."""
        return self.dial_checked(key, None)

    # ---- Tokens and the Device ----

    def token_received(self, request: int, token: str) -> list:
        return self.agent.token_received(request, token)

    def token_failed(self, request: int, failure: Failure) -> list:
        return self.agent.token_failed(request, failure)

    def token_update_failed(self, device: int, failure: Failure) -> list:
        return self.agent.token_update_failed(device, failure)

    def device_failed(self, device: int, failure: Failure) -> list:
        return self.agent.device_failed(device, failure)

    def device_stopped(self, device: int) -> list:
        return self.agent.device_stopped(device)

    def device_registering(self, device: int) -> list:
        return self.agent.device_registering(device)

    def device_registered(self, device: int) -> list:
        return self.agent.device_registered(device)

    def device_unregistered(self, device: int) -> list:
        return self.agent.device_unregistered(device)

    def device_error(self, device: int, code, message: str = "") -> list:
        return self.agent.device_error(device, code, message)

    def token_will_expire(self, device: int) -> list:
        return self.agent.token_will_expire(device)

    def timer_fired(self, timer: int) -> list:
        return self.agent.timer_fired(timer)

    # ---- Twilio's Call events (key: the CallSid of an incoming call, else the machine's) ----

    def call_incoming(self, device: int, key: str, caller: str) -> list:
        """Device ``device`` has an incoming call; one from a replaced Device is ignored."""
        if device != self.agent.device:
            return []
        if self.agent.wrapup is not None:
            return self._calls(self.calls.decline_at_once(key, caller))
        return self._calls(self.calls.incoming(key, caller))

    def call_ringing(self, key: str) -> list:
        return self._calls(self.calls.call_ringing(key))

    def call_accepted(self, key: str) -> list:
        return self._calls(self.calls.call_accepted(key))

    def call_message(self, key: str, content) -> list:
        return self._calls(self.calls.call_message(key, content))

    def call_ended(self, key: str, how: str) -> list:
        return self._calls(self.calls.call_ended(key, how))

    def call_error(self, key: str, code, name: str = "", message: str = "") -> list:
        return self._calls(self.calls.call_error(key, code, name, message))

    def call_muted(self, key: str, muted: bool) -> list:
        return self._calls(self.calls.call_muted(key, muted))

    def call_action_failed(self, key: str, action: str, code, name: str = "",
                           message: str = "") -> list:
        return self._calls(self.calls.call_action_failed(key, action, code, name, message))

    def comm_published(self, key, operation: str, out_data=None, failed: bool = False) -> list:
        return self._calls(self.calls.comm_published(key, operation, out_data, failed))

    # ---- Fusion's commands (``request``: the id of the answer Fusion awaits) ----

    def agent_command(self, request, command: str) -> list:
        """onToolbarAgentCommand: answered at once.

        makeAvailable succeeds once the toolbar has started going available: Fusion learns
        the outcome from the agentStateEventOperation that follows, as with the toggle.
        """
        agent = self.agent
        if command in (payloads.MAKE_AVAILABLE, payloads.MAKE_UNAVAILABLE):
            if agent.phase == states.ERROR:
                return answer(request, payloads.FAILURE)
            if command == payloads.MAKE_UNAVAILABLE and self._refuse_unavailable():
                return answer(request, payloads.FAILURE,
                              {"reason": self.status_line.current.text})
            wanted = command == payloads.MAKE_AVAILABLE
            return agent.request_availability(wanted) + answer(request, payloads.SUCCESS)
        if command == payloads.GET_CURRENT_AGENT_STATE:
            return answer(request, payloads.SUCCESS, agent.fusion_state_data())
        if command == payloads.GET_ACTIVE_ENGAGEMENTS:
            return answer(request, payloads.SUCCESS,
                          payloads.active_engagements(self.calls.live_event_ids()))
        return answer(request, payloads.FAILURE)

    def interaction_command(self, request, command: str, event_id: str) -> list:
        """onToolbarInteractionCommand (accept, reject, disconnect): answered once known."""
        return self._calls(self.calls.fusion_command(command, event_id, request))

    def outgoing(self, uuid: str, out_data: dict) -> list:
        """onOutgoingEvent (click-to-dial): call SVCMCA_ANI with the event's uuid as eventId."""
        out_data = out_data or {}
        number = "".join(str(out_data.get("SVCMCA_ANI") or "").split())
        extra = {key: out_data[key] for key in out_data
                 if key.startswith("SVCMCA_") and key != "SVCMCA_ANI"}
        return self._calls(self.calls.dial(number, self._usable_device(), uuid, extra,
                                           fa_token=self.agent.fa_token))

    def data_updated(self, update_type: str, event_id: str) -> list:
        """onDataUpdated: OFFER_TIMEOUT stops the ringing; WRAPUP_CLOSED ends that call's
        wrap-up; other updates change nothing."""
        if update_type == payloads.WRAPUP_CLOSED:
            return self.agent.end_wrapup(event_id)
        if update_type != payloads.OFFER_TIMEOUT:
            return []
        return self._calls(self.calls.offer_timeout(event_id))

    # ---- Internals ----

    def _calls(self, effects: list) -> list:
        """After any call input: a call that ended with WRAPUP starts the wrap-up; the
        in-call warning goes once no call is live."""
        wrapped_up = self.calls.take_wrapped_up()
        if wrapped_up is not None:
            effects = effects + self.agent.start_wrapup(wrapped_up, self.wrapup_seconds)
        if self.calls.current is None and self.status_line.current == call_status("in-call"):
            self.status_line.show(self.agent.phase_status())
        return effects

    def _refuse_unavailable(self) -> bool:
        """While a call is live the agent stays available: say why; return whether refused."""
        if self.calls.current is None:
            return False
        self.status_line.show(call_status("in-call"))
        return True

    def _usable_device(self):
        """The Device calls may use: the registered one, else None (not available, or in
        wrap-up)."""
        agent = self.agent
        return agent.device if agent.available and agent.wrapup is None else None
