"""Loan rules besides the schedule: eligibility, debt service, guarantee cover, repayment
allocation and the early-settlement interest and payoff.

Every amount is a ``Decimal`` in cents; percentages are ``Decimal`` percent (``"20"``).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import CENT, require_positive
from sacco_core.savings import excise_duty

_ZERO = Decimal("0.00")
_HUNDRED = Decimal(100)

COMPONENTS = ("penalty", "fee", "interest", "principal")
DEFAULT_ORDER = COMPONENTS
SETTLEMENT_RULES = ("interest_to_date", "scheduled_interest", "penalty")


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def free_deposits(deposits: Decimal, held: Decimal) -> Decimal:
    """Deposits not already pledged or held (never below zero)."""
    return max(deposits - held, _ZERO)


def loan_limit(free: Decimal, multiplier: Decimal, exposure: Decimal) -> Decimal:
    """Most a member may borrow: ``multiplier`` times their free deposits less the principal
    they already owe (their existing loan exposure), never below zero.
    """
    if multiplier <= 0:
        raise SaccoRuleError("The deposit multiplier must be greater than zero.")
    return max(_cents(free * multiplier) - exposure, _ZERO)


def keeps_one_third(basic_pay: Decimal, deductions: Decimal, installment: Decimal) -> bool:
    """Kenyan one-third rule: after every deduction, the new installment included, the
    member still takes home at least a third of their basic pay.
    """
    if basic_pay <= 0:
        raise SaccoRuleError("Basic pay must be greater than zero.")
    if deductions < 0 or installment < 0:
        raise SaccoRuleError("Deductions and installments cannot be negative.")
    # Compared as 3 * take-home >= basic pay to stay exact (no division).
    return 3 * (basic_pay - deductions - installment) >= basic_pay


def max_installment(basic_pay: Decimal, deductions: Decimal) -> Decimal:
    """The largest installment ``keeps_one_third`` accepts (cents, rounded down; zero when
    the deductions already take more than two thirds of the basic pay)."""
    if basic_pay <= 0:
        raise SaccoRuleError("Basic pay must be greater than zero.")
    room = ((2 * basic_pay - 3 * deductions) / 3).quantize(CENT, rounding=ROUND_FLOOR)
    return max(room, _ZERO)


def eligible_maximum(limit: Decimal, product_min: Decimal, product_max: Decimal) -> Decimal:
    """What a member may apply for at most: their deposit ``limit`` within the product's
    maximum, or zero when that is below the product's minimum."""
    most = min(limit, product_max)
    return most if most >= product_min else _ZERO


def largest_fitting(high: Decimal, fits: Callable[[Decimal], bool]) -> Decimal:
    """The largest whole amount up to ``high`` (``high`` itself when it fits) for which
    ``fits`` holds, zero if none; ``fits`` must hold for every amount below one that fits
    (an installment grows with the amount). Bisection: about log2(high) calls."""
    if fits(high):
        return high
    low, top = 0, int(high)
    while low < top:
        middle = (low + top + 1) // 2
        if fits(Decimal(middle)):
            low = middle
        else:
            top = middle - 1
    return Decimal(low).quantize(CENT)


def required_cover(amount: Decimal, coverage_percent: Decimal) -> Decimal:
    """The guarantee a loan of ``amount`` needs at ``coverage_percent`` (rounded up to cents)."""
    if coverage_percent < 0:
        raise SaccoRuleError("The guarantee coverage cannot be negative.")
    exact = amount * coverage_percent / _HUNDRED
    rounded = exact.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded + CENT if rounded < exact else rounded


def guarantee_shortfall(
    required: Decimal, pledges: Sequence[Decimal], self_guarantee: Decimal
) -> Decimal:
    """How much cover is still missing after the guarantors' pledges and the borrower's own
    free deposits (``self_guarantee``, zero when the product does not allow it).
    """
    if any(pledge <= 0 for pledge in pledges) or self_guarantee < 0:
        raise SaccoRuleError("Guarantee pledges must be greater than zero.")
    return max(required - sum(pledges, _ZERO) - self_guarantee, _ZERO)


@dataclass(frozen=True, slots=True)
class Due:
    """What is still owed on one installment, by component."""

    penalty: Decimal = _ZERO
    fee: Decimal = _ZERO
    interest: Decimal = _ZERO
    principal: Decimal = _ZERO

    @property
    def total(self) -> Decimal:
        return self.penalty + self.fee + self.interest + self.principal


