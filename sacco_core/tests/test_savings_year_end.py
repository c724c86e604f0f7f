from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import SaccoRuleError
from sacco_core.savings import (
    BalanceChange,
    minimum_balance_pro_rata,
    month_end_balances,
    month_end_pro_rata,
    monthly_minimum_balances,
)

D = Decimal
JAN_1 = date(2024, 1, 1)


def monthly_deposits(day):
    """1,000 deposited on ``day`` of every month of 2024 (end-of-day balances)."""
    return [BalanceChange(date(2024, month, day), D(1000 * month)) for month in range(1, 13)]


def test_month_end_balances_of_monthly_deposits():
    balances = month_end_balances(D(0), monthly_deposits(15), JAN_1)
    assert balances == [D(1000 * month) for month in range(1, 13)]
    # The worked example of month_end_pro_rata.
    assert month_end_pro_rata(balances, D(12)) == D("780.00")


def test_monthly_minima_of_monthly_deposits():
    # Even a deposit on the 1st counts from the next month.
    minima = monthly_minimum_balances(D(0), monthly_deposits(1), JAN_1)
    assert minima == [D(1000 * month) for month in range(12)]
    assert minimum_balance_pro_rata(minima, D(12)) == D("660.00")


def test_opening_balance_carries_until_the_first_change():
    changes = [BalanceChange(date(2024, 3, 10), D(500)), BalanceChange(date(2024, 3, 20), D(900))]
    assert month_end_balances(D(2000), changes, JAN_1) == [D(2000)] * 2 + [D(900)] * 10
    assert monthly_minimum_balances(D(2000), changes, JAN_1) == (
        [D(2000)] * 2 + [D(500)] + [D(900)] * 9
    )


def test_withdrawal_lowers_the_month_minimum_only_for_its_month():
    changes = [BalanceChange(date(2024, 6, 5), D(100)), BalanceChange(date(2024, 6, 6), D(1000))]
    minima = monthly_minimum_balances(D(1000), changes, JAN_1)
    assert minima[5] == D(100)
    assert minima[:5] + minima[6:] == [D(1000)] * 11


def test_financial_year_not_starting_in_january():
    start = date(2023, 7, 1)
    changes = [BalanceChange(date(2024, 6, 30), D(600))]
    assert month_end_balances(D(0), changes, start) == [D(0)] * 11 + [D(600)]
    assert monthly_minimum_balances(D(0), changes, start) == [D(0)] * 12


def test_negative_balances_are_floored():
    changes = [BalanceChange(date(2024, 2, 1), D(-50))]
    assert month_end_balances(D(-10), changes, JAN_1) == [D(0)] * 12
    assert monthly_minimum_balances(D(-10), changes, JAN_1) == [D(0)] * 12


def test_year_must_start_on_a_first_of_month():
    with pytest.raises(SaccoRuleError, match="first day of a month"):
        month_end_balances(D(0), [], date(2024, 1, 2))


def test_changes_outside_the_year_are_refused():
    with pytest.raises(SaccoRuleError, match="outside"):
        month_end_balances(D(0), [BalanceChange(date(2025, 1, 1), D(1))], JAN_1)


@given(
    st.lists(
        st.tuples(st.integers(0, 365), st.decimals(min_value=0, max_value=10**6, places=2)),
        max_size=20,
        unique_by=lambda item: item[0],
    ),
    st.decimals(min_value=0, max_value=10**6, places=2),
)
def test_minimum_never_exceeds_month_end(changes, opening):
    dated = sorted((JAN_1 + timedelta(days=offset), balance) for offset, balance in changes)
    changes = [BalanceChange(on, balance) for on, balance in dated]
    minima = monthly_minimum_balances(opening, changes, JAN_1)
    ends = month_end_balances(opening, changes, JAN_1)
    assert len(minima) == len(ends) == 12
    assert all(low <= end for low, end in zip(minima, ends, strict=True))
