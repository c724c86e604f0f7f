"""Employer check-off (payroll deduction) remittances: file reading, row validation,
allocation of a member's remittance and expected-versus-received variances.

Conventions: a check-off file is a table with a header row. Header names are normalised
(``normalize_header``) so "Payroll No.", "payroll-no" and "PAYROLL NO" are all
``payroll_no``. Row line numbers count the header as line 1 and the non-empty data rows
after it from 2, so they match the file's rows when it has no blank rows.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import to_money
from sacco_core.spreadsheet import read_rows

# Canonical column -> accepted header names (normalised), canonical name first.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "payroll_number": ("payroll_number", "payroll_no", "staff_no"),
    "member_number": ("member_number", "member_no"),
    "product_code": ("product_code", "product"),
    "amount": ("amount",),
}
_IDENTIFIERS = ("payroll_number", "member_number")
_SEPARATORS = re.compile(r"[\s\-]+")
_ZERO = Decimal("0.00")


class CheckoffFileError(SaccoRuleError):
    """The check-off file cannot be read, or lacks required columns."""


@dataclass(frozen=True)
class CheckoffRow:
    """One valid remittance line; at least one of the two numbers is set."""

    line: int
    payroll_number: str | None
    member_number: str | None
    product_code: str | None
    amount: Decimal


@dataclass(frozen=True)
class RowError:
    """A problem with line ``line`` of the file; a line may have several."""

    line: int
    message: str


@dataclass(frozen=True)
class Expectation:
    """An amount expected from a remittance; ``key`` is opaque (e.g. "loan:LN0001")."""

    key: str
    priority: int
    amount: Decimal


@dataclass(frozen=True)
class Variance:
    """Expected and received amounts for ``key``; ``difference`` is received - expected."""

    key: str
    expected: Decimal
    received: Decimal
    difference: Decimal


def file_fingerprint(content: bytes) -> str:
    """The SHA-256 of the file's bytes as lower-case hex, to refuse a file imported twice."""
    return hashlib.sha256(content).hexdigest()


def normalize_header(name: str) -> str:
    """Header cell as a column name: stripped, lower-cased, dots removed, each run of
    spaces and dashes made one "_" (``" Payroll No. "`` -> ``"payroll_no"``).
    """
    return _SEPARATORS.sub("_", name.strip().lower().replace(".", "").strip())


def read_table(content: bytes, filename: str) -> list[dict[str, str]]:
    """The data rows of a ``.csv`` or ``.xlsx`` file as dicts keyed by normalised header.

    CSV is UTF-8 (a byte order mark is allowed), separated by commas or semicolons as
    ``csv.Sniffer`` detects, else commas. XLSX is read from its first sheet, with the values
    (not formulas) of cells. The header is the first non-empty row; columns with an empty
    header are dropped and a repeated header name is refused. Cells are stripped strings
    (numbers: ``1500``, ``1500.5``; a missing cell is ""), and empty rows are skipped.
    Raises ``CheckoffFileError`` for another extension, unreadable content or a file with no
    non-empty row.
    """
    return _table(read_rows(content, filename, "check-off", CheckoffFileError))


def parse_checkoff_rows(
    rows: Sequence[Mapping[str, str]],
) -> tuple[list[CheckoffRow], list[RowError]]:
    """Validate check-off rows (as from ``read_table``) into remittance lines and errors.

    Columns: ``payroll_number`` (or ``payroll_no``, ``staff_no``), ``member_number`` (or
    ``member_no``), optional ``product_code`` (or ``product``) and ``amount``. A file
    without an amount column or with neither number column, with a column under two
    names, or without rows raises ``CheckoffFileError``. A row is an error, and left out
    of the lines, when it has neither number, when its amount is missing, not a number,
    not above zero or has more than 2 decimal places, or when its identifier (payroll
    number, else member number) and product code appear on another row too (every such
    row is an error, so no half of a repeated pair is posted). Empty cells are None.
    """
    if not rows:
        raise CheckoffFileError("The check-off file has no rows.")
    columns = _resolve_columns({name for row in rows for name in row})
    values = [
        (line, {column: _cell(row, name) for column, name in columns.items()})
        for line, row in enumerate(rows, start=2)
    ]
    repeated = _repeated_lines(values)
    lines, errors = [], []
    for line, cells in values:
        messages = _row_messages(cells, repeated.get(line))
        errors.extend(RowError(line, message) for message in messages)
        if not messages:
            lines.append(
                CheckoffRow(
                    line,
                    cells.get("payroll_number"),
                    cells.get("member_number"),
                    cells.get("product_code"),
                    to_money(cells["amount"]),
                )
            )
    return lines, errors


def allocate(
    received: Decimal, expectations: Sequence[Expectation]
) -> tuple[list[tuple[str, Decimal]], Decimal]:
    """Share ``received`` among ``expectations``; return ``(allocations, excess)``.

    Expectations are served in ascending ``priority`` (ties in the given order), each up to
    its ``amount``, until the money runs out. ``allocations`` are the ``(key, amount)``
    pairs that got money, in serving order; ``excess`` is what is left (``received`` minus
    the allocations). ``received`` and the expected amounts must be at least zero.
    """
    remaining = _non_negative(received, "Amount received")
    allocations = []
    for expectation in sorted(expectations, key=lambda item: item.priority):
        share = min(remaining, _non_negative(expectation.amount, "Expected amount"))
        if share > 0:
            allocations.append((expectation.key, share))
            remaining -= share
    return allocations, remaining


