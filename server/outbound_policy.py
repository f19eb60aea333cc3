"""Whom an agent may call: the one outbound policy behind POST /voice and POST /dial-check.

The toolbar asks /dial-check first, to tell the agent why in words; /voice applies the very same
check to what Twilio asks to dial, so a script that skips the toolbar gets no further. In order,
a target is refused (docs/deploy.md, "Outbound policy", has the reasoning):

1. ``invalid_number``: neither an E.164 number nor ``client:<identity>``;
2. ``not_an_agent``: ``client:<identity>`` for an identity not in TOOLBAR_AGENTS;
3. ``denied_prefix``: a number starting with a TOOLBAR_DIAL_DENY prefix;
4. ``international_network``: a number of no country (+800, +808, +870, +881, +882, +883, +979):
   satellite and international networks, the ranges revenue-share fraud lives on;
5. ``country_not_allowed``: a number outside TOOLBAR_DIAL_COUNTRIES (default: the region of
   TWILIO_CALLER_ID). A number belongs to the region phonenumbers places it in (+1 876 is JM,
   not US); one in a range phonenumbers does not know (+1 555) to its calling code's main region;
6. ``premium_rate``, ``shared_cost``, ``personal_number``: numbers of those types, which the
   caller pays extra for or which forward anywhere.

Public names: Refusal, OutboundPolicy, NOT_DIALABLE.
"""

import dataclasses

import phonenumbers
from phonenumbers import PhoneNumberType

from server.config import Settings
from server.twilio_formats import is_e164
from server.twilio_formats import is_identity

CLIENT_PREFIX = "client:"

NOT_DIALABLE = (
    "Sorry, that number cannot be dialed. Use the international format: a plus sign, the "
    "country code and the number."
)

# The refused number types, each with its code and sentence.
_COSTLY_TYPES = {
    PhoneNumberType.PREMIUM_RATE: ("premium_rate", "premium-rate numbers"),
    PhoneNumberType.SHARED_COST: ("shared_cost", "shared-cost numbers"),
    PhoneNumberType.PERSONAL_NUMBER: ("personal_number", "personal (follow-me) numbers"),
}


@dataclasses.dataclass(frozen=True)
class Refusal:
    """Why a target may not be called: a stable code and a sentence said or shown to the agent."""

    code: str
    message: str


def _not_allowed(what: str) -> str:
    return f"Sorry, calls to {what} are not allowed."


class OutboundPolicy:
    """Decides, from one app's settings, whether an agent may call a target."""

    def __init__(self, settings: Settings) -> None:
        self._agents = frozenset(settings.agents)
        self._deny = settings.dial_deny
        self._countries = frozenset(settings.dial_countries) or {
            _region(phonenumbers.parse(settings.twilio_caller_id))
        }

    def refusal(self, target: str) -> Refusal | None:
        """Return why target (E.164 or ``client:<identity>``) may not be called, or None."""
        if target.startswith(CLIENT_PREFIX):
            return self._client_refusal(target.removeprefix(CLIENT_PREFIX))
        if not is_e164(target):
            return Refusal("invalid_number", NOT_DIALABLE)
        if target.startswith(self._deny):
            return Refusal("denied_prefix", _not_allowed("this number"))
        try:
            number = phonenumbers.parse(target)
        except phonenumbers.NumberParseException:  # a calling code no country has, such as +999
            return Refusal("invalid_number", NOT_DIALABLE)
        return self._number_refusal(number)

    def _client_refusal(self, identity: str) -> Refusal | None:
        if not is_identity(identity):
            return Refusal("invalid_number", NOT_DIALABLE)
        if identity not in self._agents:
            return Refusal("not_an_agent", "Sorry, that is not an agent of this contact centre.")
        return None

    def _number_refusal(self, number: phonenumbers.PhoneNumber) -> Refusal | None:
        region = _region(number)
        if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
            return Refusal("international_network", _not_allowed("international network numbers"))
        if not {region, f"+{number.country_code}"} & self._countries:
            return Refusal("country_not_allowed", _not_allowed("this country"))
        costly = _COSTLY_TYPES.get(phonenumbers.number_type(number))
        if costly is not None:
            return Refusal(costly[0], _not_allowed(costly[1]))
        return None


def _region(number: phonenumbers.PhoneNumber) -> str:
    """Return the region phonenumbers places number in, else its calling code's main region."""
    region = phonenumbers.region_code_for_number(number)
    return region or phonenumbers.region_code_for_country_code(number.country_code)
