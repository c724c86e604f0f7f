"""Loan-book import (moving an existing SACCO's loans in): reading the file, checking each
row on its own, and the opening position of an imported loan on its rebuilt schedule.

Conventions: the file is a table whose first non-empty row is the header; header names are
normalised like check-off headers ("Member No." -> ``member_no``) and a few aliases are
accepted (``COLUMNS``). Line numbers are the file's own row numbers (the header is usually
line 1). Amounts have at most two decimals, the term is a whole number of installments and
dates are ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (or real date cells in XLSX).

The opening position (``opening_position``) assumes repayments were allocated oldest
installment first, as the loans add-on does: principal repaid fills the installments'
principal oldest first (beyond what fell due it prepays the next installments), and the
arrears are the part of the installments due by the cut-over date left unpaid, which is
therefore the latest of them (the oldest *unpaid* ones), days past due counting from the
first of them.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sacco_core.checkoff import normalize_header
from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import to_money
from sacco_core.spreadsheet import read_rows

# Canonical column -> (template header, other accepted normalised names).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "member_number": ("Member Number", ("member_no",)),
    "id_number": ("ID Number", ("id_no", "national_id")),
    "name": ("Name", ("member_name",)),
    "phone": ("Phone", ("phone_number", "mobile")),
    "product_code": ("Product Code", ("product",)),
    "principal": ("Principal", ("loan_amount",)),
    "annual_rate": ("Annual Rate", ("rate", "interest_rate")),
    "term": ("Term", ("installments",)),
    "disbursement_date": ("Disbursement Date", ("disbursed_on",)),
    "outstanding_principal": ("Outstanding Principal", ("outstanding",)),
    "arrears_amount": ("Arrears Amount", ("arrears",)),
    "status": ("Status", ()),
}
_REQUIRED = ("product_code", "principal", "term", "disbursement_date", "outstanding_principal")
STATUSES = ("active", "closed")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")
_ZERO = Decimal("0.00")


class LoanFileError(SaccoRuleError):
    """The loan-book file cannot be read, or lacks required columns."""


@dataclass(frozen=True)
class LoanRow:
    """The checked values of one row; ``annual_rate`` is None when left to the product."""

    member_number: str | None
    id_number: str | None
    product_code: str
    principal: Decimal
    annual_rate: Decimal | None
    term: int
    disbursed_on: date
    outstanding: Decimal
    arrears: Decimal
    status: str


@dataclass(frozen=True)
class ParsedRow:
    """One data row of the file: its cells (by canonical column, "" when empty), its values
    when they are all valid (else None) and its problems."""

    line: int
    cells: dict[str, str]
    loan: LoanRow | None
    messages: tuple[str, ...]


def read_loan_table(content: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(line, cells by canonical column) of each non-empty data row of a ``.csv`` (UTF-8,
    comma or semicolon) or ``.xlsx`` (first sheet) file. Raises ``LoanFileError`` for another
    extension, unreadable content, an empty file or a missing or doubled column."""
    rows = read_rows(content, filename, "loan-book", LoanFileError)
    numbered = [(number, row) for number, row in enumerate(rows, 1) if any(row)]
    if not numbered:
        raise LoanFileError("The loan-book file is empty.")
    (_header_line, header), *data = numbered
    columns = _resolve_columns([normalize_header(cell) for cell in header])
    if not data:
        raise LoanFileError("The loan-book file has no loans below its header.")
    return [
        (line, {name: row[index] if index < len(row) else "" for name, index in columns.items()})
        for line, row in data
    ]


def parse_loan_rows(table: Sequence[tuple[int, Mapping[str, str]]], as_of: date) -> list[ParsedRow]:
    """Check each row (as from ``read_loan_table``) on its own, disbursed by ``as_of``, and
    flag rows repeating another's member, product, disbursement date and principal."""
    parsed = [_parse_row(line, dict(cells), as_of) for line, cells in table]
    groups: dict[tuple, list[int]] = {}
    for row in parsed:
        if row.loan:
            groups.setdefault(_loan_key(row.loan), []).append(row.line)
    result = []
    for row in parsed:
        lines = groups.get(_loan_key(row.loan), []) if row.loan else []
        if len(lines) > 1:
            others = ", ".join(str(line) for line in lines if line != row.line)
            message = f"The same loan appears on line(s) {others}."
            row = ParsedRow(row.line, row.cells, None, (*row.messages, message))
        result.append(row)
    return result


def opening_position(
    schedule: Sequence[tuple[Decimal, Decimal]],
    due_count: int,
    outstanding: Decimal,
    arrears: Decimal,
) -> list[tuple[Decimal, Decimal]]:
    """(principal paid, interest paid) of each installment of ``schedule`` ((principal,
    interest) pairs, the first ``due_count`` due by the cut-over date) for a loan with
    ``outstanding`` principal and ``arrears`` due and unpaid (see the module conventions).

    Raises ``SaccoRuleError`` when the schedule cannot hold these figures: arrears below the
    principal overdue, or above everything due.
    """
    principals = [principal for principal, _interest in schedule]
    interests = [interest for _principal, interest in schedule]
    repaid = sum(principals, _ZERO) - outstanding
    if repaid < 0 or arrears < 0:
        raise SaccoRuleError("The outstanding principal and arrears must be within the loan.")
    due_principal = sum(principals[:due_count], _ZERO)
    due_interest = sum(interests[:due_count], _ZERO)
    repaid_due = min(repaid, due_principal)
    overdue_principal = due_principal - repaid_due
    unpaid_interest = arrears - overdue_principal
    if unpaid_interest < 0:
        raise SaccoRuleError(
            f"Arrears {arrears} are less than the principal overdue by the rebuilt schedule "
            f"for this outstanding principal ({overdue_principal})."
        )
    if unpaid_interest > due_interest:
        raise SaccoRuleError(
            f"Arrears {arrears} are more than all that fell due by the cut-over date on the "
            f"rebuilt schedule ({due_principal - repaid_due + due_interest})."
        )
    principal_paid = _fill(principals[:due_count], repaid_due) + _fill(
        principals[due_count:], repaid - repaid_due
    )
    unpaid = _fill(interests[:due_count][::-1], unpaid_interest)[::-1]
    interest_paid = [interest - left for interest, left in zip(interests, unpaid, strict=False)]
    interest_paid += [_ZERO] * (len(schedule) - due_count)
    return list(zip(principal_paid, interest_paid, strict=True))


