"""Loan repayment schedules: due date, principal, interest and balance of each installment.

Conventions (those of common core-banking systems):

* ``annual_rate`` is a percentage per year (1 % a month is ``Decimal("12")``). The period
  rate is the annual rate over the periods in a year (12 monthly, 26 fortnightly, 52
  weekly) and is never rounded; ``daily_reducing`` uses the annual rate over 365 per day.
* Every amount is rounded to cents, and level (annuity and flat) installments to
  ``installment_multiple`` (a multiple of 0.01), both with the chosen ``rounding``:
  ``"half_even"`` (banker's rounding) or ``"half_up"`` (halves away from zero).
* An installment's principal is never below zero nor above the balance outstanding, and
  the last installment repays the whole remaining balance, so principal sums exactly to
  the loan. A coarse ``installment_multiple`` thus moves its rounding difference to the
  last installment; it never makes the balance grow.
* Division to the cent: whenever a per-installment amount is an amount divided over
  installments (the equal-principal share ``P/n``, the level flat and rule-of-78
  installment ``(P + I)/n``, flat interest ``P*r``, the sum-of-digits shares, deferred
  interest ``D/(n-g)``), each part is *rounded* to cents with the loan's ``rounding`` mode
  (never truncated), never takes more than what is left of the amount, and the last
  installment absorbs the remainder, up or down, so the parts are never negative and add
  up exactly. 1,000 over 6 months of equal principal is 166.67 five times, then 166.65.
* Due dates: monthly on the first due date's day of the month, clamped to the last day
  of shorter months and computed from the first due date each time (31 Jan, 29 Feb,
  31 Mar); fortnightly every 14 days; weekly every 7 days. Without ``first_due_on`` the
  first installment is due one period after disbursement.
* An irregular first period (``first_due_on`` not one period after disbursement) is a
  broken period: on the balance-based methods (annuity, equal principal, interest only,
  and the interest-only installments of a principal grace) its interest is the period
  rate pro-rated by its actual days over the days of a regular period ending on the first
  due date (``r * actual / regular``, rounded to cents); the level installment stays the
  one of ``n`` regular periods, so the last installment absorbs the difference. Daily
  reducing loans always charge actual days. Flat and rule-of-78 interest is a charge per
  installment agreed up front (``P*r*n``), whatever the length of the first period.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypeVar

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import CENT, require_positive

_T = TypeVar("_T")

_ZERO = Decimal("0.00")
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_DAYS_PER_YEAR = Decimal(365)
_PERIODS_PER_YEAR = {"monthly": 12, "fortnightly": 26, "weekly": 52}
_STEP_DAYS = {"fortnightly": 14, "weekly": 7}
_ROUNDING = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP}
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# (principal, interest) of each installment.
_Rows = list[tuple[Decimal, Decimal]]


@dataclass(frozen=True, slots=True)
class _Terms:
    """What a repayment method needs besides the principal and each period's rate."""

    period_rate: Decimal
    multiple: Decimal
    mode: str


@dataclass(frozen=True, slots=True)
class Installment:
    """One installment: amounts in cents; ``balance`` is the principal still outstanding
    once this installment is paid, and ``total`` is ``principal + interest``.
    """

    number: int
    due_on: date
    principal: Decimal
    interest: Decimal
    total: Decimal
    balance: Decimal


