"""Twilio's voice webhook, seen from Twilio's side: signed request, TwiML back.

When a call starts, Twilio POSTs form parameters to the application's voice URL with an
``X-Twilio-Signature`` computed with the account's Auth Token, and acts on the TwiML it
gets back. The emulator does the same against the token service's ``/voice``.

The TwiML subset understood (docs/twilio-rest.md): ``<Say>``, ``<Play>``, ``<Pause>``,
``<Redirect>``, ``<Hangup>`` and ``<Dial>`` (``timeout``, ``callerId``, ``action``: POSTed with
``DialCallStatus`` when the Dial ends, its TwiML then replacing the verbs after the Dial; nouns
``<Number>``, ``<Client>`` with a text or ``<Identity>`` name, a bare number as text, or one
``<Conference>``) and ``<Enqueue workflowSid>`` with its ``<Task>`` (sandbox/taskrouter/voice.py). Verbs that need to hear the caller (``<Gather>``, ``<Record>``…) are skipped.

Public names: API_VERSION, DEFAULT_DIAL_TIMEOUT, Say, Play, Pause, Redirect, Conference, Dial,
Hangup, Enqueue, Verb, TwimlError, WebhookResult, voice_params, twilio_date, sign, parse_twiml, parse_events,
fetch_twiml, post_callback, post_for_answer.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

API_VERSION = "2010-04-01"
DEFAULT_DIAL_TIMEOUT = 30  # seconds, Twilio's default for <Dial timeout>
# Limits: TwiML is a few hundred bytes; anything past this is not an answer we act on.
MAX_TWIML_BYTES = 64 * 1024


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Play:
    url: str
    loop: int = 1


@dataclass(frozen=True)
class Pause:
    length: int = 1  # seconds


@dataclass(frozen=True)
class Redirect:
    url: str


@dataclass(frozen=True)
class Conference:
    """``<Dial><Conference>``, or a REST participant: how this call joins the room ``name``."""

    name: str
    start_on_enter: bool = True
    end_on_exit: bool = False
    muted: bool = False
    beep: str = "true"
    wait_url: str | None = None
    label: str | None = None
    coach: str | None = None
    coaching: bool = False
    # Honoured from the conference's first participant only, as Twilio does.
    status_callback: str | None = None
    status_events: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Dial:
    # Each target is an E.164 number or "client:<identity>", as a call's "To" reads.
    targets: tuple[str, ...]
    timeout: int = DEFAULT_DIAL_TIMEOUT
    caller_id: str | None = None
    # Where Twilio POSTs DialCallStatus when the Dial ends; its TwiML replaces the rest.
    action: str | None = None
    conference: Conference | None = None


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Enqueue:
    """``<Enqueue workflowSid>``: the call becomes a TaskRouter Task and waits for a worker."""

    workflow_sid: str
    task: str = "{}"  # the <Task> JSON object, merged into the call's own attributes
    priority: int | None = None
    timeout: int | None = None
    wait_url: str | None = None
    action: str | None = None


Verb = Say | Play | Pause | Redirect | Dial | Hangup | Enqueue


class TwimlError(ValueError):
    """The webhook's answer is not TwiML the emulator can act on."""


@dataclass(frozen=True)
class WebhookResult:
    """What came back: ``verbs`` on success, else ``error`` says why there are none."""

    status: int | None
    verbs: tuple[Verb, ...] = ()
    twiml: str = ""
    error: str | None = None


def voice_params(
    *,
    account_sid: str,
    application_sid: str,
    call_sid: str,
    caller: str,
    called: str,
    custom: dict[str, str],
) -> dict[str, str]:
    """Return the form Twilio posts when a call starts ringing Twilio.

    ``custom`` holds the parameters the SDK sent with ``connect({params})``; Twilio's own
    parameters win over a custom one of the same name. Every call reaches Twilio, so
    ``Direction`` is ``inbound`` whether an agent or a phone placed it.
    """
    return {
        **custom,
        "AccountSid": account_sid,
        "ApplicationSid": application_sid,
        "CallSid": call_sid,
        "From": caller,
        "To": called,
        "Caller": caller,
        "Called": called,
        "Direction": "inbound",
        "CallStatus": "ringing",
        "ApiVersion": API_VERSION,
    }


def twilio_date(moment: float) -> str:
    """``moment`` as Twilio writes dates on the 2010 API: ``Tue, 10 Aug 2010 08:02:17 +0000``."""
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(moment))


def sign(url: str, params: dict[str, str], auth_token: str) -> str:
    """Return the ``X-Twilio-Signature`` for a form POST of ``params`` to ``url``."""
    return RequestValidator(auth_token).compute_signature(url, params)


def parse_twiml(text: str) -> tuple[Verb, ...]:
    """Return the verbs of a ``<Response>`` that the emulator acts on, in order.

    Raises:
        TwimlError: not XML, not a ``<Response>``, or a ``<Dial>`` it cannot follow.
    """
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise TwimlError(f"TwiML is not well-formed XML: {error}") from None
    if root.tag != "Response":
        raise TwimlError(f"TwiML root is <{root.tag}>, not <Response>")
    verbs: list[Verb] = []
    for element in root:
        text = (element.text or "").strip()
        if element.tag == "Say":
            verbs.append(Say(text))
        elif element.tag == "Play":
            verbs.append(Play(text, loop=_seconds(element, "loop", 1, low=0)))
        elif element.tag == "Pause":
            verbs.append(Pause(_seconds(element, "length", 1, low=0)))
        elif element.tag == "Redirect":
            verbs.append(Redirect(text))
        elif element.tag == "Dial":
            verbs.append(_parse_dial(element))
        elif element.tag == "Hangup":
            verbs.append(Hangup())
        elif element.tag == "Enqueue":
            verbs.append(_parse_enqueue(element))
    return tuple(verbs)