def _fill(amounts: Iterable[Decimal], total: Decimal) -> list[Decimal]:
    """``total`` spread over ``amounts`` in order, each taking at most its own amount."""
    parts = []
    for amount in amounts:
        part = min(amount, total)
        parts.append(part)
        total -= part
    return parts


def _loan_key(loan: LoanRow) -> tuple:
    member = loan.member_number or f"id:{loan.id_number}"
    return (member, loan.product_code, loan.disbursed_on, loan.principal)


def _parse_row(line: int, cells: dict[str, str], as_of: date) -> ParsedRow:
    messages = []

    def check(convert, column, what):
        try:
            return convert(cells[column], what)
        except SaccoRuleError as error:
            messages.append(str(error))
            return None

    for column in _REQUIRED:
        if not cells[column]:
            messages.append(f"{COLUMNS[column][0]} is missing.")
    if not (cells["member_number"] or cells["id_number"]):
        messages.append("Give the member number or the ID number.")
    principal = check(_amount, "principal", "Principal")
    outstanding = check(_amount, "outstanding_principal", "Outstanding principal")
    arrears = check(_amount, "arrears_amount", "Arrears amount")
    values = {
        "principal": principal,
        "annual_rate": check(_rate, "annual_rate", "Annual rate"),
        "term": check(_term, "term", "Term"),
        "disbursed_on": check(_date, "disbursement_date", "Disbursement date"),
        "outstanding": outstanding,
        "arrears": arrears or _ZERO,
        "status": check(_status, "status", "Status"),
    }
    messages += _cross_checks(values, as_of)
    if messages or any(values[name] is None for name in ("principal", "term", "disbursed_on")):
        return ParsedRow(line, cells, None, tuple(messages))
    loan = LoanRow(
        member_number=cells["member_number"] or None,
        # Stored identity numbers are normalised so: no whitespace, letters upper-cased.
        id_number="".join(cells["id_number"].split()).upper() or None,
        product_code=cells["product_code"],
        **values,
    )
    return ParsedRow(line, cells, loan, ())


def _cross_checks(values: Mapping, as_of: date) -> list[str]:
    messages = []
    principal, outstanding = values["principal"], values["outstanding"]
    if principal is not None and principal <= 0:
        messages.append("Principal must be greater than zero.")
    if principal is not None and outstanding is not None and outstanding > principal:
        messages.append(f"Outstanding principal {outstanding} is more than the principal.")
    disbursed_on = values["disbursed_on"]
    if disbursed_on and disbursed_on > as_of:
        messages.append(f"Disbursement date {disbursed_on} is after the cut-over date {as_of}.")
    if values["status"] == "closed" and (outstanding or values["arrears"]):
        messages.append("A closed loan has no outstanding principal nor arrears.")
    if values["status"] == "active" and outstanding is not None and outstanding <= 0:
        messages.append("An active loan has an outstanding principal above zero.")
    return messages


def _amount(value: str, what: str) -> Decimal | None:
    if not value:
        return None
    try:
        amount = to_money(value.replace(",", ""))
    except SaccoRuleError:
        raise SaccoRuleError(f"{what} '{value}' is not an amount with 2 decimals.") from None
    if amount < 0:
        raise SaccoRuleError(f"{what} {value} must not be negative.")
    return amount


def _rate(value: str, what: str) -> Decimal | None:
    if not value:
        return None
    try:
        rate = Decimal(value.rstrip("%").strip())
    except InvalidOperation:
        raise SaccoRuleError(f"{what} '{value}' is not a number.") from None
    if not rate.is_finite() or not 0 <= rate <= 100:
        raise SaccoRuleError(f"{what} {value} must be a percentage a year, 0 to 100.")
    return rate


def _term(value: str, what: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise SaccoRuleError(f"{what} '{value}' must be a whole number of installments.")
    return int(value)


def _date(value: str, what: str) -> date | None:
    if not value:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise SaccoRuleError(f"{what} '{value}' is not a date (YYYY-MM-DD or DD/MM/YYYY).")


def _status(value: str, what: str) -> str | None:
    status = normalize_header(value)
    if status not in STATUSES:
        raise SaccoRuleError(f"{what} '{value}' is not one of: {', '.join(STATUSES)}.")
    return status


def _resolve_columns(names: list[str]) -> dict[str, int]:
    """Canonical column -> its index in the header; refuses missing or doubled ones."""
    columns = {}
    for column, (header, aliases) in COLUMNS.items():
        accepted = (normalize_header(header), *aliases)
        found = [index for index, name in enumerate(names) if name in accepted]
        if len(found) > 1:
            raise LoanFileError(f"Column '{header}' appears more than once in the header.")
        if found:
            columns[column] = found[0]
    missing = [COLUMNS[column][0] for column in (*_REQUIRED, "status") if column not in columns]
    if not ("member_number" in columns or "id_number" in columns):
        missing.insert(0, "Member Number or ID Number")
    if missing:
        raise LoanFileError(f"The loan-book file has no column {', '.join(missing)}.")
    for column in COLUMNS:
        columns.setdefault(column, len(names) + 1)
    return columns
