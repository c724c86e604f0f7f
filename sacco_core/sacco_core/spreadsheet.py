"""Uploaded tables (check-off remittances, loan books) read as rows of text cells."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath

import openpyxl

from sacco_core.exceptions import SaccoRuleError

# Lines of a CSV file the delimiter is sniffed from.
_SNIFF_LINES = 20


def read_rows(
    content: bytes, filename: str, what: str, error: type[SaccoRuleError]
) -> list[list[str]]:
    """The rows of a ``.csv`` (UTF-8, a byte order mark allowed, comma or semicolon as
    ``csv.Sniffer`` detects, else comma) or ``.xlsx`` (first sheet, cell values not formulas)
    file as stripped text cells: integral numbers without ".0", dates as ISO dates, a missing
    cell as "". Raises ``error`` naming the ``what`` file for another extension or unreadable
    content."""
    extension = PurePath(filename).suffix.lower()
    if extension == ".csv":
        return _csv_rows(content, what, error)
    if extension == ".xlsx":
        return _xlsx_rows(content, what, error)
    raise error(f"File '{filename}' is not supported; upload a .csv or .xlsx {what} file.")


def _csv_rows(content, what, error):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"The CSV {what} file is not UTF-8 text.") from None
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as csv_error:
        raise error(f"The CSV {what} file cannot be read: {csv_error}.") from None
    return [[cell.strip() for cell in row] for row in rows]


def _xlsx_rows(content, what, error):
    # A damaged or foreign file fails anywhere in openpyxl and its zip and XML readers,
    # with many exception types; all of them mean the same to the user.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return [
                [_cell_text(value) for value in row]
                for row in workbook.worksheets[0].iter_rows(values_only=True)
            ]
        finally:
            workbook.close()
    except Exception as xlsx_error:
        raise error(f"The Excel {what} file cannot be read ({xlsx_error}).") from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return str(value).strip()
