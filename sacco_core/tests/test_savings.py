from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import CENT
from sacco_core.savings import (
    AVERAGE_DAILY_BALANCE,
    COMPOUNDING_MODES,
    DAILY_BALANCE,
    INTEREST_METHODS,
    MINIMUM_MONTHLY_BALANCE,
    PRECISION,
    BalanceChange,
    ChargeTier,
    compound_maturity_value,
    daily_interest,
    dividend_on_closing,
    dividend_on_weighted,
    early_withdrawal_penalty,
    excise_duty,
    interest_for_period,
    minimum_balance_pro_rata,
    month_end_pro_rata,
    withdrawal_charge,
    withholding_tax,
)

D = Decimal
JAN_1, JAN_31 = date(2024, 1, 1), date(2024, 1, 31)

balances = st.decimals(min_value=D("-1e6"), max_value=D("1e9"), places=2)
rates = st.decimals(min_value=D(0), max_value=D(40), places=2)
days_in_year = st.sampled_from([365, 360])
methods = st.sampled_from(INTEREST_METHODS)


@st.composite
def periods(draw):
    """(opening balance, changes, start, end) with valid, ascending changes."""
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    length = draw(st.integers(min_value=1, max_value=400))
    end = start + timedelta(days=length - 1)
    offsets = draw(st.lists(st.integers(0, length - 1), unique=True, max_size=12))
    changes = [
        BalanceChange(start + timedelta(days=offset), draw(balances)) for offset in sorted(offsets)
    ]
    return draw(balances), changes, start, end


# daily_interest


def test_daily_interest_reference():
    interest = daily_interest(D(1000), D(10))
    assert str(interest).startswith("0.27397260")
    assert interest.quantize(D("0.00001")) == D("0.27397")
    assert interest.quantize(D("0.001")) == D("0.274")


def test_daily_interest_360_and_unrounded():
    assert daily_interest(D(3600), D(10), 360) == D(1)
    assert len(daily_interest(D(1000), D(10)).as_tuple().digits) == PRECISION


def test_daily_interest_ignores_callers_context():
    with localcontext(Context(prec=5)):
        interest = daily_interest(D(1000), D(10))
    assert interest == daily_interest(D(1000), D(10))
    assert len(interest.as_tuple().digits) == PRECISION


def test_daily_interest_negative_balance_earns_nothing():
    assert daily_interest(D(-500), D(10)) == 0


@pytest.mark.parametrize("days", [366, 364, 0, 365.0, True, "365"])
def test_daily_interest_refuses_other_day_counts(days):
    with pytest.raises(SaccoRuleError, match="365 or 360"):
        daily_interest(D(1000), D(10), days)


def test_daily_interest_refuses_negative_rate():
    with pytest.raises(SaccoRuleError, match="Interest rate must be a number of at least zero"):
        daily_interest(D(1000), D(-1))


def test_daily_interest_refuses_float_rate():
    with pytest.raises(TypeError, match="must be a Decimal"):
        daily_interest(D(1000), 10.0)


# interest_for_period


def test_daily_balance_constant_month():
    # 10,000 * 10 % * 31 / 365 = 84.9315...
    interest = interest_for_period(D(10000), [], JAN_1, JAN_31, D(10), DAILY_BALANCE)
    assert interest == D("84.93")


def test_daily_balance_with_a_change():
    # 10 days at 10,000 and 21 days at 20,000: 520,000 * 10 % / 365 = 142.4657...
    changes = [BalanceChange(date(2024, 1, 11), D(20000))]
    assert interest_for_period(D(10000), changes, JAN_1, JAN_31, D(10), DAILY_BALANCE) == D(
        "142.47"
    )
    assert interest_for_period(D(10000), changes, JAN_1, JAN_31, D(10), AVERAGE_DAILY_BALANCE) == D(
        "142.47"
    )


def test_daily_balance_360_day_year():
    # 36,000 * 10 % * 30 / 360 = 300
    interest = interest_for_period(
        D(36000), [], date(2024, 4, 1), date(2024, 4, 30), D(10), DAILY_BALANCE, 360
    )
    assert interest == D("300.00")


def test_change_on_first_day_replaces_opening_balance():
    changes = [BalanceChange(JAN_1, D(0))]
    assert interest_for_period(D(10000), changes, JAN_1, JAN_31, D(10), DAILY_BALANCE) == 0


