"""Money amounts as ``Decimal`` with two decimal places (Kenyan shillings and cents).

Conventions: amounts are never floats inside this package; a float input is converted
through ``str(value)`` so ``0.1`` becomes ``Decimal("0.1")`` and not its binary expansion.
"""

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from sacco_core.exceptions import SaccoRuleError

CENT = Decimal("0.01")


def to_money(value: str | int | float | Decimal, *, strict: bool = True) -> Decimal:
    """Return ``value`` as a ``Decimal`` quantized to 2 decimal places.

    With ``strict=True`` a value that needs rounding (more than 2 significant decimal
    places, e.g. ``"10.505"``) is refused; trailing zeros do not count (``"10.500"`` is
    accepted). With ``strict=False`` it is rounded half-to-even (banker's rounding).
    Non-finite values, booleans and unparseable strings are always refused.
    """
    amount = _to_decimal(value)
    try:
        rounded = amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        raise SaccoRuleError(f"Amount '{value}' is too large.") from None
    if strict and rounded != amount:
        raise SaccoRuleError(f"Amount '{value}' has more than 2 decimal places.")
    # Unary plus applies the context, turning -0.00 into 0.00.
    return +rounded


def require_positive(amount: Decimal, what: str = "Amount") -> Decimal:
    """Return ``amount`` unchanged if it is a finite ``Decimal`` greater than zero.

    ``what`` names the amount in the message, e.g. "Loan amount must be greater than zero.".
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(amount).__name__}.")
    if not amount.is_finite():
        raise SaccoRuleError(f"{what} must be a finite number.")
    if amount <= 0:
        raise SaccoRuleError(f"{what} must be greater than zero.")
    return amount


def _to_decimal(value: str | int | float | Decimal) -> Decimal:
    """Convert to an exact, finite ``Decimal``, raising ``SaccoRuleError`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise SaccoRuleError(f"'{value}' is not a valid amount.")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise SaccoRuleError(f"'{value}' is not a valid amount.") from None
    if not amount.is_finite():
        raise SaccoRuleError(f"Amount '{value}' must be a finite number.")
    return amount
