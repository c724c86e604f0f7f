from datetime import date
from decimal import Decimal

import pytest

from sacco_core.mobile_api import (
    MAX_DOCUMENT_BYTES,
    check_document,
    check_value_limits,
    masked_name,
    page_bounds,
    statement_period,
)
from sacco_core.mobile_auth import ERRORS, MobileApiError

TODAY = date(2026, 12, 3)
PDF = b"%PDF-1.7\n" + b"x" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"x" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"x" * 100


def test_page_bounds():
    assert page_bounds(None, None) == (0, 20)
    assert page_bounds(3, 50) == (100, 50)
    assert page_bounds(1, 100) == (0, 100)
    for page, size in [(0, 20), (-1, 20), (1, 0), (1, 101)]:
        with pytest.raises(MobileApiError) as error:
            page_bounds(page, size)
        assert error.value.code == "validation_error"


def test_statement_period_defaults_and_edges():
    assert statement_period(None, None, TODAY) == (date(2026, 11, 4), TODAY)
    assert statement_period(date(2026, 1, 1), date(2026, 1, 31), TODAY) == (
        date(2026, 1, 1),
        date(2026, 1, 31),
    )
    assert statement_period(date(2025, 12, 3), TODAY, TODAY) == (date(2025, 12, 3), TODAY)
    assert statement_period(TODAY, TODAY, TODAY) == (TODAY, TODAY)


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (None, date(2026, 12, 4), "future"),
        (date(2026, 12, 2), date(2026, 12, 1), "start before it ends"),
        (date(2025, 12, 2), TODAY, "at most 366 days"),
    ],
)
def test_statement_period_refusals(first, last, message):
    with pytest.raises(MobileApiError, match=message) as error:
        statement_period(first, last, TODAY)
    assert error.value.code == "validation_error"


@pytest.mark.parametrize(
    ("filename", "content_type", "content"),
    [
        ("id-front.pdf", "application/pdf", PDF),
        ("ID.JPG", "image/jpeg", JPEG),
        ("photo.jpeg", "IMAGE/JPEG; charset=binary", JPEG),
        ("kra.png", "image/png", PNG),
    ],
)
def test_accepted_documents(filename, content_type, content):
    assert check_document(filename, content_type, content) == content_type.split(";")[0].lower()


@pytest.mark.parametrize(
    ("filename", "content_type", "content", "code"),
    [
        ("virus.exe", "application/x-msdownload", b"MZ", "unsupported_media_type"),
        ("page.html", "text/html", b"<html>", "unsupported_media_type"),
        ("id.pdf", "", PDF, "unsupported_media_type"),
        ("id.pdf", "application/pdf", b"", "validation_error"),
        ("id.pdf", "application/pdf", b"%PDF-" + b"x" * MAX_DOCUMENT_BYTES, "payload_too_large"),
        ("id.png", "application/pdf", PDF, "validation_error"),
        ("id", "application/pdf", PDF, "validation_error"),
        ("id.pdf", "application/pdf", PNG, "validation_error"),
        ("id.jpg", "image/jpeg", b"<script>", "validation_error"),
    ],
)
def test_refused_documents(filename, content_type, content, code):
    with pytest.raises(MobileApiError) as error:
        check_document(filename, content_type, content)
    assert error.value.code == code
    assert code in ERRORS


def test_size_limit_is_inclusive():
    content = b"%PDF-" + b"x" * (MAX_DOCUMENT_BYTES - 5)
    assert check_document("a.pdf", "application/pdf", content) == "application/pdf"


@pytest.mark.parametrize(
    ("amount", "spent", "per_txn", "daily", "ok"),
    [
        ("100", "0", "1000", "5000", True),
        ("1000", "0", "1000", "5000", True),
        ("1000.01", "0", "1000", "5000", False),
        ("1000", "4000", "1000", "5000", True),
        ("1000", "4000.01", "1000", "5000", False),
        ("999999", "999999", "0", "0", True),
    ],
)
def test_value_limits(amount, spent, per_txn, daily, ok):
    args = [Decimal(v) for v in (amount, spent, per_txn, daily)]
    if ok:
        assert check_value_limits(*args) == Decimal(amount)
    else:
        with pytest.raises(MobileApiError) as error:
            check_value_limits(*args)
        assert error.value.code == "limit_exceeded"


def test_daily_limit_says_what_is_left():
    with pytest.raises(MobileApiError, match="4,000.00 is left"):
        check_value_limits(Decimal(5000), Decimal(1000), Decimal(0), Decimal(5000))


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Otieno Odhiambo", "Otieno O."),
        ("Njeri wa Mwangi", "Njeri W. M."),
        ("Amina", "Amina"),
        ("", "?"),
    ],
)
def test_masked_name(name, shown):
    assert masked_name(name) == shown
