from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_rules import Due, settlement_amount

D = Decimal
OWED = [
    Due(interest=D("1000.00"), principal=D("8000.00")),
    Due(interest=D("500.00"), principal=D("9000.00")),
]
EARNED = [D("400.00"), D("0.00")]


def test_interest_to_date_pays_earned_interest_only():
    quote = settlement_amount("interest_to_date", OWED, EARNED)
    assert quote.parts == (
        Due(interest=D("400.00"), principal=D("8000.00")),
        Due(interest=D("0.00"), principal=D("9000.00")),
    )
    assert (quote.principal, quote.interest, quote.penalty_fee, quote.excise) == (
        D("17000.00"),
        D("400.00"),
        D("0.00"),
        D("0.00"),
    )
    assert quote.total == D("17400.00")


def test_scheduled_interest_pays_all_interest_left():
    quote = settlement_amount("scheduled_interest", OWED, EARNED)
    assert [part.interest for part in quote.parts] == [D("1000.00"), D("500.00")]
    assert quote.total == D("18500.00")
    assert quote.penalty_fee == quote.excise == D("0.00")


def test_penalty_charges_fee_and_excise_on_principal():
    quote = settlement_amount("penalty", OWED, EARNED, D("2.5"), D("20"))
    assert quote.interest == D("400.00")
    assert quote.penalty_fee == D("425.00")  # 2.5 % of 17,000
    assert quote.excise == D("85.00")  # 20 % of the fee
    assert quote.total == D("17910.00")


def test_penalty_fee_rounds_half_up_to_cents():
    owed = [Due(interest=D("0.00"), principal=D("333.33"))]
    quote = settlement_amount("penalty", owed, [D("0.00")], D("1.5"), D("20"))
    assert quote.penalty_fee == D("5.00")  # 4.99995
    assert quote.excise == D("1.00")


@pytest.mark.parametrize("percent", [D("0"), D("-1"), D("100.01")])
def test_penalty_percent_must_be_a_positive_percentage(percent):
    with pytest.raises(SaccoRuleError, match="penalty"):
        settlement_amount("penalty", OWED, EARNED, percent, D("20"))


def test_bad_input_is_refused():
    with pytest.raises(SaccoRuleError, match="Unknown"):
        settlement_amount("waive_all", OWED, EARNED)
    with pytest.raises(SaccoRuleError, match="Each unpaid installment"):
        settlement_amount("interest_to_date", OWED, EARNED[:1])
    with pytest.raises(SaccoRuleError, match="between zero"):
        settlement_amount("interest_to_date", OWED, [D("1000.01"), D("0.00")])
    with pytest.raises(SaccoRuleError, match="between zero"):
        settlement_amount("interest_to_date", OWED, [D("-0.01"), D("0.00")])


def test_charges_already_on_the_installments_are_paid_under_every_rule():
    owed = [Due(penalty=D("50.00"), fee=D("30.00"), interest=D("100.00"), principal=D("900.00"))]
    for rule in ("interest_to_date", "scheduled_interest", "penalty"):
        quote = settlement_amount(rule, owed, [D("40.00")], D("10"), D("20"))
        assert quote.charges == D("80.00")
        assert quote.parts[0].penalty == D("50.00")
        assert quote.parts[0].fee == D("30.00")
    assert settlement_amount("interest_to_date", owed, [D("40.00")]).total == D("1020.00")
    with pytest.raises(SaccoRuleError, match="negative"):
        settlement_amount("interest_to_date", [Due(fee=D("-1.00"))], [D("0.00")])


def test_nothing_unpaid_settles_for_nothing():
    assert settlement_amount("penalty", [], [], D("5"), D("20")).total == D("0.00")


cents = st.decimals(min_value=D("0.00"), max_value=D("1e6"), places=2)


@given(st.lists(st.tuples(cents, cents, st.integers(0, 100)), max_size=12))
def test_rules_are_ordered(rows):
    owed = [Due(interest=interest, principal=principal) for principal, interest, _share in rows]
    # ROUND_DOWN keeps each share of the interest within the interest owed.
    earned = [
        (interest * share / 100).quantize(D("0.01"), rounding=ROUND_DOWN)
        for _principal, interest, share in rows
    ]
    to_date = settlement_amount("interest_to_date", owed, earned)
    scheduled = settlement_amount("scheduled_interest", owed, earned)
    penalty = settlement_amount("penalty", owed, earned, D("3"), D("20"))
    assert to_date.principal == scheduled.principal == penalty.principal
    assert to_date.total <= scheduled.total
    assert penalty.total == to_date.total + penalty.penalty_fee + penalty.excise