def allocate_remittance(
    directed: Mapping[str, Decimal], undirected: Decimal, expectations: Sequence[Expectation]
) -> tuple[list[tuple[str, Decimal]], Decimal]:
    """Allocate one member's remittance; return ``(allocations, excess)``.

    ``directed`` amounts (rows the employer split per product, by key) go to their key in
    full and count against its expectation; ``undirected`` money is then shared by
    ``allocate`` among what is still expected, and ``excess`` is what is left of it.
    ``allocations`` name each key once: directed keys first (in the given order), then the
    others in serving order. Amounts must be ``Decimal`` and at least zero.
    """
    totals: dict[str, Decimal] = {}
    for key, amount in directed.items():
        totals[key] = _non_negative(amount, "Directed amount")
    remaining = [
        Expectation(
            item.key,
            item.priority,
            max(_non_negative(item.amount, "Expected amount") - totals.get(item.key, _ZERO), _ZERO),
        )
        for item in expectations
    ]
    shared, excess = allocate(undirected, remaining)
    for key, amount in shared:
        totals[key] = totals.get(key, _ZERO) + amount
    return [(key, amount) for key, amount in totals.items() if amount > 0], excess


def variances(expected: Mapping[str, Decimal], received: Mapping[str, Decimal]) -> list[Variance]:
    """Keys (e.g. member numbers) whose received amount differs from the expected one,
    sorted by key; a key missing from one side counts as 0.00 there.
    """
    result = []
    for key in sorted(expected.keys() | received.keys()):
        due, got = expected.get(key, _ZERO), received.get(key, _ZERO)
        if got != due:
            result.append(Variance(key, due, got, got - due))
    return result


def _table(rows: Iterable[Sequence[str]]) -> list[dict[str, str]]:
    """Dicts of the non-empty rows after the header row, keyed by normalised header."""
    cleaned = [[cell.strip() for cell in row] for row in rows]
    non_empty = [row for row in cleaned if any(row)]
    if not non_empty:
        raise CheckoffFileError("The check-off file is empty.")
    header, *data = non_empty
    names = [normalize_header(cell) for cell in header]
    seen = [name for name in names if name]
    for name in seen:
        if seen.count(name) > 1:
            raise CheckoffFileError(f"Column '{name}' appears more than once in the header.")
    return [
        {name: row[index] if index < len(row) else "" for index, name in enumerate(names) if name}
        for row in data
    ]


def _resolve_columns(present: set[str]) -> dict[str, str]:
    """Canonical column -> header name used in the file; refuses missing or doubled ones."""
    columns = {}
    for column, names in _COLUMNS.items():
        found = [name for name in names if name in present]
        if len(found) > 1:
            raise CheckoffFileError(
                f"Columns {' and '.join(repr(name) for name in found)} both give the "
                f"{column.replace('_', ' ')}; keep one."
            )
        if found:
            columns[column] = found[0]
    missing = []
    if "amount" not in columns:
        missing.append("'amount'")
    if not any(column in columns for column in _IDENTIFIERS):
        missing.append("'payroll_number' or 'member_number'")
    if missing:
        raise CheckoffFileError(f"The check-off file has no {' and no '.join(missing)} column.")
    return columns


def _cell(row: Mapping[str, str], name: str) -> str | None:
    """The stripped value of column ``name`` in ``row``, None when empty or missing."""
    value = (row.get(name) or "").strip()
    return value or None


def _identifier(cells: Mapping[str, str | None]) -> tuple[str, str] | None:
    """(column, value) identifying the member: the payroll number, else the member number."""
    for column in _IDENTIFIERS:
        if cells.get(column):
            return column, cells[column]
    return None


def _repeated_lines(values: list[tuple[int, dict[str, str | None]]]) -> dict[int, list[int]]:
    """Line -> all lines sharing its identifier and product code, for repeated ones only."""
    groups: dict[tuple[tuple[str, str], str | None], list[int]] = {}
    for line, cells in values:
        identifier = _identifier(cells)
        if identifier is not None:
            groups.setdefault((identifier, cells.get("product_code")), []).append(line)
    return {line: lines for lines in groups.values() if len(lines) > 1 for line in lines}


def _row_messages(cells: Mapping[str, str | None], repeated: list[int] | None) -> list[str]:
    """The problems of one row (empty when valid)."""
    messages = []
    identifier = _identifier(cells)
    if identifier is None:
        messages.append("Neither a payroll number nor a member number is given.")
    elif repeated:
        column, value = identifier
        product = f" for product {cells['product_code']}" if cells.get("product_code") else ""
        others = ", ".join(str(line) for line in repeated)
        messages.append(
            f"{column.replace('_', ' ').capitalize()} {value}{product} appears on lines {others}."
        )
    amount = cells.get("amount")
    if amount is None:
        messages.append("Amount is missing.")
    else:
        try:
            if to_money(amount) <= 0:
                messages.append(f"Amount {amount} must be greater than zero.")
        except SaccoRuleError as error:
            messages.append(str(error))
    return messages


def _non_negative(amount: Decimal, what: str) -> Decimal:
    """Return ``amount`` if it is a finite ``Decimal`` of at least zero."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(amount).__name__}.")
    if not amount.is_finite() or amount < 0:
        raise SaccoRuleError(f"{what} must be at least zero, not {amount}.")
    return amount