def test_change_on_last_day_counts_for_that_day():
    # 30 days at 0 and one day at 36,500 at 10 %: 10.00
    changes = [BalanceChange(JAN_31, D(36500))]
    assert interest_for_period(D(0), changes, JAN_1, JAN_31, D(10), DAILY_BALANCE) == D("10.00")


def test_single_day_period():
    assert interest_for_period(D(36500), [], JAN_1, JAN_1, D(10), DAILY_BALANCE) == D("10.00")


def test_negative_days_earn_nothing():
    # 15 days overdrawn by 50,000, then 16 days at 36,500 at 10 % (10.00 a day)
    changes = [BalanceChange(date(2024, 1, 16), D(36500))]
    for method in (DAILY_BALANCE, AVERAGE_DAILY_BALANCE):
        assert interest_for_period(D(-50000), changes, JAN_1, JAN_31, D(10), method) == D("160.00")


def test_minimum_monthly_balance_full_month():
    # Lowest balance in January is 4,000: 4,000 * 12 % / 12 = 40.00
    changes = [BalanceChange(date(2024, 1, 15), D(4000)), BalanceChange(date(2024, 1, 20), D(8000))]
    interest = interest_for_period(D(10000), changes, JAN_1, JAN_31, D(12), MINIMUM_MONTHLY_BALANCE)
    assert interest == D("40.00")


def test_minimum_monthly_balance_counts_balance_carried_in():
    # A deposit on the month's first day does not earn that month: the minimum is 0 for
    # January, then 10,000 for February: 100.00.
    changes = [BalanceChange(JAN_1, D(10000))]
    interest = interest_for_period(
        D(0), changes, JAN_1, date(2024, 2, 29), D(12), MINIMUM_MONTHLY_BALANCE
    )
    assert interest == D("100.00")


def test_minimum_monthly_balance_carries_previous_month_end():
    # January ends at 2,000; the 1 February deposit does not lift February's minimum.
    changes = [BalanceChange(date(2024, 1, 31), D(2000)), BalanceChange(date(2024, 2, 1), D(9000))]
    interest = interest_for_period(
        D(6000), changes, JAN_1, date(2024, 2, 29), D(12), MINIMUM_MONTHLY_BALANCE
    )
    assert interest == D("40.00")  # 2,000 * 1 % in January and again in February


def test_minimum_monthly_balance_part_months():
    # 16 of January's 31 days at 3,100 and 10 of February's 29 days at 2,900 at 12 %:
    # 3,100 * 1 % * 16/31 + 2,900 * 1 % * 10/29 = 16 + 10
    interest = interest_for_period(
        D(3100),
        [BalanceChange(date(2024, 2, 1), D(2900))],
        date(2024, 1, 16),
        date(2024, 2, 10),
        D(12),
        MINIMUM_MONTHLY_BALANCE,
    )
    assert interest == D("26.00")


def test_minimum_monthly_balance_whole_year_ignores_days_in_year():
    start, end = date(2023, 1, 1), date(2023, 12, 31)
    for days in (365, 360):
        interest = interest_for_period(
            D(10000), [], start, end, D(12), MINIMUM_MONTHLY_BALANCE, days
        )
        assert interest == D("1200.00")


def test_average_daily_balance_equals_daily_on_example():
    changes = [BalanceChange(date(2024, 3, 5), D("1234.56")), BalanceChange(date(2024, 5, 9), D(7))]
    start, end = date(2024, 2, 27), date(2024, 6, 3)
    daily = interest_for_period(D("999.99"), changes, start, end, D("7.5"), DAILY_BALANCE)
    average = interest_for_period(D("999.99"), changes, start, end, D("7.5"), AVERAGE_DAILY_BALANCE)
    assert daily == average == D("17.96")


def test_interest_is_rounded_half_even():
    # 36,500 * r % / 365 = r * 1 per day; 0.125 and 0.135 are exact half cents.
    assert interest_for_period(D(36500), [], JAN_1, JAN_1, D("0.125"), DAILY_BALANCE) == D("0.12")
    assert interest_for_period(D(36500), [], JAN_1, JAN_1, D("0.135"), DAILY_BALANCE) == D("0.14")


def test_unknown_method():
    with pytest.raises(SaccoRuleError, match="Unknown interest method 'simple'"):
        interest_for_period(D(1), [], JAN_1, JAN_31, D(10), "simple")


def test_period_must_not_end_before_it_starts():
    with pytest.raises(SaccoRuleError, match="starts .* after it ends"):
        interest_for_period(D(1), [], JAN_31, JAN_1, D(10), DAILY_BALANCE)