def build_schedule(
    principal: Decimal,
    annual_rate: Decimal,
    installments: int,
    frequency: str,
    method: str,
    disbursed_on: date,
    first_due_on: date | None = None,
    principal_grace: int = 0,
    interest_grace: int = 0,
    installment_multiple: Decimal = CENT,
    rounding: str = "half_even",
) -> list[Installment]:
    """Return the repayment schedule of a loan, installments numbered from 1.

    ``r`` is the period rate; interest "on the balance" is ``balance * r`` in cents.

    * ``annuity``: level installment ``P*r / (1 - (1+r)**-n)`` (``P/n`` at 0 %) rounded to
      the multiple; interest on the balance, principal is the installment less interest;
      the last installment repays the rest of the balance with its interest (it absorbs
      the rounding of the level installment and any broken first period).
    * ``daily_reducing``: the annuity installment, but interest on the balance for the
      actual days since the previous due date (or disbursement) at the annual rate / 365.
    * ``equal_principal``: principal ``P/n`` rounded to cents with ``rounding``, the last
      installment taking the remainder (1,000 / 6: 166.67 x 5, then 166.65); interest on
      the declining balance.
    * ``interest_only``: interest on the balance each period, all principal in the last.
    * ``flat``: interest ``P*r`` rounded to cents each period, the last taking the
      remainder of the total ``P*r*n`` (rounded to cents); level installment
      ``(P + total interest) / n`` rounded to the multiple, its principal being the
      installment less the interest, the last repaying the rest of the balance.
    * ``rule_of_78``: the flat total interest and level installment, the interest of
      installment ``k`` being ``total * (n-k+1) / (n(n+1)/2)`` (sum of the digits) rounded
      to cents, the last taking the remainder of the total.

    ``principal_grace`` = ``g``: the first ``g`` installments pay interest on the whole loan
    only, then the method amortises the loan over the other ``n - g`` installments (as a
    loan of ``n - g`` installments). ``interest_grace`` = ``g``: the interest of the first
    ``g`` installments is deferred, not waived: they collect no interest and the deferred
    total ``D`` is added evenly to the other ``n - g`` installments (``D / (n-g)`` each,
    rounded to cents with ``rounding``, the last taking the remainder), with no interest
    charged on it. Principals, and the total interest, are the same as without deferral.

    Raises ``SaccoRuleError`` for invalid terms and ``TypeError`` for wrongly typed ones.
    """
    mode = _check_choice(rounding, _ROUNDING, "Rounding")
    periods = _check_choice(frequency, _PERIODS_PER_YEAR, "Frequency")
    amortise = _check_choice(method, _METHODS, "Repayment method")
    principal = _check_cents(principal, "Loan amount")
    multiple = _check_cents(installment_multiple, "Installment multiple")
    _check_rate(annual_rate)
    _check_count(installments, "Number of installments", 1, None)
    _check_count(principal_grace, "Principal grace", 0, installments)
    _check_count(interest_grace, "Interest grace", 0, installments)
    due_dates = _due_dates(disbursed_on, first_due_on, frequency, installments)
    period_rate = annual_rate / _HUNDRED / periods
    if method == "daily_reducing":
        rates = _daily_rates(annual_rate, disbursed_on, due_dates)
    else:
        rates = [_first_period_rate(period_rate, disbursed_on, due_dates[0], frequency)]
        rates += [period_rate] * (installments - 1)
    terms = _Terms(period_rate, multiple, mode)
    rows = [(_ZERO, _cents(principal * rate, mode)) for rate in rates[:principal_grace]]
    rows += amortise(principal, rates[principal_grace:], terms)
    interests = _defer([interest for _, interest in rows], interest_grace, mode)
    return _installments(principal, due_dates, [p for p, _ in rows], interests)


def _annuity(principal: Decimal, rates: list[Decimal], terms: _Terms) -> _Rows:
    """Level installment from the period rate; interest at ``rates`` on the balance."""
    installment = _to_multiple(_annuity_level(principal, len(rates), terms.period_rate), terms)
    rows, balance = [], principal
    for period_rate in rates[:-1]:
        interest = _cents(balance * period_rate, terms.mode)
        repaid = min(max(installment - interest, _ZERO), balance)
        rows.append((repaid, interest))
        balance -= repaid
    rows.append((balance, _cents(balance * rates[-1], terms.mode)))
    return rows


def _annuity_level(principal: Decimal, count: int, rate: Decimal) -> Decimal:
    """``P*r / (1 - (1+r)**-n)``, computed as ``P*r*g / (g-1)`` with ``g = (1+r)**n``, or
    ``P/n`` when ``g`` is 1 (a 0 % rate, or one too small to show at Decimal precision).
    """
    growth = (_ONE + rate) ** count
    if growth == _ONE:
        return principal / count
    return principal * rate * growth / (growth - _ONE)


