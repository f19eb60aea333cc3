"""Demo data of the Fusion host simulator: who a number belongs to, what can be dialed.

Fusion answers every ``newCommEvent`` with a reverse lookup of the caller's number
(``SVCMCA_CONTACT_NAME`` and friends in the ``outData``), and shows phone numbers
on its pages that dial on click (``onOutgoingEvent``). The host page takes both from
``GET /sandbox/api/directory``, built here. The special numbers are the signaling
emulator's own constants, so the list follows them.

- :data:`CONTACTS`: the demo contacts the reverse lookup knows.
- :data:`DIALABLE`: the numbers the host page shows as click-to-dial links, two of which the
  outbound policy refuses.
"""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass

from sandbox.signaling.calls import BUSY_NUMBER
from sandbox.signaling.calls import NO_ANSWER_NUMBER


@dataclass(frozen=True)
class Contact:
    """A CRM contact, with the ids Fusion would send as ``SVCMCA_*`` tokens."""

    contact_id: str
    name: str
    phone: str
    account: str
    account_id: str
    job_title: str
    email: str


@dataclass(frozen=True)
class Dialable:
    """A number the agent can click; ``note`` says what the sandbox does with it."""

    number: str
    label: str
    note: str


CONTACTS = (
    Contact("300100126721684", "Virginia Kohl", "+14155550101", "Pinnacle Technologies",
            "300100126720011", "IT Director", "virginia.kohl@example.com"),
    Contact("300100126721702", "Marcus Lee", "+14155550102", "Summit Outdoor Supply",
            "300100126720029", "Purchasing Manager", "marcus.lee@example.com"),
)

# Numbers the token service's outbound policy refuses (server/outbound_policy.py): the toolbar
# asks it first (POST /api/dial-check) and tells the agent why; /voice would refuse them too.
PREMIUM_RATE_NUMBER = "+19005550100"
INTERNATIONAL_NETWORK_NUMBER = "+882134000001"

# Any E.164 number answers in the emulator, except its busy and never-answering ones.
DIALABLE = (
    Dialable("+14155550101", "Virginia Kohl", "demo contact; the callee answers"),
    Dialable("+14155550102", "Marcus Lee", "demo contact; the callee answers"),
    Dialable("+14155550199", "Unknown caller", "no contact; the callee answers"),
    Dialable(BUSY_NUMBER, "Busy line", "the callee is busy"),
    Dialable(NO_ANSWER_NUMBER, "No answer", "the callee never answers"),
    Dialable("555-CALL-NOW", "Invalid number", "not a phone number; the toolbar must refuse it"),
    Dialable(PREMIUM_RATE_NUMBER, "Premium-rate line",
             "premium-rate: the outbound policy refuses it and the toolbar says why"),
    Dialable(INTERNATIONAL_NETWORK_NUMBER, "International network",
             "+882, a number of no country: refused by the outbound policy"),
)


def directory() -> dict:
    """Return the directory as the host page reads it (JSON-ready, camelCase keys)."""
    return {
        "contacts": [_camel(asdict(contact)) for contact in CONTACTS],
        "dialable": [asdict(entry) for entry in DIALABLE],
    }


def _camel(record: dict) -> dict:
    return {_camel_key(key): value for key, value in record.items()}


def _camel_key(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)
