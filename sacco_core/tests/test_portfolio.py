from datetime import date
from decimal import Decimal

import pytest

from sacco_core.exceptions import SaccoRuleError
from sacco_core.portfolio import (
    Bands,
    Rates,
    add_months,
    arrears_reminder_due,
    cap_charges,
    classify,
    days_past_due,
    in_duplum_room,
    penalty_charge,
    penalty_period,
    provision,
)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, "performing"),
        (1, "watch"),
        (30, "watch"),
        (31, "substandard"),
        (180, "substandard"),
        (181, "doubtful"),
        (360, "doubtful"),
        (361, "loss"),
        (5000, "loss"),
    ],
)
def test_classify_default_sasra_bands(days, expected):
    assert classify(days) == expected


def test_classify_custom_bands():
    bands = Bands(watch=10, substandard=90, doubtful=180)
    assert classify(11, bands) == "substandard"
    assert classify(181, bands) == "loss"


def test_bands_must_rise():
    with pytest.raises(SaccoRuleError):
        Bands(watch=30, substandard=30, doubtful=360)
    with pytest.raises(SaccoRuleError):
        Bands(watch=0)


def test_negative_days_refused():
    with pytest.raises(SaccoRuleError):
        classify(-1)


@pytest.mark.parametrize(
    ("sasra_class", "expected"),
    [
        ("performing", "1000.00"),
        ("watch", "5000.00"),
        ("substandard", "25000.00"),
        ("doubtful", "50000.00"),
        ("loss", "100000.00"),
    ],
)
def test_provision_default_rates(sasra_class, expected):
    assert provision(Decimal("100000"), sasra_class) == Decimal(expected)


def test_provision_rounds_half_up():
    assert provision(Decimal("100.50"), "performing") == Decimal("1.01")


def test_rates_are_percentages():
    with pytest.raises(SaccoRuleError):
        Rates(loss=Decimal(101))
    assert Rates(watch=Decimal("2.5")).rate("watch") == Decimal("2.5")


def test_days_past_due():
    assert days_past_due(None, date(2026, 3, 1)) == 0
    assert days_past_due(date(2026, 3, 2), date(2026, 3, 1)) == 0
    assert days_past_due(date(2026, 2, 1), date(2026, 3, 1)) == 28


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 2) == date(2026, 3, 31)
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)


def test_penalty_period_monthly_after_grace():
    due = date(2026, 1, 10)
    assert penalty_period(due, 5, date(2026, 2, 15)) == 1
    assert penalty_period(due, 5, date(2026, 3, 15)) == 2
    assert penalty_period(due, 5, date(2026, 2, 14)) is None
    assert penalty_period(due, 5, date(2026, 1, 15)) is None
    assert penalty_period(due, 5, date(2026, 1, 1)) is None


def test_penalty_period_month_end():
    assert penalty_period(date(2026, 1, 31), 0, date(2026, 2, 28)) == 1
    assert penalty_period(date(2026, 1, 31), 0, date(2026, 3, 31)) == 2


def test_penalty_charge_rate_and_cap():
    assert penalty_charge(Decimal(1000), Decimal(5), Decimal(1000), Decimal(0)) == Decimal("50.00")
    capped = penalty_charge(
        Decimal(1000), Decimal(5), Decimal(1000), Decimal(70), cap_percent=Decimal(10)
    )
    assert capped == Decimal("30.00")
    spent = penalty_charge(
        Decimal(1000), Decimal(5), Decimal(1000), Decimal(100), cap_percent=Decimal(10)
    )
    assert spent == Decimal(0)


def test_in_duplum_room_and_caps():
    assert in_duplum_room(Decimal(100), Decimal(60), Decimal(30)) == Decimal(10)
    assert in_duplum_room(Decimal(100), Decimal(90), Decimal(30)) == Decimal(0)
    assert cap_charges([Decimal(6), Decimal(6), Decimal(6)], Decimal(10)) == [
        Decimal(6),
        Decimal(4),
        Decimal(0),
    ]


@pytest.mark.parametrize(
    ("days", "expected"), [(0, False), (1, True), (2, False), (30, True), (45, False), (60, True)]
)
def test_arrears_reminders(days, expected):
    assert arrears_reminder_due(days) is expected
