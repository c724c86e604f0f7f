import math
from decimal import Decimal
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.exceptions import InvalidTemplate
from sacco_core.sms import render_sms, retry_delay_seconds, sms_amount, sms_segments

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "\f^{}\\[~]|€"
VALUES = {"name": "Wanjiku", "amount": Decimal("1234.5"), "balance": 0}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Dear {name}, you paid KES {amount:,.2f}.", "Dear Wanjiku, you paid KES 1,234.50."),
        ("  {name}\n", "Wanjiku"),
        ("{{name}} is {name!r}", "{name} is 'Wanjiku'"),
        ("Balance {balance}", "Balance 0"),
        ("No placeholders", "No placeholders"),
        ("", ""),
    ],
)
def test_render_sms(body, expected):
    assert render_sms(body, VALUES) == expected


def test_render_sms_accepts_any_mapping():
    assert render_sms("Hi {name}", MappingProxyType({"name": "Otieno"})) == "Hi Otieno"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hi {member}", "SMS template uses unknown placeholder '{member}'."),
        (
            "{name.upper}",
            "SMS template placeholder '{name.upper}' is not allowed; use plain names.",
        ),
        ("{name[0]}", "SMS template placeholder '{name[0]}' is not allowed"),
        ("{}", "SMS template placeholder '{}' is not allowed"),
        ("{0}", "SMS template placeholder '{0}' is not allowed"),
        ("{amount:{name}}", "SMS template placeholder '{amount}' nests a placeholder."),
        ("Hi {name", "SMS template is invalid: expected '}' before end of string."),
        ("Hi name}", "SMS template is invalid: Single '}' encountered in format string."),
        ("{name:d}", "SMS template is invalid: Unknown format code 'd'"),
        ("{name!z}", "SMS template is invalid: Unknown conversion specifier z."),
    ],
)
def test_render_sms_refuses(body, message):
    with pytest.raises(InvalidTemplate) as error:
        render_sms(body, VALUES)
    assert str(error.value).startswith(message)


def test_render_sms_refuses_format_spec_for_value_type():
    with pytest.raises(InvalidTemplate, match="unsupported format string passed to NoneType"):
        render_sms("{due:.2f}", {"due": None})


@pytest.mark.parametrize("body", [None, False])
def test_render_sms_requires_template(body):
    with pytest.raises(InvalidTemplate, match=r"^An SMS template is required\.$"):
        render_sms(body, VALUES)


@given(st.text(alphabet=st.characters(blacklist_characters="{}")))
def test_text_without_braces_renders_to_itself(text):
    assert render_sms(text, {}) == text.strip()


@given(st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,9}", fullmatch=True), st.text()))
def test_placeholders_are_filled_verbatim(values):
    body = "|".join(f"{{{key}}}" for key in values)
    assert render_sms(body, values) == "|".join(values.values()).strip()


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 0),
        ("a", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("a" * 158 + "[", 1),
        ("a" * 152 + "{" + "a" * 10, 2),
        ("a" * 153 + "{" * 76 + "a", 2),
        # 306 septets, but an escape pair never straddles two parts
        ("a" * 152 + "{" * 77, 3),
        ("Ç" * 160, 1),
        ("ç", 1),
        ("ç" * 70, 1),
        ("ç" * 71, 2),
        ("Habari 😀", 1),
        ("😀" * 35, 1),
        ("😀" * 36, 2),
        ("Ж" * 134, 2),
        ("Ж" * 135, 3),
        ("a" * 66 + "😀" + "a" * 10, 2),
    ],
)
def test_sms_segments(text, segments):
    assert sms_segments(text) == segments


@given(st.text(alphabet=GSM_BASIC, min_size=1, max_size=1000))
def test_gsm7_segments(text):
    expected = 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    assert sms_segments(text) == expected


@given(st.text(alphabet="ЖДЛжäлщ", min_size=1, max_size=1000).filter(lambda t: "Ж" in t))
def test_ucs2_segments(text):
    expected = 1 if len(text) <= 70 else math.ceil(len(text) / 67)
    assert sms_segments(text) == expected


@given(st.text(alphabet=GSM_BASIC + GSM_EXTENSION, max_size=600))
def test_extension_characters_never_save_parts(text):
    septets = len(text) + sum(char in GSM_EXTENSION for char in text)
    lower_bound = 0 if not text else 1 if septets <= 160 else math.ceil(septets / 153)
    assert lower_bound <= sms_segments(text) <= max(lower_bound, 1) + septets // 153


@pytest.mark.parametrize(
    ("attempt", "delay"),
    [(1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (100, 3600), (10**9, 3600)],
)
def test_retry_delay_seconds(attempt, delay):
    assert retry_delay_seconds(attempt) == delay


def test_retry_delay_custom_base_and_cap():
    assert [retry_delay_seconds(n, base=5, cap=30) for n in range(1, 6)] == [5, 10, 20, 30, 30]
    assert retry_delay_seconds(1, base=100, cap=10) == 10
    assert retry_delay_seconds(5, base=0) == 0


@pytest.mark.parametrize("attempt", [0, -1])
def test_retry_delay_refuses_attempt_below_one(attempt):
    with pytest.raises(ValueError, match="must be 1 or more"):
        retry_delay_seconds(attempt)


@pytest.mark.parametrize(("base", "cap"), [(-1, 3600), (60, -1)])
def test_retry_delay_refuses_negative_settings(base, cap):
    with pytest.raises(ValueError, match="must not be negative"):
        retry_delay_seconds(1, base=base, cap=cap)


@given(
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=0, max_value=10**4),
    st.integers(min_value=0, max_value=10**6),
)
def test_retry_delay_is_monotonic_and_capped(attempt, base, cap):
    delay = retry_delay_seconds(attempt, base=base, cap=cap)
    assert delay <= cap
    assert delay <= retry_delay_seconds(attempt + 1, base=base, cap=cap)
    assert delay == min(cap, base * 2 ** min(attempt - 1, 64))


def test_sms_amount_uses_the_currency_code_and_two_decimals():
    assert sms_amount("KES", Decimal("1250")) == "KES 1,250.00"
    assert sms_amount("KES", 0.1 + 0.2) == "KES 0.30"
