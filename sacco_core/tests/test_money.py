from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import CENT, require_positive, to_money

two_places = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False
)
any_places = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False
)


def test_cent():
    assert Decimal("0.01") == CENT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10", "10.00"),
        (" 10.5 ", "10.50"),
        ("10.500", "10.50"),
        (7, "7.00"),
        (Decimal("1.10"), "1.10"),
        (0.1, "0.10"),
        (1234.56, "1234.56"),
        ("-3.2", "-3.20"),
        ("-0", "0.00"),
    ],
)
def test_strict_accepts_two_places(value, expected):
    result = to_money(value)
    assert isinstance(result, Decimal)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.005", "10.00"),
        ("10.015", "10.02"),
        ("10.0151", "10.02"),
        (0.1 + 0.2, "0.30"),
        ("-0.001", "0.00"),
    ],
)
def test_lenient_rounds_half_even(value, expected):
    assert str(to_money(value, strict=False)) == expected


@pytest.mark.parametrize("value", ["10.505", "0.001", 0.1 + 0.2, Decimal("1E-7")])
def test_strict_refuses_more_than_two_places(value):
    with pytest.raises(SaccoRuleError, match="more than 2 decimal places"):
        to_money(value)


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("value", ["NaN", "-Infinity", float("inf"), float("nan"), Decimal("sNaN")])
def test_refuses_non_finite(value, strict):
    with pytest.raises(SaccoRuleError, match="must be a finite number"):
        to_money(value, strict=strict)


@pytest.mark.parametrize("value", ["", "abc", "1,000", None, True, [1], b"10"])
def test_refuses_non_numbers(value):
    with pytest.raises(SaccoRuleError, match="is not a valid amount"):
        to_money(value, strict=False)


def test_refuses_amounts_beyond_decimal_precision():
    with pytest.raises(SaccoRuleError, match="too large"):
        to_money("1e30")


@given(two_places)
def test_two_place_values_are_unchanged(amount):
    assert to_money(amount) == amount
    assert to_money(str(amount)) == amount


@given(any_places)
def test_round_trip_through_text(amount):
    money = to_money(amount, strict=False)
    assert to_money(str(money)) == money
    assert money == money.quantize(CENT)
    assert abs(money - amount) <= CENT / 2


@given(any_places)
def test_strict_refuses_exactly_what_would_be_rounded(amount):
    if amount == amount.quantize(CENT):
        assert to_money(amount) == amount
    else:
        with pytest.raises(SaccoRuleError):
            to_money(amount)


def test_require_positive_returns_amount():
    assert require_positive(Decimal("0.01")) == Decimal("0.01")


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-0.00"), Decimal("-5")])
def test_require_positive_refuses_zero_and_negative(amount):
    with pytest.raises(SaccoRuleError, match=r"^Loan amount must be greater than zero\.$"):
        require_positive(amount, "Loan amount")


def test_require_positive_default_name():
    with pytest.raises(SaccoRuleError, match=r"^Amount must be greater than zero\.$"):
        require_positive(Decimal(0))


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity")])
def test_require_positive_refuses_non_finite(amount):
    with pytest.raises(SaccoRuleError, match="finite"):
        require_positive(amount)


@pytest.mark.parametrize("amount", [1, 1.5, "1"])
def test_require_positive_refuses_non_decimal(amount):
    with pytest.raises(TypeError, match="must be a Decimal"):
        require_positive(amount)
