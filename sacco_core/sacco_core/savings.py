"""Savings rules: deposit interest, fixed-deposit maturity, charges, year-end interest,
dividends and withholding tax.

Conventions: rates are annual percentages (``Decimal("10")`` is 10 % a year) and amounts
are ``Decimal`` shillings. Unrounded values are computed in a local decimal context of
``PRECISION`` significant digits, whatever the caller's context. Money results are rounded
once, at the end, to cents: interest, dividends and penalties half-to-even (like
``money.to_money``), taxes half-up (see ``excise_duty``). A negative balance earns nothing:
it counts as zero wherever a balance earns interest or dividends.
"""

import calendar
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import CENT, require_positive, to_money

PRECISION = 34
DAYS_IN_YEAR = (365, 360)

DAILY_BALANCE = "daily_balance"
MINIMUM_MONTHLY_BALANCE = "minimum_monthly_balance"
AVERAGE_DAILY_BALANCE = "average_daily_balance"
INTEREST_METHODS = (DAILY_BALANCE, MINIMUM_MONTHLY_BALANCE, AVERAGE_DAILY_BALANCE)

# Compounding mode -> compounding periods a year; None is simple interest.
_PERIODS_PER_YEAR: dict[str, int | None] = {
    "monthly": 12,
    "quarterly": 4,
    "semi_annually": 2,
    "annually": 1,
    "simple": None,
}
COMPOUNDING_MODES = tuple(_PERIODS_PER_YEAR)

_ONE_DAY = timedelta(days=1)
_ZERO = Decimal(0)
_MONTHS_IN_YEAR = 12


@dataclass(frozen=True)
class BalanceChange:
    """The account balance at the end of day ``on``, after its last movement that day."""

    on: date
    balance: Decimal


@dataclass(frozen=True)
class ChargeTier:
    """A withdrawal charge for amounts up to and including ``up_to`` (None: no upper bound)."""

    up_to: Decimal | None
    charge: Decimal


def daily_interest(balance: Decimal, annual_rate: Decimal, days_in_year: int = 365) -> Decimal:
    """One day's interest on ``balance``: ``balance * annual_rate / 100 / days_in_year``.

    Unrounded (``PRECISION`` digits). ``days_in_year`` is 365 (actual/365 fixed: 29 February
    earns a 366th day's interest in a leap year) or 360; anything else raises
    ``SaccoRuleError``. A negative balance earns 0.
    """
    _check_days_in_year(days_in_year)
    _non_negative(annual_rate, "Interest rate")
    with _context():
        return max(balance, _ZERO) * annual_rate / (100 * days_in_year)


def interest_for_period(
    opening_balance: Decimal,
    changes: Sequence[BalanceChange],
    start: date,
    end: date,
    annual_rate: Decimal,
    method: str,
    days_in_year: int = 365,
) -> Decimal:
    """Interest for the days ``start`` to ``end`` inclusive, rounded to cents half-to-even.

    ``opening_balance`` is the balance carried into ``start``; ``changes`` are the end-of-day
    balances of the days the balance changed, in strictly ascending date order, each within
    the period (else ``SaccoRuleError``). A day's end-of-day balance is that of the latest
    change on or before it, or the opening balance before the first change. Methods:

    - ``daily_balance``: the sum over the days of ``daily_interest(end-of-day balance)``.
    - ``average_daily_balance``: ``(sum of end-of-day balances / days) * rate / 100 * days /
      days_in_year``; the same amount as ``daily_balance`` up to the last cent's rounding,
      offered because statements show the average balance.
    - ``minimum_monthly_balance``: each calendar month, or part of one, in the period earns
      ``lowest * rate / 100 / 12 * its days in the period / days in the month``, where
      ``lowest`` is the least of the balance carried into it and its end-of-day balances in
      the period (so a deposit made on a month's first day earns nothing that month).
      ``days_in_year`` is only validated.
    """
    _check_days_in_year(days_in_year)
    _non_negative(annual_rate, "Interest rate")
    if method not in INTEREST_METHODS:
        raise SaccoRuleError(
            f"Unknown interest method '{method}'; use one of {', '.join(INTEREST_METHODS)}."
        )
    runs = _runs(opening_balance, changes, start, end)
    with _context():
        if method == DAILY_BALANCE:
            interest = sum(
                _days(first, last) * daily_interest(balance, annual_rate, days_in_year)
                for first, last, balance in runs
            )
        elif method == AVERAGE_DAILY_BALANCE:
            days = _days(start, end)
            total = sum(_days(first, last) * balance for first, last, balance in runs)
            interest = total / days * annual_rate / 100 * days / days_in_year
        else:
            interest = _minimum_monthly(max(opening_balance, _ZERO), runs, annual_rate)
        return _cents(interest)


