from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_cost import _years, effective_annual_rate, total_cost, total_interest
from sacco_core.loans import Installment, build_schedule

METHODS = ["flat", "annuity", "equal_principal", "interest_only", "daily_reducing", "rule_of_78"]
JAN_1 = date(2025, 1, 1)


def schedule_of(method, amount="12000", rate="12", count=12, frequency="monthly", start=JAN_1):
    return build_schedule(Decimal(amount), Decimal(rate), count, frequency, method, start)


def test_total_interest_and_cost_of_reference_annuity():
    # 12,000 at 2 % a month over 4 months: interest 240.00 + 181.77 + 122.38 + 61.79.
    schedule = schedule_of("annuity", rate="24", count=4)
    assert total_interest(schedule) == Decimal("605.94")
    assert total_cost(schedule) == Decimal("605.94")
    assert total_cost(schedule, Decimal("150.00")) == Decimal("755.94")


def test_total_interest_of_empty_schedule_is_zero():
    assert str(total_interest([])) == "0.00"


@pytest.mark.parametrize("start", [date(2024, 1, 1), JAN_1, date(2025, 3, 15), date(2025, 6, 28)])
def test_annuity_rate_is_the_compounded_period_rate(start):
    # 1 % a month compounded: 1.01 ** 12 - 1 = 12.6825 %, whatever the month lengths, since
    # monthly due dates count as twelfths of a year.
    schedule = schedule_of("annuity", start=start)
    assert effective_annual_rate(Decimal("12000"), schedule, start) == Decimal("12.68")


def test_flat_rate_reference():
    # Flat 12 % over 12 months: 12 installments of 13,440 / 12 = 1,120.00. The monthly rate j
    # with 12000 = 1120 * (1 - (1+j)**-12) / j is 1.78810 % (checked by an independent float
    # bisection), and 1.0178810 ** 12 - 1 = 23.698 %.
    schedule = schedule_of("flat")
    assert {row.total for row in schedule} == {Decimal("1120.00")}
    assert effective_annual_rate(Decimal("12000"), schedule, JAN_1) == Decimal("23.70")
    # Rule of 78 has the same installments, hence the same rate.
    assert effective_annual_rate(Decimal("12000"), schedule_of("rule_of_78"), JAN_1) == Decimal(
        "23.70"
    )


def test_fees_raise_the_rate():
    # 1 % fee on the flat loan: 11,880 received; monthly j = 1.95114 %, 1.0195114 ** 12 - 1
    # = 26.097 %.
    schedule = schedule_of("flat")
    assert effective_annual_rate(Decimal("12000"), schedule, JAN_1, Decimal("120.00")) == Decimal(
        "26.10"
    )


def test_zero_rate_without_fees_is_zero():
    schedule = schedule_of("annuity", rate="0")
    assert str(effective_annual_rate(Decimal("12000"), schedule, JAN_1)) == "0.00"


def test_zero_rate_with_fees_is_positive():
    schedule = schedule_of("annuity", rate="0")
    assert effective_annual_rate(Decimal("12000"), schedule, JAN_1, Decimal("120")) > 0


def test_single_installment_after_part_of_a_month():
    # 1,000 repaid with 1,010 after 1 month and 14 days (1/12 + 14/365 of a year).
    row = Installment(
        1,
        date(2025, 2, 15),
        Decimal("1000.00"),
        Decimal("10.00"),
        Decimal("1010.00"),
        Decimal("0.00"),
    )
    years = 1 / 12 + 14 / 365
    expected = Decimal(str(round((1.01 ** (1 / years) - 1) * 100, 2)))
    assert effective_annual_rate(Decimal("1000"), [row], JAN_1) == expected


def test_month_end_disbursement_counts_clamped_months():
    # From 31 Jan, one month is 28 Feb and two are 31 Mar: 1 % a month paid exactly then is
    # 12.68 % a year.
    rows = [
        Installment(
            1, date(2025, 2, 28), Decimal("0"), Decimal("10.00"), Decimal("10.00"), Decimal("1000")
        ),
        Installment(
            2,
            date(2025, 3, 31),
            Decimal("1000"),
            Decimal("10.00"),
            Decimal("1010.00"),
            Decimal("0"),
        ),
    ]
    assert effective_annual_rate(Decimal("1000"), rows, date(2025, 1, 31)) == Decimal("12.68")


