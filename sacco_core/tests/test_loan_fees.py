from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_fees import split_proportionally, spread_evenly

D = Decimal
cents = st.integers(min_value=0, max_value=10**9).map(lambda n: D(n) / 100)


def test_spread_evenly_last_takes_remainder():
    assert spread_evenly(D("100.00"), 3) == [D("33.33"), D("33.33"), D("33.34")]


def test_spread_evenly_refuses_no_installments_and_negative_total():
    with pytest.raises(SaccoRuleError):
        spread_evenly(D("10.00"), 0)
    with pytest.raises(SaccoRuleError):
        spread_evenly(D("-1.00"), 2)


@given(cents, st.integers(min_value=1, max_value=120))
def test_spread_evenly_sums_exactly(total, count):
    parts = spread_evenly(total, count)
    assert sum(parts) == total
    assert len(parts) == count
    assert all(part >= 0 for part in parts)


def test_split_proportionally_fee_insurance_excise():
    # 1,000 processing, 500 insurance, 300 excise: 180.00 paid splits 100 / 50 / 30.
    assert split_proportionally(D("180.00"), [D("1000"), D("500"), D("300")]) == [
        D("100.00"),
        D("50.00"),
        D("30.00"),
    ]


def test_split_proportionally_zero_weights_go_to_first_part():
    assert split_proportionally(D("5.00"), [D("0"), D("0")]) == [D("5.00"), D("0.00")]


def test_split_proportionally_never_negative_on_half_cents():
    assert split_proportionally(D("0.03"), [D("0"), D("1"), D("1")]) == [
        D("0.00"),
        D("0.02"),
        D("0.01"),
    ]


def test_split_proportionally_refuses_negative():
    with pytest.raises(SaccoRuleError):
        split_proportionally(D("-1.00"), [D("1")])


@given(cents, st.lists(cents, min_size=1, max_size=4))
def test_split_proportionally_sums_exactly(amount, weights):
    parts = split_proportionally(amount, weights)
    assert sum(parts) == amount
    assert all(part >= 0 for part in parts)