def compound_maturity_value(
    principal: Decimal, annual_rate: Decimal, months: int, compounding: str
) -> Decimal:
    """Value after ``months`` of ``principal`` at ``annual_rate``, rounded to cents.

    ``compounding`` is one of ``COMPOUNDING_MODES``: ``monthly``, ``quarterly``,
    ``semi_annually`` and ``annually`` compound n = 12, 4, 2 and 1 times a year,
    ``P * (1 + r/n) ** whole periods``; months left over after the whole periods (e.g. 18
    months compounded annually) earn simple interest ``r * months / 12`` on the compounded
    amount. ``simple`` is ``P * (1 + r * months / 12)``.
    """
    _non_negative(principal, "Principal")
    _non_negative(annual_rate, "Interest rate")
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise SaccoRuleError(f"Term must be a whole number of months, not {months!r}.")
    if compounding not in _PERIODS_PER_YEAR:
        raise SaccoRuleError(
            f"Unknown compounding '{compounding}'; use one of {', '.join(COMPOUNDING_MODES)}."
        )
    per_year = _PERIODS_PER_YEAR[compounding]
    with _context():
        rate = annual_rate / 100
        if per_year is None:
            return _cents(principal * (1 + rate * months / _MONTHS_IN_YEAR))
        periods, rest = divmod(months, _MONTHS_IN_YEAR // per_year)
        compounded = principal * (1 + rate / per_year) ** periods
        return _cents(compounded * (1 + rate * rest / _MONTHS_IN_YEAR))


def early_withdrawal_penalty(interest_earned: Decimal, penalty_rate: Decimal) -> Decimal:
    """``penalty_rate`` percent (0 to 100) of ``interest_earned``, rounded to cents
    half-to-even, so the penalty never eats into the principal.
    """
    _non_negative(interest_earned, "Interest earned")
    _percentage(penalty_rate, "Penalty rate")
    with _context():
        return _cents(interest_earned * penalty_rate / 100)


def withdrawal_charge(amount: Decimal, tiers: Sequence[ChargeTier]) -> Decimal:
    """The charge of the first tier whose ``up_to`` is at least ``amount`` (greater than
    zero); 0.00 if there are no tiers.

    Tiers must have strictly ascending ``up_to`` values above zero, only the last may be
    unbounded (None), and charges must be cents of at least zero (else ``SaccoRuleError``).
    An amount above a bounded last tier raises ``SaccoRuleError``.
    """
    require_positive(amount, "Withdrawal amount")
    _check_tiers(tiers)
    if not tiers:
        return Decimal("0.00")
    for tier in tiers:
        if tier.up_to is None or amount <= tier.up_to:
            return to_money(tier.charge)
    raise SaccoRuleError(
        f"No withdrawal charge is set for {amount:,.2f}; the highest tier ends at "
        f"{tiers[-1].up_to:,.2f}."
    )


def excise_duty(charge: Decimal, rate: Decimal) -> Decimal:
    """Excise duty of ``rate`` percent (Kenya: 20 % on fees and charges) on ``charge``.

    Rounded to cents half-up, as for every tax here: it is the ordinary rounding KRA's
    returns use, so a half cent is remitted rather than lost by banker's rounding.
    """
    _non_negative(charge, "Charge")
    _non_negative(rate, "Excise duty rate")
    with _context():
        return (charge * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def month_end_pro_rata(month_end_balances: Sequence[Decimal], annual_rate: Decimal) -> Decimal:
    """Year-end deposit interest ("rebate") on month-end balances, rounded to cents.

    Convention "month-end balance earns its month": ``month_end_balances`` are the 12
    balances at the close of each month of the financial year, in order; each earns one
    month's interest, so interest = ``sum(balance_m) * annual_rate / 100 / 12``. A deposit
    made on any day of month m (1 = the first month) is in the closing balances of months
    m to 12 and earns ``13 - m`` months. Example: 1,000 deposited at the start of each month
    January to December at 12 % gives closing balances 1,000 to 12,000, summing 78,000, and
    interest 78,000 * 12 / 100 / 12 = 780.00 (January's deposit earns 120.00, December's
    10.00).
    """
    return _monthly_interest(month_end_balances, annual_rate, "month-end balances", "Interest rate")


def minimum_balance_pro_rata(
    monthly_minimum_balances: Sequence[Decimal], annual_rate: Decimal
) -> Decimal:
    """Year-end deposit interest on the lowest balance of each month, rounded to cents.

    The stricter setting: same formula as ``month_end_pro_rata`` on the 12 monthly minimum
    balances (the lowest of the balance carried into the month and its end-of-day balances,
    as in ``interest_for_period``). With the deposits of the ``month_end_pro_rata`` example
    the minima are 0 to 11,000, summing 66,000, so interest is 660.00: a deposit earns
    nothing for the month it is made in.
    """
    return _monthly_interest(
        monthly_minimum_balances, annual_rate, "monthly minimum balances", "Interest rate"
    )


def dividend_on_closing(closing_balance: Decimal, rate: Decimal) -> Decimal:
    """Dividend of ``rate`` percent on the share balance at the financial year's close."""
    _non_negative(rate, "Dividend rate")
    with _context():
        return _cents(max(closing_balance, _ZERO) * rate / 100)


def dividend_on_weighted(month_end_balances: Sequence[Decimal], rate: Decimal) -> Decimal:
    """Dividend of ``rate`` percent on the weighted share balance, rounded to cents.

    The weighted balance is the average of the 12 month-end share balances of the financial
    year, so the dividend equals ``month_end_pro_rata`` at the same rate: shares bought in
    month m earn ``(13 - m) / 12`` of a full year's dividend.
    """
    return _monthly_interest(month_end_balances, rate, "month-end share balances", "Dividend rate")


def month_end_balances(
    opening_balance: Decimal, changes: Sequence[BalanceChange], year_start: date
) -> list[Decimal]:
    """The 12 month-end balances of the financial year starting ``year_start``, for
    ``month_end_pro_rata`` and ``dividend_on_weighted``.

    ``year_start`` is the first day of a month (else ``SaccoRuleError``); the year ends the
    day before the same day a year later. ``opening_balance`` is carried into ``year_start``
    and ``changes`` are end-of-day balances as in ``interest_for_period``, within the year.
    Each month's balance is the latest end-of-day balance on or before its last day, floored
    at 0 (a negative balance earns nothing).
    """
    months = _year_months(year_start)
    runs = _runs(opening_balance, changes, year_start, months[-1][1])
    return [[balance for first, _, balance in runs if first <= last][-1] for _, last in months]


def monthly_minimum_balances(
    opening_balance: Decimal, changes: Sequence[BalanceChange], year_start: date
) -> list[Decimal]:
    """The 12 monthly minimum balances of the financial year starting ``year_start``, for
    ``minimum_balance_pro_rata``.

    Arguments as in ``month_end_balances``. A month's minimum is the least of the balance
    carried into it and its end-of-day balances, each floored at 0, so a deposit made during
    a month (even on its first day) counts from the next month.
    """
    months = _year_months(year_start)
    runs = _runs(opening_balance, changes, year_start, months[-1][1])
    carried = max(opening_balance, _ZERO)
    minima = []
    for month_first, month_last in months:
        balances = [
            balance for first, last, balance in runs if first <= month_last and last >= month_first
        ]
        minima.append(min(carried, *balances))
        carried = balances[-1]
    return minima


def withholding_tax(gross: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """Return ``(tax, net)`` for ``gross`` (cents) taxed at ``rate`` percent (0 to 100).

    Tax is rounded to cents half-up (see ``excise_duty``); net is ``gross - tax``. The
    add-on's defaults are 5 % on dividends and 15 % on deposit interest.
    """
    _non_negative(gross, "Gross amount")
    _percentage(rate, "Withholding tax rate")
    gross = to_money(gross)
    with _context():
        tax = (gross * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        return tax, gross - tax


def _context() -> AbstractContextManager[Context]:
    """A local decimal context of ``PRECISION`` digits, rounding half-to-even."""
    return localcontext(Context(prec=PRECISION, rounding=ROUND_HALF_EVEN))


def _cents(value: Decimal) -> Decimal:
    """``value`` rounded to cents half-to-even."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _non_negative(value: Decimal, what: str) -> Decimal:
    """Return ``value`` if it is a finite ``Decimal`` of at least zero."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}.")
    if not value.is_finite() or value < 0:
        raise SaccoRuleError(f"{what} must be a number of at least zero, not {value}.")
    return value


def _percentage(value: Decimal, what: str) -> Decimal:
    """Return ``value`` if it is a ``Decimal`` percentage from 0 to 100."""
    if _non_negative(value, what) > 100:
        raise SaccoRuleError(f"{what} must be at most 100 %, not {value}.")
    return value


def _check_days_in_year(days_in_year: int) -> None:
    """Refuse a day count other than 365 or 360 (an int)."""
    if isinstance(days_in_year, bool) or not isinstance(days_in_year, int):
        raise SaccoRuleError(f"Days in the year must be 365 or 360, not {days_in_year!r}.")
    if days_in_year not in DAYS_IN_YEAR:
        raise SaccoRuleError(f"Days in the year must be 365 or 360, not {days_in_year}.")


def _check_tiers(tiers: Sequence[ChargeTier]) -> None:
    """Refuse tiers that are unsorted, unbounded before the last, or have bad amounts."""
    previous = _ZERO
    for index, tier in enumerate(tiers):
        _non_negative(tier.charge, "Withdrawal charge")
        to_money(tier.charge)
        if tier.up_to is None:
            if index != len(tiers) - 1:
                raise SaccoRuleError("Only the last withdrawal charge tier may be unbounded.")
            continue
        _non_negative(tier.up_to, "Charge tier limit")
        if tier.up_to <= previous:
            raise SaccoRuleError(
                "Withdrawal charge tiers must have strictly increasing limits above zero."
            )
        previous = tier.up_to


def _runs(
    opening_balance: Decimal, changes: Sequence[BalanceChange], start: date, end: date
) -> list[tuple[date, date, Decimal]]:
    """(first day, last day, end-of-day balance floored at 0) of each stretch of the period
    with one balance, in date order.
    """
    _check_changes(changes, start, end)
    runs = []
    first, balance = start, opening_balance
    for change in changes:
        if change.on > first:
            runs.append((first, change.on - _ONE_DAY, balance))
        first, balance = change.on, change.balance
    runs.append((first, end, balance))
    return [(first, last, max(balance, _ZERO)) for first, last, balance in runs]


def _check_changes(changes: Sequence[BalanceChange], start: date, end: date) -> None:
    """Refuse an empty period, and changes outside it or not in strictly ascending order."""
    if start > end:
        raise SaccoRuleError(f"The interest period starts ({start}) after it ends ({end}).")
    previous = None
    for change in changes:
        if not start <= change.on <= end:
            raise SaccoRuleError(f"Balance change on {change.on} is outside {start} to {end}.")
        if previous is not None and change.on <= previous:
            raise SaccoRuleError(
                "Balance changes must be in ascending date order, one per day "
                f"({change.on} follows {previous})."
            )
        previous = change.on


def _minimum_monthly(
    carried: Decimal, runs: list[tuple[date, date, Decimal]], annual_rate: Decimal
) -> Decimal:
    """Unrounded ``minimum_monthly_balance`` interest (see ``interest_for_period``)."""
    interest = _ZERO
    for first, last in _months(runs[0][0], runs[-1][1]):
        balances = [balance for start, end, balance in runs if start <= last and end >= first]
        days_in_month = calendar.monthrange(first.year, first.month)[1]
        share = Decimal(_days(first, last)) / days_in_month
        interest += min(carried, *balances) * annual_rate / 100 / _MONTHS_IN_YEAR * share
        carried = balances[-1]
    return interest


def _months(start: date, end: date) -> Iterator[tuple[date, date]]:
    """(first day, last day) of each calendar month, or its part, from ``start`` to ``end``."""
    first = start
    while first <= end:
        month_end = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        last = min(month_end, end)
        yield first, last
        first = last + _ONE_DAY


def _monthly_interest(
    balances: Sequence[Decimal], annual_rate: Decimal, what: str, rate_name: str
) -> Decimal:
    """``sum(balances) * annual_rate / 100 / 12`` over exactly 12 balances (``what``), in cents."""
    _non_negative(annual_rate, rate_name)
    if len(balances) != _MONTHS_IN_YEAR:
        raise SaccoRuleError(
            f"Expected 12 {what}, one for each month of the financial year, got {len(balances)}."
        )
    with _context():
        total = sum((max(balance, _ZERO) for balance in balances), _ZERO)
        return _cents(total * annual_rate / 100 / _MONTHS_IN_YEAR)


def _year_months(year_start: date) -> list[tuple[date, date]]:
    """(first day, last day) of the 12 months of the financial year starting ``year_start``."""
    if year_start.day != 1:
        raise SaccoRuleError(
            f"A financial year starts on the first day of a month, not {year_start}."
        )
    year_end = year_start.replace(year=year_start.year + 1) - _ONE_DAY
    return list(_months(year_start, year_end))


def _days(first: date, last: date) -> int:
    """Number of days from ``first`` to ``last`` inclusive."""
    return (last - first).days + 1
