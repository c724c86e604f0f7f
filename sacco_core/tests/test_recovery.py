from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import SaccoRuleError
from sacco_core.recovery import guarantor_shares, recovery_plan

D = Decimal
cents = st.integers(min_value=0, max_value=10**8).map(lambda n: D(n) / 100)


def test_own_deposits_first_then_guarantors_pro_rata():
    plan = recovery_plan(D("100.00"), D("40.00"), [D("30.00"), D("10.00")], [D("30"), D("10")])
    assert plan.own == D("40.00")
    assert plan.guarantors == (D("30.00"), D("10.00"))
    plan = recovery_plan(D("60.00"), D("40.00"), [D("30.00"), D("10.00")], [D("30"), D("10")])
    assert plan.guarantors == (D("15.00"), D("5.00"))
    assert plan.total == D("60.00")


def test_own_deposits_cover_everything():
    plan = recovery_plan(D("25.00"), D("40.00"), [D("30.00")], [D("30.00")])
    assert (plan.own, plan.guarantors) == (D("25.00"), (D("0.00"),))


def test_capped_guarantor_passes_the_rest_to_the_others():
    # Equal pledges, but the first has only 10 left: the others share the remaining 80.
    shares = guarantor_shares(D("90.00"), [D("50")] * 3, [D("10.00"), D("50.00"), D("50.00")])
    assert shares == [D("10.00"), D("40.00"), D("40.00")]


def test_shortfall_when_pledges_do_not_cover():
    plan = recovery_plan(D("500.00"), D("0.00"), [D("30.00"), D("20.00")], [D("30"), D("20")])
    assert plan.guarantors == (D("30.00"), D("20.00"))
    assert plan.total == D("50.00")


def test_cents_add_up_exactly():
    assert guarantor_shares(D("100.00"), [D("1")] * 3, [D("50")] * 3) == [
        D("33.33"),
        D("33.34"),
        D("33.33"),
    ]


def test_bad_input():
    with pytest.raises(SaccoRuleError):
        recovery_plan(D("0.00"), D("10.00"), [], [])
    with pytest.raises(SaccoRuleError):
        recovery_plan(D("10.00"), D("-1.00"), [], [])
    with pytest.raises(SaccoRuleError):
        guarantor_shares(D("10.00"), [D("1")], [])
    with pytest.raises(SaccoRuleError):
        guarantor_shares(D("10.00"), [D("-1")], [D("5")])


@given(
    cents,
    st.lists(st.tuples(cents, cents), max_size=6),
)
def test_shares_sum_exactly_and_respect_caps(amount, guarantors):
    pledges = [pledge for pledge, _cap in guarantors]
    caps = [cap for _pledge, cap in guarantors]
    shares = guarantor_shares(amount, pledges, caps)
    coverable = sum((cap for pledge, cap in guarantors if pledge > 0), D("0.00"))
    assert sum(shares, D("0.00")) == min(amount, coverable)
    assert all(D(0) <= share <= cap for share, cap in zip(shares, caps, strict=True))
    assert all(share == 0 for share, pledge in zip(shares, pledges, strict=True) if pledge == 0)
