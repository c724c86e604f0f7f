"""Member phone numbers: normalisation to E.164, the M-Pesa digit form, and masking.

Conventions: numbers are stored in E.164 (``"+254712345678"``); Safaricom Daraja (M-Pesa)
wants the same digits without the plus (``"254712345678"``); logs and receipts show the
masked form (``"+2547****5678"``).
"""

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from sacco_core.exceptions import InvalidPhoneNumber

_KENYA_COUNTRY_CODE = 254
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
# Kenya's own international prefix is 000, so the library does not read "00254..." there.
_DOUBLE_ZERO_PREFIX = re.compile(r"^00(?=[1-9])")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def normalize_msisdn(raw: str, region: str = "KE") -> str:
    """Return ``raw`` as an E.164 string such as ``"+254712345678"``.

    Accepts national (``"0712 345 678"``, ``"0110123456"``, ``"712345678"``) and
    international (``"+254..."``, ``"254..."``, ``"00254..."``) forms; spaces, dashes,
    dots and brackets are ignored. ``region`` is the country assumed for national forms.
    The number must be valid; a Kenyan (+254) number must moreover be a mobile number,
    because members are reached by SMS and M-Pesa. Numbers of other countries only need
    to be valid. Letters (including vanity numbers) and extensions are refused.
    """
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise InvalidPhoneNumber("A mobile number is required.")
    return _normalized(text, region)


# Gateways and callbacks bring the same members' numbers request after request.
@lru_cache(maxsize=8192)
def _normalized(text: str, region: str) -> str:
    number = _parse(text, region)
    if number is None or not _is_acceptable(number):
        raise InvalidPhoneNumber(
            f"'{text}' is not a valid mobile number (use 07XX XXX XXX, 01XX XXX XXX or +254...)."
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def to_msisdn_digits(e164: str) -> str:
    """Return the E.164 number without its plus sign, e.g. ``"254712345678"``."""
    _parse_e164(e164)
    return e164[1:]


def mask_msisdn(e164: str) -> str:
    """Hide the middle of an E.164 number, e.g. ``"+254712345678"`` -> ``"+2547****5678"``.

    The country code and the first national digit stay visible, as do the last 4 digits
    (the last 2 when the national number has fewer than 7 digits).
    """
    country_code = str(_parse_e164(e164).country_code)
    national = e164[1 + len(country_code) :]
    tail = 4 if len(national) >= 7 else 2
    hidden = "*" * (len(national) - 1 - tail)
    return f"+{country_code}{national[0]}{hidden}{national[-tail:]}"


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """Parse with the library, or return None when it cannot make sense of ``text``."""
    if any(char.isalpha() for char in text):
        return None
    try:
        return phonenumbers.parse(_DOUBLE_ZERO_PREFIX.sub("+", text), region)
    except NumberParseException:
        return None


def _is_acceptable(number: phonenumbers.PhoneNumber) -> bool:
    """Valid, without extension, and mobile when Kenyan."""
    if number.extension or not phonenumbers.is_valid_number(number):
        return False
    if number.country_code == _KENYA_COUNTRY_CODE:
        return phonenumbers.number_type(number) in _MOBILE_TYPES
    return True


def _parse_e164(e164: str) -> phonenumbers.PhoneNumber:
    """Parse an E.164 string (``+`` and 7 to 15 digits), else raise ``InvalidPhoneNumber``."""
    if not isinstance(e164, str) or not _E164.match(e164):
        raise InvalidPhoneNumber(f"'{e164}' is not an E.164 phone number (+ and 7 to 15 digits).")
    try:
        return phonenumbers.parse(e164, None)
    except NumberParseException:
        raise InvalidPhoneNumber(f"'{e164}' has an unknown country code.") from None
