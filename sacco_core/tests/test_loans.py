from dataclasses import FrozenInstanceError
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loans import Installment, build_schedule

METHODS = ["flat", "annuity", "equal_principal", "interest_only", "daily_reducing", "rule_of_78"]
FREQUENCIES = ["monthly", "fortnightly", "weekly"]
JAN_1 = date(2024, 1, 1)


def column(schedule, field):
    return [str(getattr(row, field)) for row in schedule]


def test_annuity_reference_schedule():
    # 12,000 at 2 % a month over 4 months: installment 12000 * 0.02 / (1 - 1.02**-4)
    # = 3151.485... -> 3151.49; the last takes the remaining principal 3089.68.
    schedule = build_schedule(Decimal("12000"), Decimal("24"), 4, "monthly", "annuity", JAN_1)
    assert column(schedule, "principal") == ["2911.49", "2969.72", "3029.11", "3089.68"]
    assert column(schedule, "interest") == ["240.00", "181.77", "122.38", "61.79"]
    assert column(schedule, "total") == ["3151.49", "3151.49", "3151.49", "3151.47"]
    assert column(schedule, "balance") == ["9088.51", "6118.79", "3089.68", "0.00"]
    assert [row.number for row in schedule] == [1, 2, 3, 4]
    assert [row.due_on for row in schedule] == [date(2024, m, 1) for m in (2, 3, 4, 5)]


def test_flat_reference_schedule():
    # 5,000 at 1 % a month flat over 18 months: interest 50.00 a month, 900.00 in all;
    # installment 5900 / 18 = 327.78 -> 328 (multiple 1); the last is 5900 - 17 * 328 = 324.
    schedule = build_schedule(
        Decimal("5000"),
        Decimal("12"),
        18,
        "monthly",
        "flat",
        JAN_1,
        installment_multiple=Decimal("1"),
    )
    assert column(schedule, "total") == ["328.00"] * 17 + ["324.00"]
    assert sum(row.interest for row in schedule) == Decimal("900.00")
    # Each installment's interest is 50.00, the principal the installment less that.
    assert column(schedule, "interest") == ["50.00"] * 18
    assert column(schedule, "principal") == ["278.00"] * 17 + ["274.00"]


def test_annuity_fortnightly_with_installment_multiple():
    # r = 24 % / 26 = 0.00923077; 12000 * r / (1 - (1+r)**-4) = 3069.55 -> 3070 (multiple 5).
    # Interest: 12000 r = 110.77; 9040.77 r = 83.45; 6054.22 r = 55.89; 3040.11 r = 28.06.
    schedule = build_schedule(
        Decimal("12000"),
        Decimal("24"),
        4,
        "fortnightly",
        "annuity",
        JAN_1,
        installment_multiple=Decimal("5"),
    )
    assert column(schedule, "interest") == ["110.77", "83.45", "55.89", "28.06"]
    assert column(schedule, "total") == ["3070.00", "3070.00", "3070.00", "3068.17"]
    assert [row.due_on.day for row in schedule] == [15, 29, 12, 26]


def test_daily_reducing_charges_actual_days():
    # 36.5 %/yr is 0.1 % a day. Installment as annuity at 36.5/12 % a month:
    # 10000 (1+r)**2 / (2+r) = 5229.26. January has 31 days: 10000 * 0.031 = 310.00, so
    # principal 4919.26; February 2024 has 29 days: 5080.74 * 0.029 = 147.34.
    schedule = build_schedule(
        Decimal("10000"), Decimal("36.5"), 2, "monthly", "daily_reducing", JAN_1
    )
    assert column(schedule, "interest") == ["310.00", "147.34"]
    assert column(schedule, "principal") == ["4919.26", "5080.74"]
    assert column(schedule, "total") == ["5229.26", "5228.08"]