@pytest.mark.parametrize("day", [date(2023, 12, 31), date(2024, 2, 1)])
def test_changes_outside_period(day):
    with pytest.raises(SaccoRuleError, match="outside 2024-01-01 to 2024-01-31"):
        interest_for_period(D(1), [BalanceChange(day, D(5))], JAN_1, JAN_31, D(10), DAILY_BALANCE)


@pytest.mark.parametrize("second", [date(2024, 1, 9), date(2024, 1, 10)])
def test_changes_must_be_ascending_one_per_day(second):
    changes = [BalanceChange(date(2024, 1, 10), D(5)), BalanceChange(second, D(6))]
    with pytest.raises(SaccoRuleError, match="ascending date order, one per day"):
        interest_for_period(D(1), changes, JAN_1, JAN_31, D(10), DAILY_BALANCE)


def test_period_validates_rate_and_day_count():
    with pytest.raises(SaccoRuleError, match="365 or 360"):
        interest_for_period(D(1), [], JAN_1, JAN_31, D(10), MINIMUM_MONTHLY_BALANCE, 364)
    with pytest.raises(SaccoRuleError, match="Interest rate"):
        interest_for_period(D(1), [], JAN_1, JAN_31, D(-1), DAILY_BALANCE)


@given(periods(), rates, rates, methods, days_in_year)
def test_interest_is_non_negative_and_monotone_in_rate(period, rate_a, rate_b, method, days):
    low, high = sorted([rate_a, rate_b])
    lower = interest_for_period(*period, low, method, days)
    higher = interest_for_period(*period, high, method, days)
    assert 0 <= lower <= higher
    assert lower == lower.quantize(CENT)


@given(balances, rates, st.integers(min_value=1, max_value=1000), days_in_year)
def test_daily_balance_of_constant_balance(balance, rate, days, year_days):
    start = date(2024, 1, 1)
    end = start + timedelta(days=days - 1)
    interest = interest_for_period(balance, [], start, end, rate, DAILY_BALANCE, year_days)
    # The product is taken at the module's working precision, as the sum over the days is.
    with localcontext(Context(prec=PRECISION)):
        expected = (days * daily_interest(balance, rate, year_days)).quantize(
            CENT, rounding=ROUND_HALF_EVEN
        )
    assert interest == expected


@given(periods(), rates, days_in_year)
def test_average_daily_balance_matches_daily_balance(period, rate, days):
    daily = interest_for_period(*period, rate, DAILY_BALANCE, days)
    average = interest_for_period(*period, rate, AVERAGE_DAILY_BALANCE, days)
    assert abs(daily - average) <= CENT


@given(periods(), rates)
def test_minimum_monthly_balance_is_bounded_by_highest_balance(period, rate):
    opening, changes, start, end = period
    highest = max([opening, *(change.balance for change in changes)])
    interest = interest_for_period(opening, changes, start, end, rate, MINIMUM_MONTHLY_BALANCE)
    ceiling = interest_for_period(highest, [], start, end, rate, MINIMUM_MONTHLY_BALANCE)
    assert interest <= ceiling


# compound_maturity_value


def test_compound_reference_quarterly():
    assert compound_maturity_value(D(10000), D(5), 12, "quarterly") == D("10509.45")


@pytest.mark.parametrize(
    ("compounding", "expected"),
    [
        ("monthly", "10511.62"),  # 10,000 * (1 + 0.05/12) ** 12
        ("quarterly", "10509.45"),
        ("semi_annually", "10506.25"),  # 10,000 * 1.025 ** 2
        ("annually", "10500.00"),
        ("simple", "10500.00"),
    ],
)
def test_compound_one_year(compounding, expected):
    assert compound_maturity_value(D(10000), D(5), 12, compounding) == D(expected)


def test_compound_remainder_months_earn_simple_interest():
    # 18 months annually: 10,000 * 1.10 * (1 + 0.10 * 6/12) = 11,550
    assert compound_maturity_value(D(10000), D(10), 18, "annually") == D("11550.00")
    # 7 months quarterly: two quarters, then one month simple: 10,000 * 1.025**2 * (1 + 0.1/12)
    assert compound_maturity_value(D(10000), D(10), 7, "quarterly") == D("10593.80")


def test_compound_simple_interest():
    assert compound_maturity_value(D(10000), D(12), 9, "simple") == D("10900.00")


def test_compound_zero_months_is_principal():
    assert compound_maturity_value(D("1234.5"), D(10), 0, "monthly") == D("1234.50")


