"""What a loan costs the borrower: total interest, total cost and the effective annual rate.

Conventions:

* Amounts are ``Decimal`` in cents, as in :mod:`sacco_core.loans`; ``fees`` are the
  upfront fees deducted from the loan when it is disbursed (0 or more, less than the loan).
* The total cost of credit is the total interest of the schedule plus the fees.
* The effective annual rate (the APR) is the internal rate of return of the borrower's cash
  flows, as an annual effective rate: the amount received, ``principal - fees``, on the
  disbursement date, and each installment's ``total`` on its due date. The time ``t_k``
  from disbursement to due date ``k``, in years, is counted as in the EU Consumer Credit
  Directive (2008/48/EC, annex I): whole calendar months over 12 equal months a year, then
  the remaining days over 365. Whole months are counted from the disbursement date's day
  of the month, clamped to the end of shorter months (31 Jan + 1 month = 28/29 Feb), so a
  monthly installment due on that day is exactly ``k/12`` years out whatever the month
  lengths; weekly and fortnightly ones mostly count in days. The rate ``i`` solves::

      principal - fees = sum(total_k / (1 + i) ** t_k)

  It is returned as a percentage rounded half-to-even to 2 decimal places. The root is
  found by bisection (the right-hand side falls as ``i`` grows) to within 1e-10 of ``i``.
  A 12-month annuity at 12 % a year (1 % a month) without fees thus comes to
  ``1.01 ** 12 - 1`` = 12.68 %, whatever the disbursement date.
"""

from calendar import monthrange
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loans import Installment
from sacco_core.money import CENT, require_positive

_ZERO = Decimal("0.00")
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_DAYS_PER_YEAR = Decimal(365)
# The annual rate, as a fraction, above which the effective rate is refused.
_MAX_RATE = Decimal(10000)
_TOLERANCE = Decimal("1e-10")
_PRECISION = 40


def total_interest(schedule: list[Installment]) -> Decimal:
    """The sum of the installments' interest."""
    return sum((row.interest for row in schedule), _ZERO)


def total_cost(schedule: list[Installment], fees: Decimal = _ZERO) -> Decimal:
    """The total cost of credit: the schedule's total interest plus the upfront ``fees``."""
    _check_fees(fees)
    return total_interest(schedule) + fees


def effective_annual_rate(
    principal: Decimal, schedule: list[Installment], disbursed_on: date, fees: Decimal = _ZERO
) -> Decimal:
    """The effective annual rate (APR) in percent, 2 decimal places (see the module doc).

    Raises ``SaccoRuleError`` when the loan is not positive, the fees are negative or not
    less than the loan, the schedule is empty or has an installment due on or before the
    disbursement, the installments add up to less than the amount received, or the rate
    would be above 1,000,000 % a year.
    """
    require_positive(principal, "Loan amount")
    _check_fees(fees)
    if fees >= principal:
        raise SaccoRuleError(f"Fees {fees} must be less than the loan amount {principal}.")
    if not schedule:
        raise SaccoRuleError("The repayment schedule has no installments.")
    if not isinstance(disbursed_on, date):
        raise TypeError(f"Disbursement date must be a date, not {type(disbursed_on).__name__}.")
    flows = []
    for row in schedule:
        if row.due_on <= disbursed_on:
            raise SaccoRuleError(
                f"Installment {row.number} is due on {row.due_on}, not after the "
                f"disbursement date {disbursed_on}."
            )
        flows.append((_years(disbursed_on, row.due_on), row.total))
    received = principal - fees
    repaid = sum((amount for _, amount in flows), _ZERO)
    if repaid == received:
        return _ZERO
    if repaid < received:
        raise SaccoRuleError(
            f"The installments add up to {repaid}, less than the {received} received."
        )
    with localcontext() as context:
        context.prec = _PRECISION
        rate = _solve(flows, received)
    return (rate * _HUNDRED).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _years(start: date, end: date) -> Decimal:
    """Whole months from ``start`` to ``end`` over 12, plus the remaining days over 365."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months and _add_months(start, months) > end:
        months -= 1
    days = (end - _add_months(start, months)).days
    return Decimal(months) / 12 + Decimal(days) / _DAYS_PER_YEAR


def _add_months(anchor: date, months: int) -> date:
    """``anchor`` plus ``months`` months, the day clamped to the end of shorter months."""
    year, month = divmod(anchor.month - 1 + months, 12)
    year += anchor.year
    return date(year, month + 1, min(anchor.day, monthrange(year, month + 1)[1]))


def _solve(flows: list[tuple[Decimal, Decimal]], received: Decimal) -> Decimal:
    """The rate ``i`` > 0 at which the flows' present value is ``received``, by bisection.

    ``flows`` are (years after disbursement, amount) pairs adding up to more than
    ``received``, so the present value is above it at 0 and falls towards 0 as ``i`` grows.
    """

    def above(rate: Decimal) -> bool:
        log_growth = (_ONE + rate).ln()
        value = sum(amount * (-years * log_growth).exp() for years, amount in flows)
        return value > received

    if above(_MAX_RATE):
        raise SaccoRuleError("The effective annual rate is above 1,000,000 %.")
    low, high = Decimal(0), _ONE
    while above(high):
        low, high = high, high * 2
    while high - low > _TOLERANCE:
        middle = (low + high) / 2
        if above(middle):
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _check_fees(fees: Decimal) -> None:
    """Raise unless ``fees`` is a finite ``Decimal`` of 0 or more."""
    if not isinstance(fees, Decimal):
        raise TypeError(f"Fees must be a Decimal, not {type(fees).__name__}.")
    if not fees.is_finite() or fees < 0:
        raise SaccoRuleError(f"Fees {fees} must be 0 or more.")
