"""SMS templates, segment counting and retry back-off.

Conventions: templates use ``str.format`` placeholders by name only (``{member_name}``,
``{amount:,.2f}``); attribute and index access are refused so a template written by a
user can read nothing but the values it is given.
"""

from collections.abc import Mapping
from decimal import Decimal
from string import Formatter

from sacco_core.exceptions import InvalidTemplate

# GSM 03.38 default alphabet (one septet each); ESC (0x1B) is left out: it is not text.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# GSM 03.38 extension table: ESC + one septet, so two septets each.
_GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM7_SINGLE, _GSM7_PART = 160, 153
_UCS2_SINGLE, _UCS2_PART = 70, 67


def sms_amount(currency_code: str, amount: Decimal | float) -> str:
    """An amount as SMS text, e.g. "KES 1,250.00": the currency code, not a symbol, keeps
    the text in GSM-7 (one part)."""
    return f"{currency_code} {Decimal(str(amount)):,.2f}"


def render_sms(body: str, values: Mapping[str, object]) -> str:
    """Return ``body`` with its ``{name}`` placeholders filled from ``values``, stripped.

    Format specs and conversions work as in ``str.format_map``; ``{{`` and ``}}`` are
    literal braces. Raises ``InvalidTemplate`` for placeholders missing from ``values``,
    positional, attribute (``{a.b}``) or index (``{a[0]}``) placeholders, nested
    placeholders in a format spec, bad format specs and unbalanced braces.
    """
    if not isinstance(body, str):
        raise InvalidTemplate("An SMS template is required.")
    for field, spec in _fields(body):
        if not field.isidentifier():
            raise InvalidTemplate(
                f"SMS template placeholder '{{{field}}}' is not allowed; use plain names."
            )
        if field not in values:
            raise InvalidTemplate(f"SMS template uses unknown placeholder '{{{field}}}'.")
        if "{" in spec:
            raise InvalidTemplate(f"SMS template placeholder '{{{field}}}' nests a placeholder.")
    try:
        return body.format_map(values).strip()
    except (ValueError, TypeError) as error:
        raise InvalidTemplate(f"SMS template is invalid: {error}.") from None


def sms_segments(text: str) -> int:
    """Return how many SMS parts ``text`` is billed as (0 for empty text).

    Text made only of GSM 03.38 characters is GSM-7: 160 septets in one SMS, 153 per part
    when concatenated, extension characters (``^{}\\[~]|€`` and form feed) taking two.
    Anything else is UCS-2: 70 UTF-16 units alone, 67 per part, characters outside the
    BMP (emoji) taking two. A two-unit character is never split across parts.
    """
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENSION for char in text):
        costs = [2 if char in _GSM7_EXTENSION else 1 for char in text]
        return _pack(costs, _GSM7_SINGLE, _GSM7_PART)
    costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return _pack(costs, _UCS2_SINGLE, _UCS2_PART)


def retry_delay_seconds(attempt: int, *, base: int = 60, cap: int = 3600) -> int:
    """Seconds to wait before retry number ``attempt`` (1-based): ``base * 2**(attempt-1)``,
    never more than ``cap``. Raises ``ValueError`` for ``attempt < 1`` or a negative
    ``base``/``cap``.
    """
    if attempt < 1:
        raise ValueError(f"Retry attempt must be 1 or more, not {attempt}.")
    if base < 0 or cap < 0:
        raise ValueError("Retry base and cap must not be negative.")
    # Shifting by more than cap's bit length already exceeds cap; bounding the shift keeps
    # huge attempt numbers from building huge integers.
    return min(cap, base << min(attempt - 1, cap.bit_length()))


def _fields(body: str) -> list[tuple[str, str]]:
    """The (field name, format spec) pairs of the template, or ``InvalidTemplate``."""
    try:
        parsed = Formatter().parse(body)
        return [(field, spec) for _, field, spec, _ in parsed if field is not None]
    except ValueError as error:
        raise InvalidTemplate(f"SMS template is invalid: {error}.") from None


def _pack(costs: list[int], single: int, part: int) -> int:
    """Parts needed for characters of the given unit costs: one part if all fit in
    ``single`` units, else parts of ``part`` units filled greedily.
    """
    if sum(costs) <= single:
        return 1 if costs else 0
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return parts