def test_compound_refuses_bad_input():
    with pytest.raises(SaccoRuleError, match="Unknown compounding 'daily'"):
        compound_maturity_value(D(1), D(1), 12, "daily")
    with pytest.raises(SaccoRuleError, match="whole number of months"):
        compound_maturity_value(D(1), D(1), -1, "monthly")
    with pytest.raises(SaccoRuleError, match="whole number of months"):
        compound_maturity_value(D(1), D(1), 1.5, "monthly")
    with pytest.raises(SaccoRuleError, match="Principal"):
        compound_maturity_value(D(-1), D(1), 12, "monthly")


@given(
    st.decimals(min_value=D(0), max_value=D("1e8"), places=2),
    rates,
    st.integers(min_value=1, max_value=10),
)
def test_more_frequent_compounding_never_earns_less(principal, rate, years):
    values = [
        compound_maturity_value(principal, rate, 12 * years, compounding)
        for compounding in COMPOUNDING_MODES
    ]
    assert values == sorted(values, reverse=True)
    assert values[-1] >= principal


# Penalty, charges and excise duty


def test_early_withdrawal_penalty():
    assert early_withdrawal_penalty(D("1234.57"), D(50)) == D("617.28")  # 617.285, half-even
    assert early_withdrawal_penalty(D("100.00"), D(100)) == D("100.00")
    assert early_withdrawal_penalty(D("0"), D(25)) == D("0.00")


@pytest.mark.parametrize("rate", [D(-1), D("100.01")])
def test_early_withdrawal_penalty_rate_is_a_percentage(rate):
    with pytest.raises(SaccoRuleError, match="Penalty rate"):
        early_withdrawal_penalty(D(100), rate)


TIERS = [
    ChargeTier(D(5000), D(30)),
    ChargeTier(D(20000), D("60.5")),
    ChargeTier(None, D(100)),
]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.01", "30.00"),
        ("5000", "30.00"),
        ("5000.01", "60.50"),
        ("20000", "60.50"),
        ("1e9", "100.00"),
    ],
)
def test_withdrawal_charge(amount, expected):
    assert withdrawal_charge(D(amount), TIERS) == D(expected)


def test_withdrawal_charge_without_tiers_is_zero():
    assert withdrawal_charge(D(500), []) == D("0.00")


def test_withdrawal_charge_above_bounded_tiers():
    with pytest.raises(SaccoRuleError, match="No withdrawal charge is set for 20,000.01"):
        withdrawal_charge(D("20000.01"), TIERS[:2])


def test_withdrawal_charge_refuses_zero_amount():
    with pytest.raises(SaccoRuleError, match="Withdrawal amount must be greater than zero"):
        withdrawal_charge(D(0), TIERS)


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([ChargeTier(D(100), D(1)), ChargeTier(D(100), D(2))], "strictly increasing"),
        ([ChargeTier(D(200), D(1)), ChargeTier(D(100), D(2))], "strictly increasing"),
        ([ChargeTier(D(0), D(1))], "strictly increasing"),
        ([ChargeTier(None, D(1)), ChargeTier(D(100), D(2))], "Only the last"),
        ([ChargeTier(D(100), D(-1))], "Withdrawal charge must be"),
        ([ChargeTier(D(100), D("1.005"))], "more than 2 decimal places"),
        ([ChargeTier(D(-100), D(1))], "Charge tier limit"),
    ],
)
def test_withdrawal_charge_refuses_bad_tiers(tiers, message):
    with pytest.raises(SaccoRuleError, match=message):
        withdrawal_charge(D(50), tiers)


def test_excise_duty_kenya_rate():
    assert excise_duty(D("33.00"), D(20)) == D("6.60")
    assert excise_duty(D("0.00"), D(20)) == D("0.00")


@pytest.mark.parametrize(("charge", "expected"), [("0.70", "0.11"), ("1.10", "0.17")])
def test_excise_duty_rounds_half_up(charge, expected):
    # 0.105 and 0.165: half-to-even would give 0.10 and 0.16.
    assert excise_duty(D(charge), D(15)) == D(expected)


def test_excise_duty_refuses_negative():
    with pytest.raises(SaccoRuleError, match="Charge"):
        excise_duty(D(-1), D(20))


# Year-end interest and dividends

MONTHLY_DEPOSITS = [D(1000 * month) for month in range(1, 13)]


