"""The toolbar's state machine: what the agent wants, what the Device is, what Fusion was told.

Browser-free (CPython and MicroPython). It never calls anything: each method takes one
input (an agent action, a Fusion command, a Device event, the outcome of an effect) and
returns the list of Effects the caller must carry out; an effect's outcome comes back as
another method call. Inputs that no longer apply (an event from a Device since replaced,
a token that arrives after the agent changed their mind) are ignored, so the caller may
run effects concurrently and in any order they finish.

Invariants:
- At most one Device exists: a new one is started only once the previous one stopped.
- Fusion is told AVAILABLE only on the current Device's ``registered`` event, and told
  UNAVAILABLE as soon as that Device loses its registration or is stopped.
- The agent's intent (``wants_available``) is kept apart from the Device's reality; the
  machine reconciles the two after every input (``_reconcile``).
- Fusion's faTrustToken is renewed (getConfigurationOperation) before its own ``exp``
  (toolbar/core/fusion_token.py), and once more when the token service says it expired: the
  fetch it refused is then retried once with the fresh one.

Public names: AgentMachine (phases: toolbar/core/states.py; effects: toolbar/core/effects.py).
"""

from toolbar.core import effects as fx
from toolbar.core import messages
from toolbar.core import payloads
from toolbar.core import states
from toolbar.core import twilio_errors
from toolbar.core.effects import Effect
from toolbar.core.errors import Failure
from toolbar.core.fusion_token import renewal_delay_ms
from toolbar.core.settings import DEFAULTS
from toolbar.core.status import Status
from toolbar.core.status import StatusLine
from toolbar.core.status import failure_status
from toolbar.core.status import progress_status