def _seconds(element: ElementTree.Element, name: str, default: int, *, low: int = 1) -> int:
    raw = element.get(name, str(default))
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < low:
        raise TwimlError(f"<{element.tag} {name}={raw!r}> is not a "
                         f"{'positive' if low else 'whole'} number")
    return int(raw)


def _parse_dial(element: ElementTree.Element) -> Dial:
    bare_number = (element.text or "").strip()
    targets = [bare_number] if bare_number else []
    conference = None
    for noun in element:
        if noun.tag == "Number":
            targets.append((noun.text or "").strip())
        elif noun.tag == "Client":
            identity = noun.findtext("Identity") or noun.text or ""
            targets.append(f"client:{identity.strip()}")
        elif noun.tag == "Conference":
            conference = _parse_conference(noun)
    if conference is not None and targets:
        raise TwimlError("<Dial> holds a <Conference> and other nouns")
    return Dial(tuple(targets), timeout=_seconds(element, "timeout", DEFAULT_DIAL_TIMEOUT),
                caller_id=element.get("callerId"), action=element.get("action") or None,
                conference=conference)


def _parse_enqueue(element: ElementTree.Element) -> Enqueue:
    workflow = element.get("workflowSid") or ""
    if not workflow:
        raise TwimlError("<Enqueue> without workflowSid: named queues are not emulated")
    task = element.find("Task")
    if task is None:
        task = element.find("TaskAttributes")  # Twilio's legacy alias
    return Enqueue(
        workflow, task=(task.text or "{}").strip() if task is not None else "{}",
        priority=_seconds(task, "priority", 0, low=0) if task is not None
        and task.get("priority") else None,
        timeout=_seconds(task, "timeout", 1) if task is not None and task.get("timeout")
        else None,
        wait_url=element.get("waitUrl") or None, action=element.get("action") or None)


def _parse_conference(noun: ElementTree.Element) -> Conference:
    name = (noun.text or "").strip()
    if not name:
        raise TwimlError("<Conference> names no conference")
    flag = {"true": True, "false": False}

    def boolean(attribute: str, default: bool) -> bool:
        raw = noun.get(attribute, str(default).lower())
        if raw not in flag:
            raise TwimlError(f"<Conference {attribute}={raw!r}> is not true or false")
        return flag[raw]

    return Conference(
        name, start_on_enter=boolean("startConferenceOnEnter", True),
        end_on_exit=boolean("endConferenceOnExit", False), muted=boolean("muted", False),
        beep=noun.get("beep", "true"), wait_url=noun.get("waitUrl") or None,
        label=noun.get("participantLabel") or None, coach=noun.get("coach") or None,
        coaching=bool(noun.get("coach")), status_callback=noun.get("statusCallback") or None,
        status_events=parse_events(noun.get("statusCallbackEvent", "")))


def parse_events(raw: str | list[str]) -> frozenset[str]:
    """Event names as Twilio takes them: space-separated, or repeated parameters."""
    words = raw.split() if isinstance(raw, str) else [w for item in raw for w in item.split()]
    return frozenset(words)


async def fetch_twiml(
    url: str, params: dict[str, str], *, auth_token: str, timeout: float
) -> WebhookResult:
    """POST the signed webhook and parse the answer; never raises.

    The HTTP runs in a worker thread (``urllib`` blocks) and gives up after ``timeout``
    seconds; a thread that is still waiting then is abandoned, bounded by that timeout.
    """
    signature = sign(url, params, auth_token)
    status, body, error = await asyncio.to_thread(_post_form, url, params, signature, timeout)
    if error is not None:
        return WebhookResult(status, error=error)
    try:
        return WebhookResult(status, verbs=parse_twiml(body), twiml=body)
    except TwimlError as problem:
        return WebhookResult(status, twiml=body, error=str(problem))


async def post_callback(url: str, params: dict[str, str], *, auth_token: str,
                        timeout: float) -> int | None:
    """POST a signed status callback; return the HTTP status (None: unreachable). Never raises."""
    status, _ = await post_for_answer(url, params, auth_token=auth_token, timeout=timeout)
    return status


async def post_for_answer(url: str, params: dict[str, str], *, auth_token: str,
                          timeout: float) -> tuple[int | None, str]:
    """POST a signed callback whose answer is acted on (TaskRouter's assignment callback);
    return its status (None: unreachable or too slow) and body. Never raises."""
    signature = sign(url, params, auth_token)
    status, body, _ = await asyncio.to_thread(_post_form, url, params, signature, timeout)
    return status, body


def _post_form(
    url: str, params: dict[str, str], signature: str, timeout: float
) -> tuple[int | None, str, str | None]:
    request = urllib.request.Request(
        url,
        data=urlencode(params).encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
            "User-Agent": "TwilioProxy/1.1",
        },
    )
    # No proxies: the webhook is on loopback, whatever the environment says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(MAX_TWIML_BYTES).decode("utf-8", "replace"), None
    except urllib.error.HTTPError as answer:
        answer.close()
        return answer.code, "", f"webhook answered HTTP {answer.code}"
    except (urllib.error.URLError, OSError) as failure:
        # URLError wraps refused connections; a read timeout is a bare TimeoutError.
        return None, "", f"webhook unreachable: {failure}"