def test_month_end_pro_rata_worked_example():
    # 1,000 deposited at the start of every month at 12 %: closing balances 1,000..12,000.
    assert month_end_pro_rata(MONTHLY_DEPOSITS, D(12)) == D("780.00")


def test_month_end_pro_rata_counts_the_deposit_month():
    # One deposit of 1,200 during March (the third month) earns March to December: 10 months.
    balances = [D(0), D(0)] + [D(1200)] * 10
    assert month_end_pro_rata(balances, D(12)) == D("120.00")


def test_minimum_balance_pro_rata_worked_example():
    # The same deposits: each month's minimum is the balance before its deposit.
    minima = [D(1000 * month) for month in range(12)]
    assert minimum_balance_pro_rata(minima, D(12)) == D("660.00")


def test_pro_rata_negative_balances_earn_nothing():
    assert month_end_pro_rata([D(-5000)] * 6 + [D(1000)] * 6, D(12)) == D("60.00")


@pytest.mark.parametrize("count", [0, 11, 13])
def test_pro_rata_needs_twelve_balances(count):
    with pytest.raises(SaccoRuleError, match=f"Expected 12 month-end balances.*got {count}"):
        month_end_pro_rata([D(1)] * count, D(12))
    with pytest.raises(SaccoRuleError, match="monthly minimum balances"):
        minimum_balance_pro_rata([D(1)] * count, D(12))
    with pytest.raises(SaccoRuleError, match="month-end share balances"):
        dividend_on_weighted([D(1)] * count, D(12))


def test_pro_rata_rounds_half_even():
    # 12 * 0.125 * 100 % / 12 = 0.125, a half cent: 0.12
    assert month_end_pro_rata([D("0.125")] * 12, D(100)) == D("0.12")


def test_dividend_on_closing():
    assert dividend_on_closing(D("50000"), D(12)) == D("6000.00")
    assert dividend_on_closing(D("333.33"), D(10)) == D("33.33")
    assert dividend_on_closing(D(-5), D(10)) == D("0.00")


def test_dividend_on_weighted():
    # Average of 1,000..12,000 is 6,500; 10 % of it is 650.
    assert dividend_on_weighted(MONTHLY_DEPOSITS, D(10)) == D("650.00")


def test_dividend_refuses_negative_rate():
    with pytest.raises(SaccoRuleError, match="Dividend rate"):
        dividend_on_closing(D(1), D(-1))
    with pytest.raises(SaccoRuleError, match="Dividend rate"):
        dividend_on_weighted([D(1)] * 12, D(-1))


@given(st.lists(balances, min_size=12, max_size=12), rates)
def test_weighted_dividend_equals_month_end_interest(month_ends, rate):
    assert dividend_on_weighted(month_ends, rate) == month_end_pro_rata(month_ends, rate)
    assert month_end_pro_rata(month_ends, rate) >= 0


@given(st.decimals(min_value=D(0), max_value=D("1e9"), places=2), rates)
def test_constant_balance_weighted_equals_closing(balance, rate):
    assert dividend_on_weighted([balance] * 12, rate) == dividend_on_closing(balance, rate)


# Withholding tax


@pytest.mark.parametrize(
    ("gross", "rate", "tax", "net"),
    [
        ("1000.00", 5, "50.00", "950.00"),  # dividends
        ("1234.50", 15, "185.18", "1049.32"),  # interest; 185.175 rounds up
        ("0.10", 5, "0.01", "0.09"),  # 0.005 rounds up
        ("0", 15, "0.00", "0.00"),
    ],
)
def test_withholding_tax(gross, rate, tax, net):
    assert withholding_tax(D(gross), D(rate)) == (D(tax), D(net))


def test_withholding_tax_refuses_bad_input():
    with pytest.raises(SaccoRuleError, match="more than 2 decimal places"):
        withholding_tax(D("10.005"), D(5))
    with pytest.raises(SaccoRuleError, match="Withholding tax rate must be at most 100"):
        withholding_tax(D(10), D(101))
    with pytest.raises(SaccoRuleError, match="Gross amount"):
        withholding_tax(D(-10), D(5))


@given(st.decimals(min_value=D(0), max_value=D("1e12"), places=2), st.sampled_from([5, 15]))
def test_withholding_tax_splits_gross(gross, rate):
    tax, net = withholding_tax(gross, D(rate))
    assert tax + net == gross
    assert abs(tax - gross * rate / 100) <= CENT / 2
    assert tax == tax.quantize(CENT) and net == net.quantize(CENT)