def allocate(
    amount: Decimal, dues: Sequence[Due], order: Sequence[str] = DEFAULT_ORDER
) -> tuple[list[Due], Decimal]:
    """Split a repayment over installments, oldest first (``dues`` in that order), and within
    each installment over its components in ``order``.

    Returns what each installment receives (same length as ``dues``) and the amount left over
    once everything is paid (an overpayment); the parts and the rest add up to ``amount``.
    """
    require_positive(amount, "Repayment")
    if sorted(order) != sorted(COMPONENTS):
        raise SaccoRuleError(f"The allocation order must list {', '.join(COMPONENTS)} once each.")
    left, paid = amount, []
    for due in dues:
        parts = {}
        for component in order:
            take = min(getattr(due, component), left)
            if take < 0:
                raise SaccoRuleError("An amount due cannot be negative.")
            parts[component] = take
            left -= take
        paid.append(Due(**parts))
    return paid, left


def interest_to_date(
    period_start: date, period_end: date, period_interest: Decimal, as_of: date
) -> Decimal:
    """Interest earned by ``as_of`` on an installment accruing from ``period_start`` to its
    due date ``period_end``: by the days elapsed (all of it from the due date on, none before
    the period starts), rounded half-up to cents.
    """
    if period_end <= period_start:
        raise SaccoRuleError("An installment period must end after it starts.")
    if as_of >= period_end:
        return period_interest
    if as_of <= period_start:
        return _ZERO
    days = Decimal((as_of - period_start).days)
    return _cents(period_interest * days / Decimal((period_end - period_start).days))


@dataclass(frozen=True)
class Settlement:
    """An early-settlement payoff: what each unpaid installment receives, the settlement
    penalty fee and the excise duty on that fee."""

    parts: tuple[Due, ...]
    penalty_fee: Decimal = _ZERO
    excise: Decimal = _ZERO

    @property
    def principal(self) -> Decimal:
        return sum((part.principal for part in self.parts), _ZERO)

    @property
    def interest(self) -> Decimal:
        return sum((part.interest for part in self.parts), _ZERO)

    @property
    def charges(self) -> Decimal:
        """Penalties and fees already charged on the installments."""
        return sum((part.penalty + part.fee for part in self.parts), _ZERO)

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.charges + self.penalty_fee + self.excise


def settlement_amount(
    rule: str,
    owed: Sequence[Due],
    earned: Sequence[Decimal],
    penalty_percent: Decimal = _ZERO,
    excise_rate: Decimal = _ZERO,
) -> Settlement:
    """Payoff of a loan settled early under a product's ``rule``.

    ``owed`` is what is left on each unpaid installment (its principal, penalties, fees and
    its scheduled interest not yet paid or waived), ``earned`` the unpaid interest each has
    earned by the settlement date (see ``interest_to_date``). Every rule pays the principal
    outstanding and the penalties and fees charged; "interest_to_date" adds the interest
    earned, "scheduled_interest" all the scheduled interest left, "penalty" the interest
    earned plus a fee of ``penalty_percent`` of the principal outstanding and the excise
    duty of ``excise_rate`` percent on that fee.
    """
    if rule not in SETTLEMENT_RULES:
        raise SaccoRuleError(f"Unknown early-settlement rule '{rule}'.")
    if len(owed) != len(earned):
        raise SaccoRuleError("Each unpaid installment needs its interest earned to date.")
    if any(min(due.principal, due.penalty, due.fee) < 0 for due in owed):
        raise SaccoRuleError("An amount owed cannot be negative.")
    if any(
        not _ZERO <= interest <= due.interest for due, interest in zip(owed, earned, strict=True)
    ):
        raise SaccoRuleError("Interest earned to date must lie between zero and the interest owed.")
    if rule == "scheduled_interest":
        return Settlement(tuple(owed))
    parts = tuple(
        replace(due, interest=interest) for due, interest in zip(owed, earned, strict=True)
    )
    if rule == "interest_to_date":
        return Settlement(parts)
    if not _ZERO < penalty_percent <= _HUNDRED:
        raise SaccoRuleError(
            "The early-settlement penalty must be above 0 and at most 100 percent."
        )
    fee = _cents(sum((due.principal for due in owed), _ZERO) * penalty_percent / _HUNDRED)
    return Settlement(parts, fee, excise_duty(fee, excise_rate))
