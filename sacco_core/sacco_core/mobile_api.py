"""Request rules of the members' mobile API: pagination, statement periods and KYC uploads.

Every refusal is a ``mobile_auth.MobileApiError`` carrying the code of
``mobile_auth.ERRORS`` the API answers with, and an English message for the member.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import PurePosixPath

from sacco_core.mobile_auth import MobileApiError

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
DEFAULT_STATEMENT_DAYS, MAX_STATEMENT_DAYS = 30, 366
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


def page_bounds(
    page: int | None, size: int | None, maximum: int = MAX_PAGE_SIZE
) -> tuple[int, int]:
    """(offset, limit) of 1-based ``page`` of ``size`` rows (defaults: page 1, 20 rows)."""
    page = 1 if page is None else page
    size = DEFAULT_PAGE_SIZE if size is None else size
    if page < 1:
        raise MobileApiError("validation_error", "The page number starts at 1.")
    if not 1 <= size <= maximum:
        raise MobileApiError("validation_error", f"A page holds 1 to {maximum} rows.")
    return (page - 1) * size, size


def statement_period(
    date_from: date | None, date_to: date | None, today: date, max_days: int = MAX_STATEMENT_DAYS
) -> tuple[date, date]:
    """The statement's first and last day: up to today by default, the 30 days before the
    last day unless a start is given; at most ``max_days`` days, none in the future."""
    last = date_to or today
    first = date_from or last - timedelta(days=DEFAULT_STATEMENT_DAYS - 1)
    if last > today:
        raise MobileApiError("validation_error", "The statement cannot end in the future.")
    if first > last:
        raise MobileApiError("validation_error", "The statement must start before it ends.")
    if (last - first).days + 1 > max_days:
        raise MobileApiError("validation_error", f"A statement covers at most {max_days} days.")
    return first, last


@dataclass(frozen=True)
class _Kind:
    extensions: tuple[str, ...]
    magic: bytes


# Content type -> the file name endings and the first bytes a real file of that type has.
DOCUMENT_TYPES = {
    "application/pdf": _Kind((".pdf",), b"%PDF-"),
    "image/jpeg": _Kind((".jpg", ".jpeg"), b"\xff\xd8\xff"),
    "image/png": _Kind((".png",), b"\x89PNG\r\n\x1a\n"),
}


def check_document(
    filename: str, content_type: str, content: bytes, max_bytes: int = MAX_DOCUMENT_BYTES
) -> str:
    """The content type of an uploaded KYC document, once its size, declared type, file
    name ending and first bytes agree; else ``MobileApiError`` (413, 415 or 422)."""
    kind = DOCUMENT_TYPES.get((content_type or "").split(";")[0].strip().lower())
    if kind is None:
        raise MobileApiError(
            "unsupported_media_type", "Upload a PDF, JPEG or PNG file for a KYC document."
        )
    if not content:
        raise MobileApiError("validation_error", "The file is empty.")
    if len(content) > max_bytes:
        raise MobileApiError(
            "payload_too_large", f"The file is larger than {max_bytes // (1024 * 1024)} MB."
        )
    if PurePosixPath((filename or "").lower()).suffix not in kind.extensions:
        raise MobileApiError("validation_error", "The file name does not match its type.")
    if not content.startswith(kind.magic):
        raise MobileApiError("validation_error", "The file content does not match its type.")
    return content_type.split(";")[0].strip().lower()


def check_value_limits(
    amount: Decimal, spent_today: Decimal, per_transaction: Decimal, daily: Decimal
) -> Decimal:
    """``amount`` once it fits the per-transaction limit and, with what the member moved
    out through the app today, the daily limit (a limit of 0 means none); else
    ``MobileApiError("limit_exceeded")`` saying what is left."""
    if per_transaction and amount > per_transaction:
        raise MobileApiError(
            "limit_exceeded", f"The most you can move at once is KES {per_transaction:,.2f}."
        )
    if daily and spent_today + amount > daily:
        left = max(daily - spent_today, Decimal(0))
        raise MobileApiError(
            "limit_exceeded", f"This is above your daily limit; KES {left:,.2f} is left today."
        )
    return amount


def masked_name(name: str) -> str:
    """How the app shows a transfer's recipient before the member confirms: the first
    name in full and the initials of the others ("Otieno O."), enough to recognise a
    member without disclosing their full name to anyone who knows a member number."""
    first, *others = (name or "").split() or ["?"]
    return " ".join([first, *(f"{part[0].upper()}." for part in others)])