def _equal_principal(principal: Decimal, rates: list[Decimal], terms: _Terms) -> _Rows:
    """Principal ``P/n`` rounded to cents, the last installment taking the remainder;
    interest on the declining balance."""
    repaid = _split(principal, [principal / len(rates)] * (len(rates) - 1), terms.mode)
    return _declining(principal, repaid, rates, terms.mode)


def _interest_only(principal: Decimal, rates: list[Decimal], terms: _Terms) -> _Rows:
    """Interest on the balance each period, the whole principal in the last one."""
    repaid = [_ZERO] * (len(rates) - 1) + [principal]
    return _declining(principal, repaid, rates, terms.mode)


def _flat(principal: Decimal, rates: list[Decimal], terms: _Terms) -> _Rows:
    """Interest ``P*r`` each period, the last taking the remainder of ``P*r*n``."""
    count, rate = len(rates), terms.period_rate
    total = _cents(principal * rate * count, terms.mode)
    interests = _split(total, [principal * rate] * (count - 1), terms.mode)
    return _level(principal, total, interests, terms)


def _rule_of_78(principal: Decimal, rates: list[Decimal], terms: _Terms) -> _Rows:
    """Flat total interest ``P*r*n`` recognised by the sum of the digits."""
    count = len(rates)
    total = _cents(principal * terms.period_rate * count, terms.mode)
    digits = count * (count + 1) // 2
    weights = [total * (count - k) / digits for k in range(count - 1)]
    return _level(principal, total, _split(total, weights, terms.mode), terms)


_METHODS: dict[str, Callable[[Decimal, list[Decimal], _Terms], _Rows]] = {
    "flat": _flat,
    "annuity": _annuity,
    "equal_principal": _equal_principal,
    "interest_only": _interest_only,
    "daily_reducing": _annuity,
    "rule_of_78": _rule_of_78,
}


def _declining(balance: Decimal, repaid: list[Decimal], rates: list[Decimal], mode: str) -> _Rows:
    """_Rows repaying ``repaid`` principal, with interest on the balance before each one."""
    rows = []
    for principal, rate in zip(repaid, rates, strict=True):
        rows.append((principal, _cents(balance * rate, mode)))
        balance -= principal
    return rows


def _level(balance: Decimal, total: Decimal, interests: list[Decimal], terms: _Terms) -> _Rows:
    """Level installment ``(balance + total) / n`` rounded to the multiple; the principal of
    each is the installment less its interest, the last repaying the rest of the balance.
    """
    installment = _to_multiple((balance + total) / len(interests), terms)
    rows = []
    for interest in interests[:-1]:
        repaid = min(max(installment - interest, _ZERO), balance)
        rows.append((repaid, interest))
        balance -= repaid
    rows.append((balance, interests[-1]))
    return rows


def _split(total: Decimal, leading: list[Decimal], mode: str) -> list[Decimal]:
    """``total`` in parts: the ``leading`` amounts in cents, each capped at what is left of
    ``total``, then the remainder as the last part.
    """
    parts, left = [], total
    for amount in leading:
        part = min(_cents(amount, mode), left)
        parts.append(part)
        left -= part
    parts.append(left)
    return parts


def _defer(interests: list[Decimal], grace: int, mode: str) -> list[Decimal]:
    """Move the interest of the first ``grace`` installments evenly onto the others."""
    if not grace:
        return interests
    deferred = sum(interests[:grace], _ZERO)
    count = len(interests) - grace
    shares = _split(deferred, [deferred / count] * (count - 1), mode)
    return [_ZERO] * grace + [a + b for a, b in zip(interests[grace:], shares, strict=True)]


def _installments(
    balance: Decimal, due_dates: list[date], repaid: list[Decimal], interests: list[Decimal]
) -> list[Installment]:
    """Number the rows and carry the balance down."""
    schedule = []
    for number, (due_on, principal, interest) in enumerate(
        zip(due_dates, repaid, interests, strict=True), start=1
    ):
        balance -= principal
        schedule.append(
            Installment(number, due_on, principal, interest, principal + interest, balance)
        )
    return schedule


