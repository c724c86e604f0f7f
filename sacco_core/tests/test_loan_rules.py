from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_rules import (
    Due,
    allocate,
    eligible_maximum,
    free_deposits,
    guarantee_shortfall,
    interest_to_date,
    keeps_one_third,
    largest_fitting,
    loan_limit,
    max_installment,
    required_cover,
)

D = Decimal
cents = st.decimals(min_value=D("0.00"), max_value=D("1e7"), places=2)


def test_free_deposits_and_limit():
    assert free_deposits(D("100000"), D("30000")) == D("70000")
    assert free_deposits(D("100"), D("300")) == D("0.00")
    assert loan_limit(D("70000"), D("3"), D("50000")) == D("160000.00")
    assert loan_limit(D("10000"), D("3"), D("50000")) == D("0.00")


def test_loan_limit_refuses_a_zero_multiplier():
    with pytest.raises(SaccoRuleError, match="multiplier"):
        loan_limit(D("1"), D("0"), D("0"))


def test_one_third_rule_at_the_boundary():
    # 90,000 basic: take-home must stay >= 30,000.
    assert keeps_one_third(D("90000"), D("40000"), D("20000"))
    assert not keeps_one_third(D("90000"), D("40000"), D("20000.01"))
    with pytest.raises(SaccoRuleError, match="Basic pay"):
        keeps_one_third(D("0"), D("0"), D("1"))


def test_required_cover_rounds_up():
    assert required_cover(D("100000"), D("100")) == D("100000.00")
    assert required_cover(D("100.01"), D("50")) == D("50.01")
    assert required_cover(D("100000"), D("0")) == D("0.00")


def test_guarantee_shortfall():
    assert guarantee_shortfall(D("100"), [D("30"), D("40")], D("10")) == D("20.00")
    assert guarantee_shortfall(D("100"), [D("80")], D("50")) == D("0.00")
    with pytest.raises(SaccoRuleError, match="greater than zero"):
        guarantee_shortfall(D("100"), [D("0")], D("0"))


def test_allocation_default_order_oldest_first():
    dues = [Due(interest=D("10"), principal=D("90")), Due(interest=D("8"), principal=D("92"))]
    paid, left = allocate(D("130"), dues)
    assert paid == [
        Due(interest=D("10"), principal=D("90")),
        Due(interest=D("8"), principal=D("22")),
    ]
    assert left == D("0")


def test_allocation_penalties_and_fees_first_and_overpayment():
    dues = [Due(penalty=D("5"), fee=D("2"), interest=D("10"), principal=D("90"))]
    paid, left = allocate(D("10"), dues)
    assert paid == [Due(penalty=D("5"), fee=D("2"), interest=D("3"))]
    paid, left = allocate(D("120"), dues)
    assert paid == dues and left == D("13")


def test_allocation_custom_order_and_bad_input():
    dues = [Due(interest=D("10"), principal=D("90"))]
    paid, _ = allocate(D("50"), dues, ("principal", "interest", "penalty", "fee"))
    assert paid == [Due(principal=D("50"))]
    with pytest.raises(SaccoRuleError, match="allocation order"):
        allocate(D("1"), dues, ("principal",))
    with pytest.raises(SaccoRuleError, match="greater than zero"):
        allocate(D("0"), dues)


@given(st.lists(st.tuples(cents, cents, cents, cents), max_size=6), cents)
def test_allocation_adds_up(rows, amount):
    dues = [Due(*row) for row in rows]
    if amount <= 0:
        return
    paid, left = allocate(amount, dues)
    assert sum((p.total for p in paid), D(0)) + left == amount
    assert left >= 0
    for part, due in zip(paid, dues, strict=True):
        assert D(0) <= part.interest <= due.interest
        assert D(0) <= part.principal <= due.principal


def test_interest_to_date_by_days():
    start, end = date(2025, 1, 1), date(2025, 1, 31)
    assert interest_to_date(start, end, D("300"), date(2025, 1, 16)) == D("150.00")
    assert interest_to_date(start, end, D("300"), date(2025, 1, 1)) == D("0.00")
    assert interest_to_date(start, end, D("300"), date(2025, 2, 5)) == D("300")
    with pytest.raises(SaccoRuleError, match="period"):
        interest_to_date(end, start, D("1"), end)


# Channel eligibility ----------------------------------------------------------------------


def test_max_installment_is_the_largest_that_keeps_one_third():
    assert max_installment(D("90000"), D("30000")) == D("30000.00")
    assert max_installment(D("100000"), D("20000")) == D("46666.66")
    assert keeps_one_third(D("100000"), D("20000"), D("46666.66"))
    assert not keeps_one_third(D("100000"), D("20000"), D("46666.67"))
    assert max_installment(D("30000"), D("25000")) == D("0.00")
    with pytest.raises(SaccoRuleError):
        max_installment(D("0"), D("0"))


@given(
    st.decimals(min_value=1, max_value=10**7, places=2),
    st.decimals(min_value=0, max_value=10**7, places=2),
)
def test_max_installment_agrees_with_the_one_third_rule(basic, deductions):
    most = max_installment(basic, deductions)
    if most > 0:
        assert keeps_one_third(basic, deductions, most)
    assert not keeps_one_third(basic, deductions, most + D("0.01"))


def test_eligible_maximum_within_the_product():
    assert eligible_maximum(D("120000"), D("1000"), D("50000")) == D("50000")
    assert eligible_maximum(D("20000"), D("1000"), D("50000")) == D("20000")
    assert eligible_maximum(D("500"), D("1000"), D("50000")) == D("0.00")


def test_largest_fitting_bisects_to_the_whole_amount():
    calls = []

    def fits(amount):
        calls.append(amount)
        return amount <= D("12345.67")

    assert largest_fitting(D("100000"), fits) == D("12345.00")
    assert len(calls) < 20
    assert largest_fitting(D("5000"), fits) == D("5000")
    assert largest_fitting(D("5000"), lambda amount: False) == D("0.00")
