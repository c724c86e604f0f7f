from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import InvalidTemplate, SaccoRuleError
from sacco_core.members import (
    DEFAULT_MEMBER_NUMBER_TEMPLATE,
    allocation_total_is_complete,
    format_member_number,
    validate_member_number_template,
)

prefixes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ/-", max_size=6)
sequences = st.integers(min_value=0, max_value=10**9)
years = st.integers(min_value=1990, max_value=2100)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (DEFAULT_MEMBER_NUMBER_TEMPLATE, "MBR00042"),
        ("{prefix}/{year}/{seq:04d}", "MBR/2025/0042"),
        ("{year}{seq:06}", "2025000042"),
        ("  {prefix}-{seq}  ", "MBR-42"),
        ("{{{seq}}}", "{42}"),
        ("{prefix!s}{seq:>5}", "MBR   42"),
    ],
)
def test_format_member_number(template, expected):
    assert format_member_number(template, prefix="MBR", seq=42, year=2025) == expected


def test_default_template_pads_to_five_digits():
    assert DEFAULT_MEMBER_NUMBER_TEMPLATE == "{prefix}{seq:05d}"
    assert format_member_number(DEFAULT_MEMBER_NUMBER_TEMPLATE, prefix="", seq=7, year=2025) == (
        "00007"
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{prefix}", "must contain {seq} to keep numbers unique"),
        ("", "must contain {seq}"),
        ("{name}{seq}", "uses unknown placeholder '{name}'; use {prefix}, {seq} and {year}."),
        ("{seq.real}", "unknown placeholder '{seq.real}'"),
        ("{seq[0]}", "unknown placeholder '{seq[0]}'"),
        ("{}{seq}", "uses a positional placeholder"),
        ("{0}{seq}", "uses a positional placeholder"),
        ("{seq:{year}}", "nests a placeholder in a format spec"),
        ("{prefix}{seq", "is invalid: expected '}' before end of string."),
        ("}{seq}", "is invalid: Single '}' encountered in format string."),
        ("{prefix:d}{seq}", "is invalid: Unknown format code 'd'"),
        ("{seq!x}", "is invalid: Unknown conversion specifier x."),
    ],
)
def test_invalid_templates(template, message):
    with pytest.raises(InvalidTemplate) as error:
        validate_member_number_template(template)
    assert str(error.value).startswith(f"Member number template '{template}'")
    assert message in str(error.value)
    with pytest.raises(InvalidTemplate):
        format_member_number(template, prefix="M", seq=1, year=2025)


@pytest.mark.parametrize("template", [None, False])
def test_template_is_required(template):
    with pytest.raises(InvalidTemplate, match=r"^A member number template is required\.$"):
        validate_member_number_template(template)


def test_empty_result_is_refused():
    # seq 32 as a character is a space, which stripping removes.
    with pytest.raises(InvalidTemplate, match="gives an empty number"):
        format_member_number("{seq:c}", prefix="", seq=32, year=2025)


@pytest.mark.parametrize("template", [DEFAULT_MEMBER_NUMBER_TEMPLATE, "{prefix}/{year}/{seq:04d}"])
def test_validate_returns_template_unchanged(template):
    assert validate_member_number_template(template) is template


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"prefix": False, "seq": 1, "year": 2025}, "prefix must be text, not False"),
        ({"prefix": "M", "seq": -1, "year": 2025}, "non-negative integer, not -1"),
        ({"prefix": "M", "seq": True, "year": 2025}, "non-negative integer, not True"),
        ({"prefix": "M", "seq": "1", "year": 2025}, "non-negative integer, not '1'"),
        ({"prefix": "M", "seq": 1, "year": "2025"}, "year must be an integer, not '2025'"),
    ],
)
def test_wrong_values_are_refused(values, message):
    with pytest.raises(SaccoRuleError, match=message):
        format_member_number(DEFAULT_MEMBER_NUMBER_TEMPLATE, **values)


@given(prefixes, sequences, years)
def test_default_template_round_trips_seq(prefix, seq, year):
    number = format_member_number(DEFAULT_MEMBER_NUMBER_TEMPLATE, prefix=prefix, seq=seq, year=year)
    assert number.startswith(prefix)
    digits = number[len(prefix) :]
    assert len(digits) >= 5
    assert int(digits) == seq


@given(prefixes, sequences, years)
def test_year_template_round_trips(prefix, seq, year):
    number = format_member_number("{prefix}.{year}.{seq:04d}", prefix=prefix, seq=seq, year=year)
    got_prefix, got_year, got_seq = number.rsplit(".", 2)
    assert (got_prefix, int(got_year), int(got_seq)) == (prefix, year, seq)


@given(sequences, sequences)
def test_distinct_sequences_give_distinct_numbers(first, second):
    numbers = {
        format_member_number(DEFAULT_MEMBER_NUMBER_TEMPLATE, prefix="M", seq=seq, year=2025)
        for seq in (first, second)
    }
    assert len(numbers) == len({first, second})


@pytest.mark.parametrize(
    "percentages",
    [
        [Decimal(100)],
        ["50", "50.00"],
        [33.33, 33.33, 33.34],
        [Decimal("12.5"), 37.5, "50"],
        [150, -50],
    ],
)
def test_allocation_complete(percentages):
    assert allocation_total_is_complete(percentages) is True


@pytest.mark.parametrize(
    "percentages",
    [[], [Decimal("99.99")], [33.33, 33.33, 33.33], ["100.01"], [Decimal("50"), 49.99, 0]],
)
def test_allocation_incomplete(percentages):
    assert allocation_total_is_complete(percentages) is False


def test_allocation_rounds_each_share_like_odoo_stores_it():
    # 0.005 rounds half-to-even to 0.00, so the total stays 99.99 + 0.00.
    assert allocation_total_is_complete(["99.99", "0.005"]) is False
    assert allocation_total_is_complete(["99.99", "0.006"]) is True


def test_allocation_refuses_non_numbers():
    with pytest.raises(SaccoRuleError, match="is not a valid amount"):
        allocation_total_is_complete(["50", "half"])


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=10))
def test_allocation_of_cents_summing_to_100_is_complete(cuts):
    # Split 100.00 at the given cent positions into shares.
    points = sorted({0, 10_000, *cuts})
    shares = [Decimal(high - low) / 100 for low, high in pairwise(points)]
    assert allocation_total_is_complete(shares)
    assert not allocation_total_is_complete([*shares, Decimal("0.01")])
    assert allocation_total_is_complete(float(share) for share in shares)