def _due_dates(
    disbursed_on: date, first_due_on: date | None, frequency: str, count: int
) -> list[date]:
    """The ``count`` due dates, checking the first is after disbursement."""
    if not isinstance(disbursed_on, date):
        raise TypeError(f"Disbursement date must be a date, not {type(disbursed_on).__name__}.")
    if first_due_on is None:
        first_due_on = _next_due(disbursed_on, frequency, 1)
    elif not isinstance(first_due_on, date):
        raise TypeError(f"First due date must be a date, not {type(first_due_on).__name__}.")
    if first_due_on <= disbursed_on:
        raise SaccoRuleError(
            f"First due date {first_due_on} must be after the disbursement date {disbursed_on}."
        )
    return [_next_due(first_due_on, frequency, k) for k in range(count)]


def _next_due(anchor: date, frequency: str, periods: int) -> date:
    """The date ``periods`` periods after ``anchor``."""
    if frequency in _STEP_DAYS:
        return anchor + timedelta(days=_STEP_DAYS[frequency] * periods)
    year, month = divmod(anchor.month - 1 + periods, 12)
    year += anchor.year
    last_day = _MONTH_DAYS[month]
    if month == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last_day = 29
    return date(year, month + 1, min(anchor.day, last_day))


def _first_period_rate(
    period_rate: Decimal, disbursed_on: date, first_due_on: date, frequency: str
) -> Decimal:
    """The rate of the first period: ``period_rate`` pro-rated by its actual days over those
    of a regular period ending on the first due date (the rate itself when it is regular)."""
    if first_due_on == _next_due(disbursed_on, frequency, 1):
        return period_rate
    regular = (first_due_on - _next_due(first_due_on, frequency, -1)).days
    return period_rate * (first_due_on - disbursed_on).days / regular


def _daily_rates(annual_rate: Decimal, disbursed_on: date, due_dates: list[date]) -> list[Decimal]:
    """Rate of each period for its actual days: annual rate / 365 per day."""
    daily = annual_rate / _HUNDRED / _DAYS_PER_YEAR
    starts = [disbursed_on, *due_dates[:-1]]
    return [daily * (end - start).days for start, end in zip(starts, due_dates, strict=True)]


def _to_multiple(amount: Decimal, terms: _Terms) -> Decimal:
    """``amount`` rounded to the installment multiple (itself a whole number of cents)."""
    steps = (amount / terms.multiple).quantize(_ONE, rounding=terms.mode)
    return (steps * terms.multiple).quantize(CENT)


def _cents(amount: Decimal, mode: str) -> Decimal:
    """``amount`` rounded to cents."""
    return amount.quantize(CENT, rounding=mode)


def _check_choice(value: str, choices: dict[str, _T], what: str) -> _T:
    """The ``choices`` entry for ``value``, or ``SaccoRuleError`` naming the valid ones."""
    if not isinstance(value, str) or value not in choices:
        raise SaccoRuleError(f"{what} '{value}' is not one of: {', '.join(choices)}.")
    return choices[value]


def _check_cents(amount: Decimal, what: str) -> Decimal:
    """``amount`` as a positive ``Decimal`` with 2 decimal places, or ``SaccoRuleError``."""
    require_positive(amount, what)
    try:
        cents = amount.quantize(CENT)
    except InvalidOperation:
        raise SaccoRuleError(f"{what} {amount} is too large.") from None
    if cents != amount:
        raise SaccoRuleError(f"{what} {amount} has more than 2 decimal places.")
    return cents


def _check_rate(annual_rate: Decimal) -> None:
    """Raise unless the annual rate is a finite ``Decimal`` of 0 or more."""
    if not isinstance(annual_rate, Decimal):
        kind = type(annual_rate).__name__
        raise TypeError(f"Annual interest rate must be a Decimal, not {kind}.")
    if not annual_rate.is_finite() or annual_rate < 0:
        raise SaccoRuleError(f"Annual interest rate {annual_rate} must be 0 % or more.")


def _check_count(value: int, what: str, low: int, below: int | None) -> None:
    """Raise unless ``value`` is an int, at least ``low`` and (if given) below ``below``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a whole number, not {type(value).__name__}.")
    if value < low:
        raise SaccoRuleError(f"{what} must be {low} or more, not {value}.")
    if below is not None and value >= below:
        raise SaccoRuleError(
            f"{what} must be less than the number of installments ({below}), not {value}."
        )