def test_equal_principal_puts_remainder_cents_last():
    # 1000 / 3 = 333.33 twice, the last 333.34; interest 1 % of 1000, 666.67, 333.34.
    schedule = build_schedule(
        Decimal("1000"), Decimal("12"), 3, "monthly", "equal_principal", JAN_1
    )
    assert column(schedule, "principal") == ["333.33", "333.33", "333.34"]
    assert column(schedule, "interest") == ["10.00", "6.67", "3.33"]
    assert column(schedule, "balance") == ["666.67", "333.34", "0.00"]


def test_equal_principal_rounds_the_share_and_the_last_absorbs():
    # The core-banking convention: 1,000 over 6 months is 1000 / 6 = 166.666... -> 166.67
    # five times (not truncated to 166.66), the last installment absorbing the remainder
    # 1000 - 5 * 166.67 = 166.65. Interest 1 % a month on the declining balance.
    schedule = build_schedule(
        Decimal("1000"), Decimal("12"), 6, "monthly", "equal_principal", JAN_1
    )
    assert column(schedule, "principal") == ["166.67"] * 5 + ["166.65"]
    assert column(schedule, "interest") == ["10.00", "8.33", "6.67", "5.00", "3.33", "1.67"]
    assert column(schedule, "balance") == ["833.33", "666.66", "499.99", "333.32", "166.65", "0.00"]


@pytest.mark.parametrize(
    "rounding, shares",
    [("half_even", ["25.02"] * 3 + ["25.04"]), ("half_up", ["25.03"] * 3 + ["25.01"])],
)
def test_equal_principal_share_uses_the_loans_rounding_mode(rounding, shares):
    # 100.10 / 4 = 25.025 exactly: banker's rounding keeps 25.02, half-up gives 25.03; the
    # last installment takes what is left, up or down.
    schedule = build_schedule(
        Decimal("100.10"), Decimal("0"), 4, "monthly", "equal_principal", JAN_1, rounding=rounding
    )
    assert column(schedule, "principal") == shares


@pytest.mark.parametrize(
    "first_due_on, interest",
    [
        # 45 days against a regular period of 31 (15 Jan to 15 Feb): 10000 * 1 % * 45 / 31.
        (date(2024, 2, 15), ["145.16", "66.67", "33.33"]),
        # 19 days of a 31-day period (20 Dec to 20 Jan): 10000 * 1 % * 19 / 31.
        (date(2024, 1, 20), ["61.29", "66.67", "33.33"]),
    ],
)
def test_broken_first_period_charges_its_actual_days(first_due_on, interest):
    # Later periods are whole ones; the principal split is unchanged.
    schedule = build_schedule(
        Decimal("10000"),
        Decimal("12"),
        3,
        "monthly",
        "equal_principal",
        JAN_1,
        first_due_on=first_due_on,
    )
    assert column(schedule, "interest") == interest
    assert column(schedule, "principal") == ["3333.33", "3333.33", "3333.34"]


def test_annuity_broken_first_period_keeps_the_level_and_the_last_absorbs():
    # As the reference annuity, first due 15 Feb: interest 240 * 45 / 31 = 348.39, the
    # installment stays 3151.49 and the last one repays the rest of the balance.
    schedule = build_schedule(
        Decimal("12000"),
        Decimal("24"),
        4,
        "monthly",
        "annuity",
        JAN_1,
        first_due_on=date(2024, 2, 15),
    )
    assert column(schedule, "interest") == ["348.39", "183.94", "124.59", "64.05"]
    assert column(schedule, "total") == ["3151.49"] * 3 + ["3266.50"]


def test_flat_interest_ignores_a_broken_first_period():
    schedule = build_schedule(
        Decimal("1200"),
        Decimal("12"),
        3,
        "monthly",
        "flat",
        JAN_1,
        first_due_on=date(2024, 2, 15),
    )
    assert column(schedule, "interest") == ["12.00"] * 3