@pytest.mark.parametrize(
    ("principal", "fees", "message"),
    [
        (Decimal("0"), Decimal("0"), "Loan amount must be greater than zero."),
        (Decimal("-5"), Decimal("0"), "Loan amount must be greater than zero."),
        (Decimal("12000"), Decimal("-1"), "Fees -1 must be 0 or more."),
        (Decimal("12000"), Decimal("12000"), "Fees 12000 must be less than the loan amount"),
    ],
)
def test_bad_inputs_are_refused(principal, fees, message):
    with pytest.raises(SaccoRuleError, match=message):
        effective_annual_rate(principal, schedule_of("annuity"), JAN_1, fees)


def test_negative_fees_refused_by_total_cost():
    with pytest.raises(SaccoRuleError, match="must be 0 or more"):
        total_cost(schedule_of("annuity"), Decimal("-1"))
    with pytest.raises(TypeError):
        total_cost(schedule_of("annuity"), 1.5)


def test_empty_schedule_refused():
    with pytest.raises(SaccoRuleError, match="no installments"):
        effective_annual_rate(Decimal("1000"), [], JAN_1)


def test_installment_due_at_disbursement_refused():
    row = Installment(1, JAN_1, Decimal("1000"), Decimal("0"), Decimal("1000"), Decimal("0"))
    with pytest.raises(SaccoRuleError, match="not after the disbursement date"):
        effective_annual_rate(Decimal("1000"), [row], JAN_1)


def test_repaying_less_than_received_refused():
    with pytest.raises(SaccoRuleError, match="less than the 13000.00 received"):
        effective_annual_rate(Decimal("13000.00"), schedule_of("annuity"), JAN_1)


def test_absurd_rate_refused():
    schedule = schedule_of("annuity", count=1)
    with pytest.raises(SaccoRuleError, match="above 1,000,000 %"):
        effective_annual_rate(Decimal("12000"), schedule, JAN_1, Decimal("11999.99"))


def test_wrong_types_refused():
    with pytest.raises(TypeError):
        effective_annual_rate(Decimal("12000"), schedule_of("annuity"), "2025-01-01")
    with pytest.raises(TypeError):
        effective_annual_rate(12000, schedule_of("annuity"), JAN_1)


loans = st.fixed_dictionaries(
    {
        "principal": st.integers(100, 10_000_000).map(lambda c: Decimal(c).scaleb(-2)),
        "rate": st.integers(0, 6000).map(lambda r: Decimal(r).scaleb(-2)),
        "count": st.integers(1, 48),
        "frequency": st.sampled_from(["monthly", "fortnightly", "weekly"]),
        "method": st.sampled_from(METHODS),
        "start": st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    }
)


def build(loan):
    return build_schedule(
        loan["principal"],
        loan["rate"],
        loan["count"],
        loan["frequency"],
        loan["method"],
        loan["start"],
    )


@settings(max_examples=60, deadline=None)
@given(loan=loans, fee_share=st.integers(1, 10))
def test_rate_is_the_irr_and_grows_with_fees(loan, fee_share):
    schedule = build(loan)
    principal, start = loan["principal"], loan["start"]
    rate = effective_annual_rate(principal, schedule, start)
    assert rate >= 0
    assert rate.as_tuple().exponent == -2
    if not total_interest(schedule):
        assert rate == 0

    # Discounting at the rate found gives back the loan, within the 2-decimal rounding.
    def present_value(percent):
        growth = 1 + float(percent) / 100
        return sum(
            float(row.total) / growth ** float(_years(start, row.due_on)) for row in schedule
        )

    assert present_value(rate - Decimal("0.01")) >= float(principal) - 0.01
    assert present_value(rate + Decimal("0.01")) <= float(principal) + 0.01
    fees = (principal * fee_share / 100).quantize(Decimal("0.01"))
    if fees:
        assert effective_annual_rate(principal, schedule, start, fees) > rate
        assert total_cost(schedule, fees) == total_interest(schedule) + fees


@settings(max_examples=40, deadline=None)
@given(loan=loans)
def test_total_cost_is_repayments_less_principal(loan):
    schedule = build(loan)
    repaid = sum(row.total for row in schedule)
    assert total_cost(schedule) == repaid - loan["principal"]