class AgentMachine:
    """The toolbar's availability state; see the module docstring for the rules.

    Attributes (read them; only the methods change them):
        phase: one of the phases of toolbar/core/states.py.
        wants_available: the agent's intent, from the toggle or Fusion's commands.
        status: the status.Status the status line shows.
        agent_id: the Fusion agent, once connected.
        device: the number of the current Device, or None.
        fusion_available: what Fusion was last told (True/False), None when unknown.
        fa_token: the agent's JWT from Fusion (the token service's credential), once connected.
        reason: the not-ready reason the agent chose (a code of ``reasons``), or None.
        wrapup: the eventId of the call whose after-call work is under way, or None.
        wrapup_left: the seconds of wrap-up left.
    """

    def __init__(self, *, register_timeout_ms: int = DEFAULTS["registerTimeoutMs"],
                 status_line: StatusLine | None = None, reasons=()) -> None:
        self.register_timeout_ms = register_timeout_ms
        self.reasons = dict(reasons)  # not-ready reason code -> its label
        self.reason = None
        self.wrapup = None
        self.wrapup_left = 0
        self.status_line = status_line if status_line is not None else StatusLine()
        self.phase = states.OFFLINE
        self.wants_available = False
        self.agent_id = None
        self.device = None
        self.fusion_available = None
        self._device_stopping = False
        self._device_registered = False
        self._token_request = None  # (number, purpose) of the fetch whose answer we await
        self._register_timer = None
        self._last_publish = None
        self._told = None  # (available, reason) of the last publish
        self._wrapup_timer = None
        self._counter = 0
        self.fa_token = None
        self._fa_timer = None  # renews fa_token when it fires
        self._renewal = None  # the number of the renewal under way
        self._after_renewal = None  # the purpose of a fetch refused as expired, to retry
        self._retry_request = None  # the number of that retry: it is not retried again

    # ---- Questions ----

    @property
    def status(self) -> Status:
        """What the status line shows (the Toolbar's, shared with the call machine)."""
        return self.status_line.current

    @property
    def ready(self) -> bool:
        """True once start-up succeeded: the toolbar accepts the agent's actions."""
        return self.phase in states.READY_PHASES

    @property
    def available(self) -> bool:
        """True only while the Device is registered and the agent wants calls."""
        return self.phase == states.AVAILABLE

    @property
    def transitioning(self) -> bool:
        return self.phase in states.TRANSITIONS

    # ---- Start-up ----

    def start(self) -> list:
        """Begin start-up; idempotent."""
        if self.phase != states.OFFLINE:
            return []
        self.phase = states.INITIALIZING
        self.status_line.show(progress_status("starting"))
        return [Effect(fx.CONNECT_FUSION)]

    def fusion_connected(self, agent_id: str, fa_token: str, now: float) -> list:
        """UEF answered getConfiguration (at ``now``, seconds since the epoch): tell Fusion
        the agent is logged in, not available; renew ``fa_token`` before it expires."""
        if self.phase != states.INITIALIZING:
            return []
        self.agent_id = agent_id
        return self._publish() + self._keep_fa_token(fa_token, now)

    # ---- Fusion's faTrustToken ----

    def fa_token_renewed(self, renewal: int, fa_token: str, now: float) -> list:
        """Renewal ``renewal`` got a fresh faTrustToken; a fetch refused as expired is retried."""
        if renewal != self._renewal:
            return []
        self._renewal = None
        effects = self._keep_fa_token(fa_token, now)
        purpose, self._after_renewal = self._after_renewal, None
        if purpose is None:
            return effects
        effects += self._fetch(purpose)
        self._retry_request = self._token_request[0]
        return effects

    def fa_token_renewal_failed(self, renewal: int, failure: Failure) -> list:
        """Fusion gave no new faTrustToken. Nothing is lost while the old one lasts (the next
        refusal asks again); a fetch that waited for it fails with the reason."""
        if renewal != self._renewal:
            return []
        self._renewal = None
        purpose, self._after_renewal = self._after_renewal, None
        if purpose is None:
            return []
        return self._token_refused(purpose, failure)

    def startup_failed(self, failure: Failure) -> list:
        """Start-up could not complete (a messages.Failure); the toolbar stays unusable."""
        self.phase = states.ERROR
        self.wants_available = False
        self.status_line.show(failure_status(failure.kind, failure.detail))
        effects = []
        if self.device is not None and not self._device_stopping:
            effects += self._stop_device()
        return effects

    # ---- The agent's intent (toggle, Fusion's makeAvailable/makeUnavailable) ----

    def toggle(self) -> list:
        """The agent clicked the availability toggle."""
        return self.request_availability(not self.wants_available)

    def request_availability(self, wanted: bool) -> list:
        """The agent (or Fusion on their behalf) wants to be available, or not; going
        available clears the reason, going unavailable keeps the one chosen."""
        if self.phase == states.ERROR:
            return []
        self.wants_available = bool(wanted)
        if self.wants_available:
            self.reason = None
        return self._reconcile()

    def choose_reason(self, code) -> list:
        """The agent chose not-ready reason ``code`` (None: no reason): unavailable with it."""
        if self.phase == states.ERROR or (code is not None and code not in self.reasons):
            return []
        self.reason = code
        self.wants_available = False
        effects = self._reconcile()
        if self.phase == states.UNAVAILABLE and not self.status_line.failed:
            self.status_line.show(self.phase_status())
        return effects + (self._publish() if self.phase == states.UNAVAILABLE else [])

    # ---- After-call work ----

    def start_wrapup(self, event_id: str, seconds: int) -> list:
        """Call ``event_id`` ended with WRAPUP: ``seconds`` of wrap-up (0: none), Fusion told
        the agent takes no call meanwhile, a one-second timer counting down."""
        if seconds <= 0 or not self.ready:
            return []
        self.wrapup = event_id
        self.wrapup_left = seconds
        self.status_line.show(progress_status("wrap-up"))
        return self._publish() + self._wrapup_tick()

    def end_wrapup(self, event_id=None) -> list:
        """Wrap-up ends (for call ``event_id``; None: whichever): back to what the agent last
        chose, and Fusion told so."""
        if self.wrapup is None or event_id not in (None, self.wrapup):
            return []
        self.wrapup = None
        self.wrapup_left = 0
        self._wrapup_timer = None
        if not self.status_line.failed:
            self.status_line.show(self.phase_status())
        return self._publish() + self._reconcile()

    # ---- Fusion ----

    def agent_state_published(self, publish: int, failure: Failure | None = None) -> list:
        """Publish ``publish`` of agentStateEventOperation finished; ``failure`` if it failed.

        Only the latest publish matters: Fusion handles them in order, so the last one sent
        decides what it shows, and an older one's late failure (a timeout) changes nothing.
        """
        if publish != self._last_publish:
            return []
        available = self.fusion_available
        if failure is None:
            if self.phase == states.INITIALIZING:
                self.phase = states.UNAVAILABLE
                self.status_line.show(progress_status("ready"))
                return self._reconcile()
            if self.status.kind in (messages.UEF_TIMEOUT, messages.UEF_ERROR):
                self.status_line.show(self.phase_status())  # Fusion answers again
            return []
        self.fusion_available = None  # Fusion may show anything now; publish again next time
        self._told = None
        if self.phase == states.INITIALIZING:
            return self.startup_failed(failure)
        self.status_line.show(failure_status(failure.kind, failure.detail))
        if available and self.wants_available:
            # Fusion and the toolbar disagree: go unavailable rather than take calls Fusion
            # does not know the agent can take.
            self.wants_available = False
            return self._reconcile()
        return []

    # ---- Tokens ----

    def token_received(self, request: int, token: str) -> list:
        """The token service answered fetch ``request`` with a Twilio Access Token."""
        purpose = self._answered_fetch(request)
        if purpose is None:
            return []
        if purpose == states.REFRESH:
            if self.device is None or self._device_stopping:
                return []
            return [Effect(fx.UPDATE_TOKEN, device=self.device, token=token)]
        if self.phase != states.GOING_AVAILABLE or not self.wants_available:
            return self._reconcile()
        self.device = self._next()
        self._device_registered = False
        self._register_timer = self._next()
        self.status_line.show(progress_status("registering"))
        return [Effect(fx.START_DEVICE, device=self.device, token=token),
                Effect(fx.START_TIMER, timer=self._register_timer,
                       ms=self.register_timeout_ms)]

    def token_failed(self, request: int, failure: Failure) -> list:
        """Fetch ``request`` failed (a messages.Failure)."""
        purpose = self._answered_fetch(request)
        if purpose is None:
            return []
        if failure.kind == messages.TOKEN_EXPIRED and request != self._retry_request:
            self._after_renewal = purpose  # ask Fusion for a fresh one, then once more
            return self._renew()
        return self._token_refused(purpose, failure)

    def token_update_failed(self, device: int, failure: Failure) -> list:
        """The SDK refused the refreshed token of Device ``device``."""
        if not self._is_live(device):
            return []
        return self._give_up(messages.REFRESH_FAILED,
                             failure.detail or messages.failure_text(failure.kind))

    # ---- The Device ----

    def device_failed(self, device: int, failure: Failure) -> list:
        """The SDK refused to create Device ``device``; nothing is left of it."""
        if device != self.device:
            return []
        self.wants_available = False
        self.status_line.show(failure_status(failure.kind, failure.detail))
        return self._device_gone()

    def device_registering(self, device: int) -> list:
        if not self._is_live(device):
            return []
        if self.phase == states.GOING_AVAILABLE:
            self.status_line.show(progress_status("registering"))
        return []

    def device_registered(self, device: int) -> list:
        """Device ``device`` registered: the agent can take calls; tell Fusion."""
        if not self._is_live(device):
            return []
        self._device_registered = True
        if not self.wants_available:
            return self._reconcile()
        reconnected = self.phase == states.RECONNECTING
        self.phase = states.AVAILABLE
        self._register_timer = None
        self.status_line.show(progress_status("reconnected" if reconnected else "available"))
        return self._publish()

    def device_unregistered(self, device: int) -> list:
        """Device ``device`` lost its registration without being asked to (signaling lost)."""
        if not self._is_live(device):
            return []
        self._device_registered = False
        if self.phase != states.AVAILABLE:
            return []
        # The SDK re-registers by itself once signaling is back (device_registered follows).
        self.phase = states.RECONNECTING
        self.status_line.show(progress_status("reconnecting"))
        return self._publish()

    def device_error(self, device: int, code, message: str = "") -> list:
        """Device ``device`` emitted ``error`` with a Twilio error ``code``."""
        if not self._is_live(device):
            return []
        kind = twilio_errors.device_error_kind(code)
        detail = "Twilio " + str(code) + (": " + message if message else "")
        if kind == "auth":
            return self._give_up(messages.TWILIO_REFUSED, detail)
        if kind == "connection" and self.phase == states.GOING_AVAILABLE:
            self.status_line.show(progress_status("still-connecting"))
        return []

    def token_will_expire(self, device: int) -> list:
        """Device ``device`` says its token expires soon: fetch a new one (once at a time)."""
        if (not self._is_live(device) or self._token_request is not None
                or self._after_renewal is not None):
            return []
        return self._fetch(states.REFRESH)

    def device_stopped(self, device: int) -> list:
        """Device ``device`` is unregistered and destroyed: it can never re-register."""
        if device != self.device:
            return []
        return self._device_gone()

    def timer_fired(self, timer: int) -> list:
        """Timer ``timer`` ran out: the faTrustToken's renewal, a second of wrap-up, or the
        registration's limit."""
        if timer == self._fa_timer:
            self._fa_timer = None
            return self._renew()
        if timer is not None and timer == self._wrapup_timer:
            self.wrapup_left -= 1
            return self.end_wrapup() if self.wrapup_left <= 0 else self._wrapup_tick()
        if timer != self._register_timer:
            return []
        self._register_timer = None
        if self.phase != states.GOING_AVAILABLE or self._device_registered:
            return []
        seconds = str(self.register_timeout_ms // 1000)
        return self._give_up(messages.TWILIO_UNREACHABLE,
                             messages.text("detail.register-timeout", seconds=seconds))

    # ---- Anything else ----

    def internal_error(self, detail: str) -> list:
        """A bug surfaced (an exception in the toolbar's own code): say so, stay safe."""
        self.status_line.show(failure_status(messages.INTERNAL, detail))
        return []

    # ---- Internals ----

    def _reconcile(self):
        """Bring the Device in line with the agent's intent."""
        if not self.ready:
            return []
        if self.wants_available:
            if self.phase == states.UNAVAILABLE and self.device is None:
                self.phase = states.GOING_AVAILABLE
                self.status_line.show(progress_status("fetching-token"))
                return self._fetch(states.REGISTER)
            return []
        if self.device is not None:
            if self._device_stopping:
                return []
            self.phase = states.GOING_UNAVAILABLE
            if not self.status_line.failed:
                self.status_line.show(progress_status("going-unavailable"))
            return self._stop_device()
        if self.phase == states.GOING_AVAILABLE:
            # Still waiting for the token: forget it; its answer will be ignored.
            self._token_request = None
            self._after_renewal = None
            self.phase = states.UNAVAILABLE
            if not self.status_line.failed:
                self.status_line.show(self.phase_status())
        return []

    def _device_gone(self):
        """The current Device no longer exists: Fusion must not think the agent available."""
        self.device = None
        self._device_stopping = False
        self._device_registered = False
        self._register_timer = None
        if not self.ready:
            return []
        self.phase = states.UNAVAILABLE
        if not self.status_line.failed:
            self.status_line.show(self.phase_status())
        return self._publish() + self._reconcile()

    def _give_up(self, kind, detail):
        """Stop wanting to be available because of a failure the agent must read."""
        self.wants_available = False
        self.status_line.show(failure_status(kind, detail))
        return self._reconcile()

    def _stop_device(self):
        self._device_stopping = True
        self._register_timer = None
        return [Effect(fx.STOP_DEVICE, device=self.device)]

    def _answered_fetch(self, request):
        """The purpose of fetch ``request`` if it is the one awaited (then no longer), else None."""
        if self._token_request is None or self._token_request[0] != request:
            return None
        purpose = self._token_request[1]
        self._token_request = None
        return purpose

    def _fetch(self, purpose):
        self._token_request = (self._next(), purpose)
        return [Effect(fx.FETCH_TOKEN, request=self._token_request[0], purpose=purpose,
                       fa_token=self.fa_token)]

    def _token_refused(self, purpose, failure):
        """A token could not be had for ``purpose``: the agent reads why, and is unavailable."""
        if purpose == states.REFRESH:
            detail = failure.detail or messages.failure_text(failure.kind)
            return self._give_up(messages.REFRESH_FAILED, detail)
        return self._give_up(failure.kind, failure.detail)

    def _keep_fa_token(self, fa_token, now):
        """Use ``fa_token`` from now on, and renew it in time (a timer) if its exp says when."""
        self.fa_token = fa_token
        delay = renewal_delay_ms(fa_token, now)
        if delay is None:
            self._fa_timer = None
            return []
        self._fa_timer = self._next()
        return [Effect(fx.START_TIMER, timer=self._fa_timer, ms=delay)]

    def _renew(self):
        if self._renewal is not None:  # one at a time; its answer serves every waiter
            return []
        self._renewal = self._next()
        return [Effect(fx.RENEW_FA_TOKEN, renewal=self._renewal)]

    def fusion_state(self) -> tuple:
        """``(available, reason)`` Fusion must be told: available only while registered and
        wanted and not in wrap-up; the reason is WRAPUP_REASON in wrap-up, else the chosen one."""
        if self.wrapup is not None:
            return False, payloads.WRAPUP_REASON
        if self.phase == states.AVAILABLE and self.wants_available:
            return True, None
        return False, None if self.wants_available else self.reason

    def fusion_state_data(self) -> dict:
        """The agent's state as getCurrentAgentState answers it: what Fusion was last told."""
        available, reason = self._told or (False, None)
        return payloads.agent_state_data(available, reason, self.reasons.get(reason))

    def _publish(self):
        told = self.fusion_state()
        if self._told == told:
            return []
        self._told = told
        self.fusion_available = told[0]
        self._last_publish = self._next()
        available, reason = told
        return [Effect(fx.PUBLISH_AGENT_STATE, publish=self._last_publish, available=available,
                       fields=payloads.agent_state(available, reason, self.reasons.get(reason)))]

    def _wrapup_tick(self):
        self._wrapup_timer = self._next()
        return [Effect(fx.START_TIMER, timer=self._wrapup_timer, ms=1000)]

    def phase_status(self) -> Status:
        """The progress line of the current phase, to replace a warning that no longer holds."""
        if self.wrapup is not None:
            return progress_status("wrap-up")
        names = {states.AVAILABLE: "available", states.RECONNECTING: "reconnecting",
                 states.GOING_AVAILABLE: "registering",
                 states.GOING_UNAVAILABLE: "going-unavailable"}
        if self.phase not in names:
            return self._unavailable_status()
        return progress_status(names[self.phase])

    def _unavailable_status(self):
        if self.reason is None:
            return progress_status("unavailable")
        return progress_status("unavailable-reason", reason=self.reasons[self.reason])

    def _is_live(self, device):
        return device is not None and device == self.device and not self._device_stopping

    def _next(self):
        self._counter += 1
        return self._counter