def test_default_first_due_date_is_a_regular_period_at_month_end():
    # Disbursed 31 Jan: due 29 Feb by default, a regular month even though 29 Jan + 1 month
    # is not 31 Jan, so the first interest is a whole period's.
    schedule = build_schedule(
        Decimal("1200"), Decimal("12"), 3, "monthly", "equal_principal", date(2024, 1, 31)
    )
    assert column(schedule, "interest") == ["12.00", "8.00", "4.00"]


def test_interest_only_repays_principal_last():
    schedule = build_schedule(Decimal("1000"), Decimal("12"), 3, "monthly", "interest_only", JAN_1)
    assert column(schedule, "principal") == ["0.00", "0.00", "1000.00"]
    assert column(schedule, "interest") == ["10.00", "10.00", "10.00"]
    assert column(schedule, "balance") == ["1000.00", "1000.00", "0.00"]


def test_rule_of_78_recognises_interest_by_sum_of_digits():
    # Flat interest 1200 * 1 % * 3 = 36.00 over digits 3+2+1 = 6: 18.00, 12.00, 6.00;
    # installment (1200 + 36) / 3 = 412.00.
    schedule = build_schedule(Decimal("1200"), Decimal("12"), 3, "monthly", "rule_of_78", JAN_1)
    assert column(schedule, "interest") == ["18.00", "12.00", "6.00"]
    assert column(schedule, "principal") == ["394.00", "400.00", "406.00"]
    assert column(schedule, "total") == ["412.00"] * 3


def test_rule_of_78_last_absorbs_rounding():
    # Total 100 * 1 % * 12 = 12.00; 12.00 * 12/78 = 1.846 -> 1.85, ... 12.00 * 1/78 = 0.15.
    schedule = build_schedule(Decimal("100"), Decimal("12"), 12, "monthly", "rule_of_78", JAN_1)
    interest = [row.interest for row in schedule]
    assert interest[0] == Decimal("1.85")
    assert sum(interest) == Decimal("12.00")
    assert interest == sorted(interest, reverse=True)


def test_tiny_flat_loan_never_has_negative_interest():
    # P*r = 0.015 rounds half-up to 0.02, but the total is only 0.15: the eighth installment
    # takes the 0.01 left and the others none.
    schedule = build_schedule(
        Decimal("1.50"), Decimal("12"), 10, "monthly", "flat", JAN_1, rounding="half_up"
    )
    assert column(schedule, "interest") == ["0.02"] * 7 + ["0.01", "0.00", "0.00"]


def test_principal_grace_is_interest_only_then_amortises():
    # One interest-only month (1 % of 1200), then 1200 in two equal parts.
    schedule = build_schedule(
        Decimal("1200"), Decimal("12"), 3, "monthly", "equal_principal", JAN_1, principal_grace=1
    )
    assert column(schedule, "principal") == ["0.00", "600.00", "600.00"]
    assert column(schedule, "interest") == ["12.00", "12.00", "6.00"]


def test_principal_grace_annuity_over_remaining_installments():
    graced = build_schedule(
        Decimal("12000"), Decimal("24"), 6, "monthly", "annuity", JAN_1, principal_grace=2
    )
    plain = build_schedule(Decimal("12000"), Decimal("24"), 4, "monthly", "annuity", JAN_1)
    assert column(graced, "interest")[:2] == ["240.00", "240.00"]
    assert column(graced, "principal")[2:] == column(plain, "principal")


def test_interest_grace_defers_evenly():
    # Interest 10.00, 6.67, 3.33 (see equal principal above); the first 10.00 is deferred
    # and collected as 5.00 in each of the other two installments.
    schedule = build_schedule(
        Decimal("1000"), Decimal("12"), 3, "monthly", "equal_principal", JAN_1, interest_grace=1
    )
    assert column(schedule, "interest") == ["0.00", "11.67", "8.33"]
    assert column(schedule, "principal") == ["333.33", "333.33", "333.34"]


