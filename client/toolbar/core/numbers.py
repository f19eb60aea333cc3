"""Phone numbers: the E.164 check made before anything is dialled.

Browser-free. The same rule as the token service's (server/twilio_formats.py), which the
browser cannot import.

Public names: is_e164.
"""


def is_e164(number) -> bool:
    """Whether ``number`` is E.164: "+", a non-zero digit, then 1 to 14 digits."""
    if not isinstance(number, str) or len(number) < 3 or len(number) > 16:
        return False
    digits = number[1:]
    return number[0] == "+" and digits[0] != "0" and all("0" <= d <= "9" for d in digits)
