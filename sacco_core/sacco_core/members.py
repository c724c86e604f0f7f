"""Member numbers and share allocations.

Conventions: a member number template is a ``str.format`` template whose only
placeholders are ``{prefix}`` (str), ``{seq}`` (int, e.g. ``{seq:05d}``) and ``{year}``
(int). ``{seq}`` is mandatory because it is what makes member numbers unique.
"""

from collections.abc import Iterable
from decimal import Decimal
from string import Formatter

from sacco_core.exceptions import InvalidTemplate, SaccoRuleError
from sacco_core.money import to_money

DEFAULT_MEMBER_NUMBER_TEMPLATE = "{prefix}{seq:05d}"
_PLACEHOLDERS = frozenset({"prefix", "seq", "year"})
_HUNDRED = Decimal(100)


def format_member_number(template: str, *, prefix: str, seq: int, year: int) -> str:
    """Return the member number for sequence value ``seq``, e.g. ``"MBR00042"``.

    The template is validated first (see ``validate_member_number_template``). ``prefix``
    must be a str (pass ``""`` rather than Odoo's ``False``), ``seq`` a non-negative int and
    ``year`` an int. The result is whitespace-stripped and never empty.
    """
    _check_fields(template)
    _check_values(prefix, seq, year)
    try:
        number = template.format(prefix=prefix, seq=seq, year=year).strip()
    except ValueError as error:
        raise InvalidTemplate(f"Member number template '{template}' is invalid: {error}.") from None
    if not number:
        raise InvalidTemplate(f"Member number template '{template}' gives an empty number.")
    return number


def validate_member_number_template(template: str) -> str:
    """Return ``template`` unchanged if it can format member numbers, else raise
    ``InvalidTemplate`` (unknown, positional or missing ``{seq}`` placeholders, bad
    format specs such as ``{prefix:d}``, unbalanced braces).
    """
    format_member_number(template, prefix="M", seq=1, year=2000)
    return template


def allocation_total_is_complete(percentages: Iterable[Decimal | float | str]) -> bool:
    """True when the percentages, each rounded to 2 decimal places, add up to exactly 100.

    Floats are read through ``str`` (so ``33.33`` is exactly 33.33); each share is rounded
    half-to-even like a 2-digit Odoo field stores it. Signs are not checked here.
    """
    shares = (to_money(percentage, strict=False) for percentage in percentages)
    return sum(shares, Decimal(0)) == _HUNDRED


def _check_fields(template: str) -> None:
    """Raise ``InvalidTemplate`` unless the template's fields are allowed and include seq."""
    if not isinstance(template, str):
        raise InvalidTemplate("A member number template is required.")
    try:
        parsed = [
            (field, spec) for _, field, spec, _ in Formatter().parse(template) if field is not None
        ]
    except ValueError as error:
        raise InvalidTemplate(f"Member number template '{template}' is invalid: {error}.") from None
    for field, spec in parsed:
        if field == "" or field.isdigit():
            raise InvalidTemplate(
                f"Member number template '{template}' uses a positional placeholder; "
                "use {prefix}, {seq} and {year}."
            )
        if field not in _PLACEHOLDERS:
            raise InvalidTemplate(
                f"Member number template '{template}' uses unknown placeholder '{{{field}}}'; "
                "use {prefix}, {seq} and {year}."
            )
        if "{" in spec:
            raise InvalidTemplate(
                f"Member number template '{template}' nests a placeholder in a format spec."
            )
    if "seq" not in (field for field, _ in parsed):
        raise InvalidTemplate(
            f"Member number template '{template}' must contain {{seq}} to keep numbers unique."
        )


def _check_values(prefix: str, seq: int, year: int) -> None:
    """Refuse values of the wrong type, which would silently format (e.g. "False00001")."""
    if not isinstance(prefix, str):
        raise SaccoRuleError(f"Member number prefix must be text, not {prefix!r}.")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise SaccoRuleError(f"Member sequence number must be a non-negative integer, not {seq!r}.")
    if isinstance(year, bool) or not isinstance(year, int):
        raise SaccoRuleError(f"Member number year must be an integer, not {year!r}.")