def test_interest_grace_remainder_goes_last():
    # Two months of 10.00 deferred onto the last: 30.00 there. One month's 10.00 over three
    # installments: 3.33, 3.33 and the remaining 3.34.
    schedule = build_schedule(
        Decimal("1000"), Decimal("12"), 3, "monthly", "interest_only", JAN_1, interest_grace=2
    )
    assert column(schedule, "interest") == ["0.00", "0.00", "30.00"]
    schedule = build_schedule(
        Decimal("1000"), Decimal("12"), 4, "monthly", "interest_only", JAN_1, interest_grace=1
    )
    assert column(schedule, "interest") == ["0.00", "13.33", "13.33", "13.34"]


@pytest.mark.parametrize("method", METHODS)
def test_zero_rate_works_for_every_method(method):
    schedule = build_schedule(Decimal("100"), Decimal("0"), 3, "weekly", method, JAN_1)
    assert column(schedule, "interest") == ["0.00"] * 3
    assert sum(row.principal for row in schedule) == Decimal("100.00")
    if method != "interest_only":
        assert column(schedule, "principal") == ["33.33", "33.33", "33.34"]


@pytest.mark.parametrize(("rounding", "interest"), [("half_even", "10.00"), ("half_up", "10.01")])
def test_rounding_mode(rounding, interest):
    # 1 % of 1000.50 is 10.005, exactly half a cent.
    schedule = build_schedule(
        Decimal("1000.50"), Decimal("12"), 1, "monthly", "interest_only", JAN_1, rounding=rounding
    )
    assert str(schedule[0].interest) == interest


def test_monthly_due_dates_clamp_from_the_anchor():
    schedule = build_schedule(
        Decimal("400"), Decimal("12"), 4, "monthly", "annuity", date(2023, 12, 31)
    )
    assert [row.due_on for row in schedule] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]
    schedule = build_schedule(
        Decimal("400"), Decimal("12"), 2, "monthly", "flat", JAN_1, first_due_on=date(2025, 1, 31)
    )
    assert [row.due_on for row in schedule] == [date(2025, 1, 31), date(2025, 2, 28)]


@pytest.mark.parametrize(("frequency", "days"), [("fortnightly", 14), ("weekly", 7)])
def test_day_step_due_dates(frequency, days):
    schedule = build_schedule(Decimal("300"), Decimal("12"), 3, frequency, "flat", JAN_1)
    assert [row.due_on for row in schedule] == [JAN_1 + timedelta(days * k) for k in (1, 2, 3)]


def test_installment_is_frozen():
    row = build_schedule(Decimal("100"), Decimal("12"), 1, "monthly", "flat", JAN_1)[0]
    assert isinstance(row, Installment)
    with pytest.raises(FrozenInstanceError):
        row.total = Decimal(0)


VALID = {
    "principal": Decimal("1000"),
    "annual_rate": Decimal("12"),
    "installments": 6,
    "frequency": "monthly",
    "method": "annuity",
    "disbursed_on": JAN_1,
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"principal": Decimal("0")}, "Loan amount must be greater than zero"),
        ({"principal": Decimal("-5")}, "Loan amount must be greater than zero"),
        ({"principal": Decimal("10.505")}, "Loan amount 10.505 has more than 2 decimal"),
        ({"principal": Decimal("NaN")}, "Loan amount must be a finite number"),
        ({"annual_rate": Decimal("-1")}, "Annual interest rate -1 must be 0 % or more"),
        ({"annual_rate": Decimal("Infinity")}, "Annual interest rate Infinity must be 0 %"),
        ({"installments": 0}, "Number of installments must be 1 or more, not 0"),
        ({"frequency": "daily"}, "Frequency 'daily' is not one of: monthly, fortnightly"),
        ({"method": "balloon"}, "Repayment method 'balloon' is not one of: flat"),
        ({"rounding": "down"}, "Rounding 'down' is not one of: half_even, half_up"),
        ({"first_due_on": JAN_1}, "First due date 2024-01-01 must be after the disbursement"),
        ({"first_due_on": date(2023, 12, 1)}, "must be after the disbursement date"),
        ({"principal_grace": -1}, "Principal grace must be 0 or more, not -1"),
        ({"principal_grace": 6}, r"Principal grace must be less than .* \(6\), not 6"),
        ({"interest_grace": 7}, r"Interest grace must be less than .* \(6\), not 7"),
        ({"installment_multiple": Decimal("0")}, "Installment multiple must be greater than"),
        ({"installment_multiple": Decimal("0.001")}, "more than 2 decimal places"),
    ],
)
def test_invalid_terms(changes, message):
    with pytest.raises(SaccoRuleError, match=message):
        build_schedule(**{**VALID, **changes})


