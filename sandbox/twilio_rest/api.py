"""The REST emulator's sans-I/O core: one :class:`RestRequest` in, one :class:`RestResponse` out.

It authenticates (HTTP Basic: the API key SID and secret, or the account SID and auth token),
routes the path itself (so unknown paths and methods get Twilio's 404 and 405 JSON, not
Flask's), checks the parameters, and acts through the emulator's router and conferences,
whose effects the switchboard then drains. Every request is logged (secrets redacted) for
``GET /sandbox/api/twilio/rest-requests``.

Public names: RestRequest, RestResponse, RestApi.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.credentials import TwilioCredentials
from sandbox.signaling.calls import CLIENT_PREFIX
from sandbox.signaling.calls import ApiOrder
from sandbox.signaling.calls import Call
from sandbox.signaling.calls import CallRegistry
from sandbox.signaling.conferences import ConferenceNotFound
from sandbox.signaling.conferences import Participant
from sandbox.signaling.conferences import ParticipantNotFound
from sandbox.signaling.conferences import Room
from sandbox.signaling.routing import CallEnded
from sandbox.signaling.routing import CallRouter
from sandbox.signaling.webhook import Conference
from sandbox.signaling.webhook import Dial
from sandbox.signaling.webhook import TwimlError
from sandbox.signaling.webhook import Verb
from sandbox.signaling.webhook import parse_twiml
from sandbox.taskrouter.engine import TaskRouter
from sandbox.taskrouter.rest import TaskRouterRest
from sandbox.twilio_rest import errors
from sandbox.twilio_rest import resources
from sandbox.twilio_rest.errors import RestError
from sandbox.twilio_rest.errors import invalid
from sandbox.twilio_rest.params import Params
from server.twilio_formats import is_e164
from server.twilio_formats import is_identity

CALL_EVENTS = frozenset({"initiated", "ringing", "answered", "completed"})
CONFERENCE_EVENTS = frozenset({"start", "end", "join", "leave", "mute", "hold", "modify",
                               "speaker", "announcement"})
_STATUSES = ("queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer",
             "canceled")
_SECRET_NAME = re.compile(r"token|secret|password|auth", re.IGNORECASE)
_MAX_LABEL = 128

Json = dict[str, Any]


@dataclass(frozen=True)
class RestRequest:
    """What the HTTP layer parsed: ``path`` is decoded and starts with the domain (``api/…``)."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class RestResponse:
    status: int
    body: Json | None  # None: no body (204)


