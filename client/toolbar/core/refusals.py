"""The outbound policy's refusals, as the toolbar tells them: Fusion's errorCode for each.

Browser-free. The token service's ``POST /dial-check`` answers 403 with one of these codes
(server/outbound_policy.py decides; README, "The token service", lists them); the agent reads
the sentence ``dial-refused.<code>`` (toolbar/core/messages.py) and Fusion gets
outboundCommError with the errorCode below, then closeCommEvent REJECT.

Public names: FUSION_ERROR_CODES, fusion_error_code.
"""

FUSION_ERROR_CODES = {
    "invalid_number": "INVALID_NUMBER",
    "not_an_agent": "INVALID_NUMBER",
    "denied_prefix": "NUMBER_NOT_ALLOWED",
    "international_network": "NUMBER_NOT_ALLOWED",
    "premium_rate": "NUMBER_NOT_ALLOWED",
    "shared_cost": "NUMBER_NOT_ALLOWED",
    "personal_number": "NUMBER_NOT_ALLOWED",
    "country_not_allowed": "COUNTRY_NOT_ALLOWED",
}


def fusion_error_code(refusal: str) -> str:
    """outboundCommError's errorCode for the service's refusal code ``refusal``.

    Raises:
        KeyError: for a code the toolbar does not know (read_dial_check lets none through).
    """
    return FUSION_ERROR_CODES[refusal]