@pytest.mark.parametrize(
    "changes",
    [
        {"principal": 1000},
        {"annual_rate": 12.0},
        {"installments": 6.0},
        {"installments": True},
        {"interest_grace": "1"},
        {"disbursed_on": "2024-01-01"},
        {"first_due_on": "2024-02-01"},
    ],
)
def test_wrong_types(changes):
    with pytest.raises(TypeError):
        build_schedule(**{**VALID, **changes})


@st.composite
def loans(draw):
    installments = draw(st.integers(1, 120))
    return {
        "principal": draw(st.decimals(Decimal("0.01"), Decimal("1e9"), places=2)),
        "annual_rate": draw(st.decimals(Decimal(0), Decimal(120), places=3)),
        "installments": installments,
        "frequency": draw(st.sampled_from(FREQUENCIES)),
        "method": draw(st.sampled_from(METHODS)),
        "disbursed_on": draw(st.dates(date(2000, 1, 1), date(2090, 12, 31))),
        "principal_grace": draw(st.integers(0, installments - 1)),
        "interest_grace": draw(st.integers(0, installments - 1)),
        "installment_multiple": draw(st.sampled_from(["0.01", "0.05", "1", "5", "100"])),
        "rounding": draw(st.sampled_from(["half_even", "half_up"])),
        "first_due_offset": draw(st.none() | st.integers(1, 60)),
    }


def schedule_of(loan):
    offset = loan["first_due_offset"]
    terms = {key: value for key, value in loan.items() if key != "first_due_offset"}
    if offset is not None:
        terms["first_due_on"] = loan["disbursed_on"] + timedelta(days=offset)
    return build_schedule(
        **{**terms, "installment_multiple": Decimal(loan["installment_multiple"])}
    )


@given(loans())
def test_schedule_invariants(loan):
    schedule = schedule_of(loan)
    principal = loan["principal"]
    assert [row.number for row in schedule] == list(range(1, loan["installments"] + 1))
    assert sum(row.principal for row in schedule) == principal
    assert schedule[-1].balance == 0
    balances = [principal] + [row.balance for row in schedule]
    assert all(later <= earlier for earlier, later in pairwise(balances))
    assert all(row.balance >= 0 and row.principal >= 0 and row.interest >= 0 for row in schedule)
    assert all(row.total == row.principal + row.interest for row in schedule)
    interest = sum(row.interest for row in schedule)
    assert sum(row.total for row in schedule) == principal + interest
    assert all(row.principal.as_tuple().exponent == -2 for row in schedule)
    assert all(row.interest.as_tuple().exponent == -2 for row in schedule)
    dates = [loan["disbursed_on"]] + [row.due_on for row in schedule]
    assert all(earlier < later for earlier, later in pairwise(dates))
    grace = loan["principal_grace"]
    assert all(row.principal == 0 for row in schedule[:grace])


@given(loans())
def test_interest_grace_only_defers(loan):
    deferred = schedule_of(loan)
    plain = schedule_of({**loan, "interest_grace": 0})
    assert column(deferred, "principal") == column(plain, "principal")
    assert sum(row.interest for row in deferred) == sum(row.interest for row in plain)
    assert all(row.interest == 0 for row in deferred[: loan["interest_grace"]])
