from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import InvalidIdentity
from sacco_core.identity import (
    ID_TYPES,
    age_on,
    check_minimum_age,
    normalize_identity,
    normalize_kra_pin,
)


def test_id_types():
    assert ID_TYPES == ("national_id", "passport", "alien_id", "registration")


@pytest.mark.parametrize(
    ("id_type", "value", "expected"),
    [
        ("national_id", "123456", "123456"),
        ("national_id", " 1234 5678 ", "12345678"),
        ("national_id", "123456789", "123456789"),
        ("passport", "a123456", "A123456"),
        ("passport", "AK 0123456", "AK0123456"),
        ("passport", "ab12345678", "AB12345678"),
        ("passport", "c01x45678", "C01X45678"),
        ("passport", "1234567", "1234567"),
        ("alien_id", "012345", "012345"),
        ("alien_id", "123456789", "123456789"),
        ("registration", "cpr/2015/123456", "CPR/2015/123456"),
        ("registration", "PVT-ABC 123", "PVT-ABC123"),
        ("registration", "ab1", "AB1"),
        ("registration", "A" * 30, "A" * 30),
    ],
)
def test_normalize_identity_accepts(id_type, value, expected):
    assert normalize_identity(id_type, value) == expected


@pytest.mark.parametrize(
    ("id_type", "value", "message"),
    [
        (
            "national_id",
            "12AB",
            "'12AB' is not a valid national ID number (6 to 9 digits, not starting with 0).",
        ),
        ("national_id", "12345", "'12345' is not a valid national ID number"),
        ("national_id", "1234567890", "'1234567890' is not a valid national ID number"),
        ("national_id", "01234567", "'01234567' is not a valid national ID number"),
        ("national_id", "000000", "'000000' is not a valid national ID number"),
        ("passport", "ABCDEFGH", "'ABCDEFGH' is not a valid passport number"),
        ("passport", "A12345", "'A12345' is not a valid passport number"),
        ("passport", "ABC1234567", "'ABC1234567' is not a valid passport number"),
        ("passport", "A12-3456", "'A12-3456' is not a valid passport number"),
        ("alien_id", "12345", "'12345' is not a valid alien ID number (6 to 9 digits)."),
        ("alien_id", "A123456", "'A123456' is not a valid alien ID number"),
        ("registration", "AB", "'AB' is not a valid registration number"),
        ("registration", "///", "'///' is not a valid registration number"),
        ("registration", "A" * 31, "is not a valid registration number"),
        ("registration", "CPR_2015", "'CPR_2015' is not a valid registration number"),
    ],
)
def test_normalize_identity_refuses(id_type, value, message):
    with pytest.raises(InvalidIdentity) as error:
        normalize_identity(id_type, value)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("id_type", "name"),
    [("national_id", "national ID number"), ("passport", "passport number")],
)
@pytest.mark.parametrize("value", ["", "  ", None, False])
def test_normalize_identity_requires_value(id_type, name, value):
    with pytest.raises(InvalidIdentity, match=f"^The {name} is required\\.$"):
        normalize_identity(id_type, value)


@pytest.mark.parametrize("id_type", ["driving_licence", "", None, "NATIONAL_ID"])
def test_normalize_identity_refuses_unknown_type(id_type):
    with pytest.raises(InvalidIdentity, match="Unknown identity document type"):
        normalize_identity(id_type, "12345678")


@given(st.integers(min_value=100_000, max_value=999_999_999), st.sampled_from(["", " ", "\t"]))
def test_national_id_normalization_is_idempotent(number, padding):
    normalized = normalize_identity("national_id", f"{padding}{number}{padding}")
    assert normalized == str(number)
    assert normalize_identity("national_id", normalized) == normalized


@given(st.sampled_from(ID_TYPES), st.text(max_size=35))
def test_normalized_identities_are_fixed_points(id_type, value):
    try:
        normalized = normalize_identity(id_type, value)
    except InvalidIdentity:
        return
    assert normalized == normalized.upper()
    assert not any(char.isspace() for char in normalized)
    assert normalize_identity(id_type, normalized) == normalized


@pytest.mark.parametrize(
    ("value", "expected"),
    [("A012345678Z", "A012345678Z"), (" p051234567k ", "P051234567K")],
)
def test_normalize_kra_pin(value, expected):
    assert normalize_kra_pin(value) == expected


@pytest.mark.parametrize(
    "value",
    ["B012345678Z", "A01234567Z", "A0123456789Z", "A0123456789", "012345678Z", "A01234567ZZ"],
)
def test_normalize_kra_pin_refuses(value):
    expected = f"^'{value}' is not a valid KRA PIN \\(A or P, 9 digits and a letter"
    with pytest.raises(InvalidIdentity, match=expected):
        normalize_kra_pin(value)


@pytest.mark.parametrize("value", ["", None])
def test_normalize_kra_pin_requires_value(value):
    with pytest.raises(InvalidIdentity, match=r"^The KRA PIN is required\.$"):
        normalize_kra_pin(value)


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2000, 5, 10), date(2018, 5, 9), 17),
        (date(2000, 5, 10), date(2018, 5, 10), 18),
        (date(2000, 5, 10), date(2000, 5, 10), 0),
        (date(2004, 2, 29), date(2022, 2, 28), 17),
        (date(2004, 2, 29), date(2022, 3, 1), 18),
        (date(2004, 2, 29), date(2024, 2, 28), 19),
        (date(2004, 2, 29), date(2024, 2, 29), 20),
        (date(2000, 12, 31), date(2001, 1, 1), 0),
    ],
)
def test_age_on(born, on, age):
    assert age_on(born, on) == age


def test_age_on_refuses_birth_after_reference_date():
    with pytest.raises(InvalidIdentity, match=r"^Date of birth \(2030-01-02\) is in the future\.$"):
        age_on(date(2030, 1, 2), date(2030, 1, 1))


@given(st.dates(max_value=date(2100, 1, 1)), st.integers(min_value=0, max_value=40_000))
def test_age_grows_by_one_per_birthday(born, days):
    on = born + timedelta(days=days)
    age = age_on(born, on)
    assert 0 <= age <= days // 365
    assert age_on(born, on + timedelta(days=1)) in (age, age + 1)


def test_check_minimum_age_passes_on_birthday():
    assert check_minimum_age(date(2007, 3, 1), date(2025, 3, 1), 18) is None


def test_check_minimum_age_refuses_minor():
    with pytest.raises(
        InvalidIdentity, match=r"^Member must be at least 18 years old \(is 17\)\.$"
    ):
        check_minimum_age(date(2007, 3, 2), date(2025, 3, 1), 18)


def test_check_minimum_age_refuses_future_birth():
    with pytest.raises(InvalidIdentity, match="is in the future"):
        check_minimum_age(date(2026, 1, 1), date(2025, 1, 1), 18)
