import re

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import InvalidPhoneNumber
from sacco_core.phones import mask_msisdn, normalize_msisdn, to_msisdn_digits

# Kenyan mobile subscriber numbers (national significant number, 9 digits) as the
# phonenumbers metadata defines them: 7XX XXX XXX, 10[0-8] XXX XXX and 11X XXX XXX.
kenyan_mobiles = st.one_of(
    st.from_regex(r"7[0-9]{8}", fullmatch=True),
    st.from_regex(r"10[0-8][0-9]{6}", fullmatch=True),
    st.from_regex(r"11[0-9]{7}", fullmatch=True),
)
ACCEPTED_FORMS = [
    "0{0}",
    "{0}",
    "+254{0}",
    "254{0}",
    "00254{0}",
    "000254{0}",
    "+254 {0}",
    " 0{0} ",
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0712345678", "+254712345678"),
        ("0712 345 678", "+254712345678"),
        ("0712-345-678", "+254712345678"),
        ("(0712) 345.678", "+254712345678"),
        ("712345678", "+254712345678"),
        ("+254712345678", "+254712345678"),
        ("254712345678", "+254712345678"),
        ("00254712345678", "+254712345678"),
        ("000254712345678", "+254712345678"),
        ("+254 0712345678", "+254712345678"),
        ("0722000000", "+254722000000"),
        ("0110123456", "+254110123456"),
        ("0111 123 456", "+254111123456"),
        ("0100123456", "+254100123456"),
        ("+1 650 253 0000", "+16502530000"),
        ("+44 7911 123456", "+447911123456"),
        ("0744 123 456", "+254744123456"),
    ],
)
def test_normalize_accepts_valid_mobiles(raw, expected):
    assert normalize_msisdn(raw) == expected


def test_normalize_uses_region_for_national_forms():
    assert normalize_msisdn("0712 345 678", region="TZ") == "+255712345678"


@pytest.mark.parametrize(
    "raw",
    [
        "0712",
        "07123456789",
        "0202222222",  # Nairobi landline: no SMS, no M-Pesa
        "0412222222",
        "0800123456",
        "0109123456",
        "+",
        "+999 123 456",
        "O712345678",  # letter O, would be read as a vanity digit
        "tel:+254712345678",
        "0712345678 ext 5",
        "0712345678#5",
        "abc",
    ],
)
def test_normalize_refuses_invalid_or_non_mobile(raw):
    expected = re.escape(
        f"'{raw.strip()}' is not a valid mobile number (use 07XX XXX XXX, 01XX XXX XXX or +254...)."
    )
    with pytest.raises(InvalidPhoneNumber, match=f"^{expected}$"):
        normalize_msisdn(raw)


def test_normalize_refuses_unknown_region():
    with pytest.raises(InvalidPhoneNumber):
        normalize_msisdn("0712345678", region="XX")


@pytest.mark.parametrize("raw", ["", "   ", None, False])
def test_normalize_requires_a_number(raw):
    with pytest.raises(InvalidPhoneNumber, match=r"^A mobile number is required\.$"):
        normalize_msisdn(raw)


@given(kenyan_mobiles)
def test_every_accepted_form_gives_the_same_e164(subscriber):
    results = {normalize_msisdn(form.format(subscriber)) for form in ACCEPTED_FORMS}
    assert results == {f"+254{subscriber}"}


@given(kenyan_mobiles)
def test_grouped_national_forms_are_accepted(subscriber):
    grouped = f"0{subscriber[:3]} {subscriber[3:6]} {subscriber[6:]}"
    assert normalize_msisdn(grouped) == normalize_msisdn(grouped.replace(" ", "-"))


@given(kenyan_mobiles)
def test_normalize_is_idempotent(subscriber):
    e164 = normalize_msisdn(f"0{subscriber}")
    assert normalize_msisdn(e164) == e164


@given(st.text(max_size=20))
def test_normalize_returns_valid_e164_or_refuses(raw):
    try:
        e164 = normalize_msisdn(raw)
    except InvalidPhoneNumber:
        return
    assert phonenumbers.is_valid_number(phonenumbers.parse(e164, None))
    assert normalize_msisdn(e164) == e164


def test_to_msisdn_digits():
    assert to_msisdn_digits("+254712345678") == "254712345678"


@pytest.mark.parametrize("value", ["254712345678", "0712345678", "+254 712 345 678", "", None])
def test_to_msisdn_digits_requires_e164(value):
    with pytest.raises(InvalidPhoneNumber, match=r"is not an E\.164 phone number"):
        to_msisdn_digits(value)


def test_to_msisdn_digits_refuses_unknown_country_code():
    with pytest.raises(InvalidPhoneNumber, match="unknown country code"):
        to_msisdn_digits("+999123456")


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+254712345678", "+2547****5678"),
        ("+254110123456", "+2541****3456"),
        ("+16502530000", "+16*****0000"),
        ("+6834002", "+6834*02"),
    ],
)
def test_mask_msisdn(e164, masked):
    assert mask_msisdn(e164) == masked


def test_mask_msisdn_requires_e164():
    with pytest.raises(InvalidPhoneNumber):
        mask_msisdn("0712345678")


@given(kenyan_mobiles)
def test_mask_keeps_length_prefix_and_suffix(subscriber):
    e164 = f"+254{subscriber}"
    masked = mask_msisdn(e164)
    assert len(masked) == len(e164)
    assert masked.startswith(e164[:5])
    assert masked.endswith(e164[-4:])
    assert masked[5:-4] == "****"
    assert to_msisdn_digits(e164) == e164[1:]