class RestApi:
    """Twilio's Calls, Conferences and Participants resources over one emulator's calls, and
    TaskRouter's resources (``sandbox/taskrouter/rest.py``)."""

    def __init__(self, credentials: TwilioCredentials, calls: CallRegistry, router: CallRouter,
                 taskrouter: TaskRouter, *, clock: Callable[[], float], unavailable: Callable[[], bool],
                 log_size: int = 200) -> None:
        self._credentials = credentials
        self._calls = calls
        self._router = router
        self._rooms = router.conferences
        self._clock = clock
        self._unavailable = unavailable
        self.log: deque[Json] = deque(maxlen=log_size)
        base = r"api/2010-04-01/Accounts/(?P<account>[^/]+)"
        conference = base + r"/Conferences/(?P<conference>[^/]+)"
        self._routes: list[tuple[re.Pattern[str], dict[str, Callable[..., RestResponse]]]] = [
            (re.compile(base + r"/Calls\.json"), {"GET": self._list_calls,
                                                   "POST": self._create_call}),
            (re.compile(base + r"/Calls/(?P<sid>[^/]+)\.json"), {"GET": self._fetch_call,
                                                                 "POST": self._update_call}),
            (re.compile(base + r"/Calls/(?P<sid>[^/]+)/UserDefinedMessages\.json"),
             {"POST": self._create_message}),
            (re.compile(base + r"/Conferences\.json"), {"GET": self._list_conferences}),
            (re.compile(conference + r"\.json"), {"GET": self._fetch_conference,
                                                  "POST": self._update_conference}),
            (re.compile(conference + r"/Participants\.json"),
             {"GET": self._list_participants, "POST": self._create_participant}),
            (re.compile(conference + r"/Participants/(?P<participant>[^/]+)\.json"),
             {"GET": self._fetch_participant, "POST": self._update_participant,
              "DELETE": self._delete_participant}),
        ]
        for pattern, handlers in TaskRouterRest(taskrouter, clock=clock).routes():
            self._routes.append((re.compile(pattern), {
                method: _responding(handler) for method, handler in handlers.items()}))

    # ---- One request.

    def handle(self, request: RestRequest) -> RestResponse:
        """Answer ``request``; never raises."""
        try:
            response = self._dispatch(request)
        except RestError as error:
            response = RestResponse(error.status, error.body())
        self._record(request, response)
        return response

    def _dispatch(self, request: RestRequest) -> RestResponse:
        if self._unavailable():
            raise RestError(503, errors.SERVICE_UNAVAILABLE, "Service is unavailable")
        if not self._authenticated(request):
            raise RestError(401, errors.AUTHENTICATE, "Authenticate")
        path = "/" + request.path.split("/", 1)[-1] if "/" in request.path else request.path
        for pattern, methods in self._routes:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            if match.groupdict().get("account", self._credentials.account_sid) \
                    != self._credentials.account_sid:
                raise RestError(401, errors.AUTHENTICATE, "Authenticate")
            handler = methods.get(request.method)
            if handler is None:
                raise RestError(405, errors.METHOD_NOT_ALLOWED,
                                f"Method {request.method} not allowed on {path}")
            values = request.query if request.method == "GET" else request.form
            arguments = {k: v for k, v in match.groupdict().items() if k != "account"}
            return handler(Params(values), path=path, **arguments)
        raise errors.not_found(path)

    def _authenticated(self, request: RestRequest) -> bool:
        creds = self._credentials
        pairs = ((creds.api_key_sid, creds.api_key_secret), (creds.account_sid, creds.auth_token))
        given = (request.username or "", request.password or "")
        # compare_digest on both halves: no early exit tells which one was wrong.
        return any(secrets.compare_digest(given[0].encode(), user.encode())
                   & secrets.compare_digest(given[1].encode(), password.encode())
                   for user, password in pairs)

    def _record(self, request: RestRequest, response: RestResponse) -> None:
        def redacted(values: dict[str, list[str]]) -> dict[str, Any]:
            return {name: "<redacted>" if _SECRET_NAME.search(name) else
                    (items[0] if len(items) == 1 else items) for name, items in values.items()}

        self.log.append({
            "at": self._clock(), "method": request.method, "path": request.path,
            "username": request.username, "query": redacted(request.query),
            "form": redacted(request.form), "status": response.status,
            "code": (response.body or {}).get("code") if response.status >= 400 else None,
        })

    # ---- Calls.

    def _create_call(self, params: Params, *, path: str) -> RestResponse:
        to = params.text("To")
        caller = params.text("From")
        if to is None:
            raise invalid("A 'To' number is required", errors.NO_TO)
        if caller is None:
            raise invalid("A 'From' number is required", errors.NO_FROM)
        self._check_parties(to, caller)
        order = ApiOrder(
            **self._instructions(params, required=True),
            status_callback=params.url("StatusCallback"),
            status_events=params.events("StatusCallbackEvent", CALL_EVENTS,
                                        frozenset({"completed"})),
            timeout=params.integer("Timeout", 60, 1, 600))
        params.post_only("StatusCallbackMethod")
        call = self._router.place_api(caller, to, order)
        return RestResponse(201, resources.call_json(self._account, call))

    def _check_parties(self, to: str, caller: str) -> None:
        if to.startswith(CLIENT_PREFIX):
            # Twilio lets a client To carry custom parameters: client:alice?TransferredBy=bob.
            if not is_identity(to.partition("?")[0].removeprefix(CLIENT_PREFIX)):
                raise invalid(f"The 'To' client {to!r} is not a valid identity", errors.INVALID_TO)
            if not (is_e164(caller) or (caller.startswith(CLIENT_PREFIX)
                                        and is_identity(caller.removeprefix(CLIENT_PREFIX)))):
                raise invalid(f"The 'From' {caller!r} is not a phone number or client",
                              errors.INVALID_FROM)
            return
        if not is_e164(to):
            raise invalid(f"The 'To' number {to} is not a valid phone number", errors.INVALID_TO)
        if caller != self._credentials.caller_id:
            raise invalid(f"The 'From' number {caller} is not a Twilio phone number or a "
                          "verified outgoing caller id for your account", errors.INVALID_FROM)

    def _instructions(self, params: Params, *, required: bool) -> dict[str, Any]:
        """``Url`` (which wins, as with Twilio) or ``Twiml``, as ApiOrder fields."""
        params.post_only("Method")
        url = params.url("Url")
        twiml = params.text("Twiml")
        if url is not None:
            return {"url": url, "program": ()}
        if twiml is not None:
            return {"url": None, "program": _parse(twiml)}
        if required:
            raise invalid("A 'Url' or 'Twiml' is required", errors.INVALID_URL)
        return {}

    def _fetch_call(self, params: Params, *, path: str, sid: str) -> RestResponse:
        call = self._calls.find(sid)
        if call is not None and call.sid == sid:
            return RestResponse(200, resources.call_json(self._account, call))
        leg = call.leg(sid) if call is not None else None
        if call is None or leg is None:
            raise errors.not_found(path)
        return RestResponse(200, resources.leg_json(self._account, call, leg))

    def _update_call(self, params: Params, *, path: str, sid: str) -> RestResponse:
        call = self._parent_call(sid, path)
        status = params.choice("Status", ("canceled", "completed"))
        instructions = self._instructions(params, required=False)
        try:
            if status is not None:
                self._router.end_api(call, status)
            elif instructions:
                self._router.redirect(call, url=instructions["url"],
                                      program=instructions["program"])
            elif call.ended:
                raise CallEnded(sid)
        except CallEnded:
            raise invalid("Call is not in-progress. Cannot redirect.",
                          errors.CALL_NOT_IN_PROGRESS) from None
        return RestResponse(200, resources.call_json(self._account, call))

    def _create_message(self, params: Params, *, path: str, sid: str) -> RestResponse:
        """A User Defined Message to the SDK in the live call ``sid``: ``Content`` is JSON."""
        content = params.text("Content")
        if content is None:
            raise invalid("A 'Content' is required")
        try:
            json.loads(content)
        except ValueError:
            raise invalid("The 'Content' must be JSON") from None
        params.text("IdempotencyKey")
        if self._calls.find(sid) is None:
            raise errors.not_found(path)
        try:
            message_sid = self._router.tell_sdk(sid, content)
        except CallEnded:
            raise invalid("Call is not in-progress, or has no Voice SDK in it.",
                          errors.CALL_NOT_IN_PROGRESS) from None
        return RestResponse(201, resources.message_json(self._account, sid, message_sid,
                                                        self._clock()))

    def _parent_call(self, sid: str, path: str) -> Call:
        call = self._calls.find(sid)
        if call is None or call.sid != sid:
            raise errors.not_found(path)
        return call

    def _list_calls(self, params: Params, *, path: str) -> RestResponse:
        filters = {name: value for name in ("Status", "To", "From", "ParentCallSid")
                   if (value := params.text(name)) is not None}
        params.choice("Status", _STATUSES)
        records = []
        for call in reversed(self._calls.all()):
            records.append(resources.call_json(self._account, call))
            records += [resources.leg_json(self._account, call, leg)
                        for leg in call.legs if leg.sid != call.sid]
        fields = {"Status": "status", "To": "to", "From": "from", "ParentCallSid": "parent_call_sid"}
        return self._page(params, _matching(records, filters, fields), "calls", path, filters)

    # ---- Conferences.

    def _room(self, key: str, path: str) -> Room:
        try:
            return self._rooms.get(key)
        except ConferenceNotFound:
            raise errors.not_found(path) from None

    def _list_conferences(self, params: Params, *, path: str) -> RestResponse:
        filters = {name: value for name in ("FriendlyName", "Status")
                   if (value := params.text(name)) is not None}
        params.choice("Status", ("init", "in-progress", "completed"))
        records = [resources.conference_json(self._account, room)
                   for room in reversed(self._rooms.rooms())]
        fields = {"FriendlyName": "friendly_name", "Status": "status"}
        return self._page(params, _matching(records, filters, fields), "conferences", path,
                          filters)

    def _fetch_conference(self, params: Params, *, path: str, conference: str) -> RestResponse:
        return RestResponse(200, resources.conference_json(self._account,
                                                           self._room(conference, path)))

    def _update_conference(self, params: Params, *, path: str, conference: str) -> RestResponse:
        room = self._room(conference, path)
        status = params.choice("Status", ("completed",))
        announce = params.url("AnnounceUrl")
        params.post_only("AnnounceMethod")
        if room.status == "completed" and (status or announce):
            raise invalid(f"Conference {room.sid} has already ended")
        if announce is not None:
            self._rooms.announce(room, announce)
        if status is not None:
            self._rooms.end(room)
        return RestResponse(200, resources.conference_json(self._account, room))

    # ---- Participants.

    def _create_participant(self, params: Params, *, path: str, conference: str) -> RestResponse:
        to, caller = params.text("To"), params.text("From")
        if to is None:
            raise invalid("A 'To' is required", errors.NO_TO)
        if caller is None:
            raise invalid("A 'From' is required", errors.NO_FROM)
        self._check_parties(to, caller)
        label = params.text("Label")
        if label is not None and len(label) > _MAX_LABEL:
            raise invalid(f"Label must be at most {_MAX_LABEL} characters")
        params.post_only("StatusCallbackMethod", "ConferenceStatusCallbackMethod", "WaitMethod")
        coach = params.text("CallSidToCoach")
        options = Conference(
            conference,
            start_on_enter=_default(params.boolean("StartConferenceOnEnter"), True),
            end_on_exit=_default(params.boolean("EndConferenceOnExit"), False),
            muted=_default(params.boolean("Muted"), False),
            beep=params.text("Beep") or "true", wait_url=params.url("WaitUrl"), label=label,
            coach=coach, coaching=_default(params.boolean("Coaching"), False),
            status_callback=params.url("ConferenceStatusCallback"),
            status_events=params.events("ConferenceStatusCallbackEvent", CONFERENCE_EVENTS,
                                        frozenset({"start", "end"})))
        params.boolean("EarlyMedia")
        try:
            room = self._rooms.by_sid_or_name(conference, create_for=options)
        except ConferenceNotFound:
            raise errors.not_found(path) from None
        if coach is not None and coach not in room.participants:
            raise invalid(f"CallSidToCoach {coach} is not in the conference", errors.INVALID_COACH)
        if self._rooms.label_taken(room, label):
            raise invalid(f"Participant label {label!r} is already in use",
                          errors.DUPLICATE_LABEL)
        options = Conference(**{**options.__dict__, "name": room.friendly_name})
        order = ApiOrder(program=(Dial((), conference=options),),
                         status_callback=params.url("StatusCallback"),
                         status_events=params.events("StatusCallbackEvent", CALL_EVENTS,
                                                     frozenset({"completed"})),
                         timeout=params.integer("Timeout", 60, 5, 600))
        call = self._router.place_api(caller, to, order)
        # The call rings right after; unanswered, it leaves the room it never joined.
        participant = self._rooms.expect(room, call.sid, options)
        body = resources.participant_json(self._account, participant)
        body["queue_time"] = "0"
        return RestResponse(201, body)

    def _participant(self, conference: str, key: str, path: str) -> tuple[Room, Participant]:
        room = self._room(conference, path)
        try:
            return room, self._rooms.participant(room, key)
        except ParticipantNotFound:
            raise errors.not_found(path) from None

    def _list_participants(self, params: Params, *, path: str, conference: str) -> RestResponse:
        room = self._room(conference, path)
        wanted = {name: value for name in ("Muted", "Hold", "Coaching")
                  if (value := params.boolean(name)) is not None}
        fields = {"Muted": "muted", "Hold": "hold", "Coaching": "coaching"}
        records = [resources.participant_json(self._account, p) for p in room.participants.values()]
        filters = {name: str(value).lower() for name, value in wanted.items()}
        return self._page(params, _matching(records, wanted, fields), "participants", path,
                          filters)

    def _fetch_participant(self, params: Params, *, path: str, conference: str,
                           participant: str) -> RestResponse:
        _, found = self._participant(conference, participant, path)
        return RestResponse(200, resources.participant_json(self._account, found))

    def _update_participant(self, params: Params, *, path: str, conference: str,
                            participant: str) -> RestResponse:
        room, found = self._participant(conference, participant, path)
        params.post_only("AnnounceMethod")
        params.choice("HoldMethod", ("GET", "POST"))  # both fetch nothing: hold music is recorded
        coach = params.text("CallSidToCoach")
        if coach is not None and coach not in room.participants:
            raise invalid(f"CallSidToCoach {coach} is not in the conference", errors.INVALID_COACH)
        self._rooms.update(
            found, hold=params.boolean("Hold"), hold_url=params.url("HoldUrl"),
            muted=params.boolean("Muted"), end_on_exit=params.boolean("EndConferenceOnExit"),
            coaching=params.boolean("Coaching"), call_sid_to_coach=coach,
            announce_url=params.url("AnnounceUrl"))
        return RestResponse(200, resources.participant_json(self._account, found))

    def _delete_participant(self, params: Params, *, path: str, conference: str,
                            participant: str) -> RestResponse:
        room, found = self._participant(conference, participant, path)
        self._rooms.kick(room, found)
        return RestResponse(204, None)

    # ---- Helpers.

    @property
    def _account(self) -> str:
        return self._credentials.account_sid

    def _page(self, params: Params, records: list[Json], key: str, path: str,
              filters: dict[str, str]) -> RestResponse:
        size = params.integer("PageSize", 50, 1, 1000)
        number = params.integer("Page", 0, 0, 1_000_000)
        return RestResponse(200, resources.page(records, key, path, filters,
                                                page_number=number, page_size=size))


def _responding(handler: Callable[..., tuple[int, Json | None]]) -> Callable[..., RestResponse]:
    """A TaskRouter handler's (status, body), as a RestResponse."""
    def respond(*args: Any, **kwargs: Any) -> RestResponse:
        return RestResponse(*handler(*args, **kwargs))
    return respond


def _matching(records: list[Json], wanted: dict[str, Any], fields: dict[str, str]) -> list[Json]:
    """The records whose field for each filter parameter has the wanted value."""
    return [record for record in records
            if all(record[fields[name]] == value for name, value in wanted.items())]


def _parse(twiml: str) -> tuple[Verb, ...]:
    try:
        return parse_twiml(twiml)
    except TwimlError as error:
        raise invalid(f"Twiml is not valid TwiML: {error}") from None


def _default(value: bool | None, default: bool) -> bool:
    return default if value is None else value

