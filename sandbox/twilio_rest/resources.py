"""Twilio's JSON for the emulated resources, and the 2010-04-01 paging envelope.

Fields are snake_case, dates RFC 2822, durations strings, and every record carries its
``uri`` (and ``subresource_uris``), as Twilio's answers do; fields with nothing behind
them in the emulator (prices, trunks, caller names) are null.

Public names: ACCOUNTS, call_json, leg_json, conference_json, participant_json, message_json,
page_link, page.
page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sandbox.signaling.calls import Call
from sandbox.signaling.calls import CallStatus
from sandbox.signaling.calls import Direction
from sandbox.signaling.calls import Leg
from sandbox.signaling.conferences import Participant
from sandbox.signaling.conferences import Room
from sandbox.signaling.routing import rest_status
from sandbox.signaling.webhook import API_VERSION
from sandbox.signaling.webhook import twilio_date

ACCOUNTS = f"/{API_VERSION}/Accounts"
_CALL_SUBRESOURCES = ("notifications", "recordings", "payments", "events", "siprec", "streams",
                      "transcriptions", "user_defined_message_subscriptions",
                      "user_defined_messages")
# Twilio's "direction" of each kind of call: every call reaching Twilio is inbound to it.
_DIRECTIONS = {Direction.INBOUND: "inbound", Direction.OUTBOUND: "inbound",
               Direction.OUTBOUND_API: "outbound-api"}


def _date(moment: float | None) -> str | None:
    return twilio_date(moment) if moment is not None else None


def _call_record(account: str, sid: str, **fields: Any) -> dict[str, Any]:
    uri = f"{ACCOUNTS}/{account}/Calls/{sid}"
    record = {
        "sid": sid, "account_sid": account, "api_version": API_VERSION, "answered_by": None,
        "caller_name": None, "forwarded_from": None, "group_sid": None, "phone_number_sid": None,
        "price": None, "price_unit": "USD", "queue_time": "0", "trunk_sid": None,
        "annotation": None, "uri": uri + ".json",
        "subresource_uris": {name: f"{uri}/{_camel(name)}.json" for name in _CALL_SUBRESOURCES},
    }
    record.update(fields)
    record["to_formatted"], record["from_formatted"] = record["to"], record["from"]
    return record


def call_json(account: str, call: Call) -> dict[str, Any]:
    started, ended = call.answered_at, call.ended_at
    duration = str(round(ended - started)) if started is not None and ended is not None else (
        "0" if call.ended else None)
    return _call_record(
        account, call.sid, parent_call_sid=None, to=call.called, **{"from": call.caller},
        status=rest_status(call), direction=_DIRECTIONS[call.direction],
        date_created=_date(call.created_at), date_updated=_date(call.ended_at or call.created_at),
        start_time=_date(started), end_time=_date(ended), duration=duration)


def leg_json(account: str, call: Call, leg: Leg) -> dict[str, Any]:
    """A ``<Dial>`` leg: a child call of its own, ``outbound-dial``."""
    status = CallStatus.BUSY if leg.status is CallStatus.REJECTED else leg.status
    return _call_record(
        account, leg.sid, parent_call_sid=call.sid, to=leg.to, **{"from": call.caller},
        status=status, direction="outbound-dial", date_created=_date(call.created_at),
        date_updated=_date(call.created_at), start_time=None, end_time=None, duration=None)


def conference_json(account: str, room: Room) -> dict[str, Any]:
    uri = f"{ACCOUNTS}/{account}/Conferences/{room.sid}"
    return {
        "sid": room.sid, "account_sid": account, "api_version": API_VERSION,
        "friendly_name": room.friendly_name, "region": "us1", "status": room.status,
        "date_created": _date(room.created_at), "date_updated": _date(room.updated_at),
        "reason_conference_ended": room.reason_ended,
        "call_sid_ending_conference": room.call_sid_ending, "uri": uri + ".json",
        "subresource_uris": {"participants": f"{uri}/Participants.json",
                             "recordings": f"{uri}/Recordings.json"},
    }


def participant_json(account: str, participant: Participant) -> dict[str, Any]:
    conference = participant.conference_sid
    return {
        "account_sid": account, "call_sid": participant.call_sid, "label": participant.label,
        "call_sid_to_coach": participant.call_sid_to_coach, "coaching": participant.coaching,
        "conference_sid": conference, "date_created": _date(participant.created_at),
        "date_updated": _date(participant.updated_at),
        "end_conference_on_exit": participant.end_on_exit, "muted": participant.muted,
        "hold": participant.hold, "start_conference_on_enter": participant.options.start_on_enter,
        "status": participant.status, "queue_time": None,
        "uri": f"{ACCOUNTS}/{account}/Conferences/{conference}/Participants/"
               f"{participant.call_sid}.json",
    }


def message_json(account: str, call_sid: str, sid: str, created: float) -> dict[str, Any]:
    """A UserDefinedMessage, as Twilio answers its creation."""
    return {"account_sid": account, "call_sid": call_sid, "sid": sid,
            "date_created": twilio_date(created)}


def page_link(path: str, filters: dict[str, str], *, page_size: int, number: int) -> str:
    """``path`` with the query of page ``number``, its filters kept (the 2010 and v1 APIs)."""
    query: dict[str, Any] = {**filters, "PageSize": page_size, "Page": number}
    if number:
        query["PageToken"] = f"PA{number}"
    return f"{path}?{urlencode(query)}"


def page(records: list[dict[str, Any]], key: str, path: str, filters: dict[str, str],
         *, page_number: int, page_size: int) -> dict[str, Any]:
    """One page of ``records`` in the 2010 envelope; its URIs keep the filters."""
    def uri(number: int) -> str:
        return page_link(path, filters, page_size=page_size, number=number)

    start = page_number * page_size
    chunk = records[start:start + page_size]
    more = start + page_size < len(records)
    return {
        key: chunk, "page": page_number, "page_size": page_size, "start": start,
        "end": start + max(len(chunk) - 1, 0), "uri": uri(page_number),
        "first_page_uri": uri(0),
        "previous_page_uri": uri(page_number - 1) if page_number > 0 else None,
        "next_page_uri": uri(page_number + 1) if more else None,
    }


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))
