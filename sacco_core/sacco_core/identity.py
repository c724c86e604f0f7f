"""Identity documents, KRA PINs and age rules for SACCO members.

Conventions: identity numbers are stored normalised (surrounding and internal whitespace
removed, letters upper-cased). ID types are the strings in ``ID_TYPES``.
"""

import re
from datetime import date

from sacco_core.exceptions import InvalidIdentity

NATIONAL_ID = "national_id"
PASSPORT = "passport"
ALIEN_ID = "alien_id"
REGISTRATION = "registration"
ID_TYPES = (NATIONAL_ID, PASSPORT, ALIEN_ID, REGISTRATION)

# id_type -> (pattern of the normalised value, document name, rule shown in error messages)
_ID_RULES: dict[str, tuple[re.Pattern[str], str, str]] = {
    NATIONAL_ID: (
        re.compile(r"[1-9][0-9]{5,8}"),
        "national ID number",
        "6 to 9 digits, not starting with 0",
    ),
    # Kenyan passports are letters then digits ("A1234567", "AK0123456"); foreign ones are
    # 7 to 9 letters and digits with at least one digit.
    PASSPORT: (
        re.compile(r"[A-Z]{1,2}[0-9]{6,8}|(?=[A-Z0-9]*[0-9])[A-Z0-9]{7,9}"),
        "passport number",
        "1 or 2 letters and 6 to 8 digits, or 7 to 9 letters and digits",
    ),
    ALIEN_ID: (re.compile(r"[0-9]{6,9}"), "alien ID number", "6 to 9 digits"),
    REGISTRATION: (
        re.compile(r"(?=.*[A-Z0-9])[A-Z0-9/-]{3,30}"),
        "registration number",
        "3 to 30 letters, digits, '/' or '-'",
    ),
}
_KRA_PIN = re.compile(r"[AP][0-9]{9}[A-Z]")


def normalize_identity(id_type: str, value: str) -> str:
    """Return the normalised identity number ``value`` of type ``id_type``.

    Whitespace (also inside the value) is removed and letters upper-cased, then:
    ``national_id`` is 6 to 9 digits without a leading zero; ``passport`` is 1-2 letters
    followed by 6-8 digits (Kenyan style), or 7-9 letters/digits with at least one digit
    (foreign passports); ``alien_id`` is 6 to 9 digits; ``registration`` (group or company
    certificate) is 3 to 30 letters, digits, '/' or '-' with at least one letter or digit.
    """
    if id_type not in _ID_RULES:
        raise InvalidIdentity(f"Unknown identity document type '{id_type}'.")
    pattern, name, rule = _ID_RULES[id_type]
    normalized = _squash(value)
    if not normalized:
        raise InvalidIdentity(f"The {name} is required.")
    if not pattern.fullmatch(normalized):
        raise InvalidIdentity(f"'{value.strip()}' is not a valid {name} ({rule}).")
    return normalized


def normalize_kra_pin(value: str) -> str:
    """Return the upper-cased KRA PIN: 'A' (individual) or 'P' (non-individual),
    9 digits and a check letter, e.g. ``"A012345678Z"``.
    """
    normalized = _squash(value)
    if not normalized:
        raise InvalidIdentity("The KRA PIN is required.")
    if not _KRA_PIN.fullmatch(normalized):
        raise InvalidIdentity(
            f"'{value.strip()}' is not a valid KRA PIN "
            "(A or P, 9 digits and a letter, e.g. A012345678Z)."
        )
    return normalized


def age_on(date_of_birth: date, on: date) -> int:
    """Return the completed years of age on the day ``on``.

    Someone born on 29 February becomes a year older on 1 March in non-leap years.
    A date of birth after ``on`` raises ``InvalidIdentity`` ("in the future" is relative
    to ``on``).
    """
    if date_of_birth > on:
        raise InvalidIdentity(f"Date of birth ({date_of_birth.isoformat()}) is in the future.")
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday


def check_minimum_age(date_of_birth: date, on: date, minimum: int) -> None:
    """Raise ``InvalidIdentity`` unless the member is at least ``minimum`` years old on ``on``."""
    age = age_on(date_of_birth, on)
    if age < minimum:
        raise InvalidIdentity(f"Member must be at least {minimum} years old (is {age}).")


def _squash(value: str) -> str:
    """Remove all whitespace and upper-case; a missing value becomes ''."""
    return "".join(value.split()).upper() if isinstance(value, str) else ""
