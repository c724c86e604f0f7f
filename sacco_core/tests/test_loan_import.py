import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_import import (
    LoanFileError,
    opening_position,
    parse_loan_rows,
    read_loan_table,
)

D = Decimal
HEADER = (
    "Member Number,ID Number,Name,Phone,Product Code,Principal,Annual Rate,Term,"
    "Disbursement Date,Outstanding Principal,Arrears Amount,Status"
)
AS_OF = date(2026, 6, 30)


def csv_file(*rows, header=HEADER):
    return "\n".join([header, *rows]).encode()


def table(*rows):
    return read_loan_table(csv_file(*rows), "book.csv")


def test_reads_csv_with_line_numbers_and_skips_blank_rows():
    rows = table(
        "M1,,Jane,0712,DEV,1000,12,10,2026-01-15,600,0,active",
        ",,,,,,,,,,,",
        "M2,,John,,DEV,500,,5,15/02/2026,500,0,Active",
    )
    assert [line for line, _cells in rows] == [2, 4]
    assert rows[1][1]["disbursement_date"] == "15/02/2026"
    assert rows[1][1]["annual_rate"] == ""


def test_reads_xlsx_with_date_cells():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(
        ["M1", "", "Jane", "", "DEV", 1000, 12, 10, datetime(2026, 1, 15), 600.5, 0, "active"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    [(line, cells)] = read_loan_table(buffer.getvalue(), "Book.XLSX")
    assert line == 2
    assert cells["disbursement_date"] == "2026-01-15"
    assert cells["outstanding_principal"] == "600.5"
    assert cells["term"] == "10"


def test_id_numbers_are_normalised_like_stored_ones():
    [row] = parse_loan_rows(table(",ab 123 456,,,DEV,1000,12,10,2026-01-15,600,0,active"), AS_OF)
    assert row.loan.id_number == "AB123456"


def test_accepts_aliases_and_an_id_number_only():
    header = "ID No,Product,Loan Amount,Rate,Installments,Disbursed On,Outstanding,Arrears,Status"
    [(_line, cells)] = read_loan_table(
        csv_file("12345678,DEV,1000,12,10,2026-01-15,600,0,active", header=header), "b.csv"
    )
    assert cells["id_number"] == "12345678"
    assert cells["member_number"] == ""
    assert cells["principal"] == "1000"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"x", "book.pdf", "not supported"),
        (b"", "book.csv", "empty"),
        (HEADER.encode(), "book.csv", "no loans"),
        (b"not a workbook", "book.xlsx", "cannot be read"),
        (b"Name,Principal\nJane,10", "book.csv", "no column Member Number or ID Number"),
        (csv_file(header=HEADER + ",Principal") + b"\nM1", "book.csv", "more than once"),
    ],
)
def test_refuses_unreadable_files(content, name, message):
    with pytest.raises(LoanFileError, match=message):
        read_loan_table(content, name)


def test_parses_a_valid_row():
    [row] = parse_loan_rows(table("M1,,Jane,,DEV,1000,12.5,10,2026-01-15,600,150.50,active"), AS_OF)
    assert row.messages == ()
    loan = row.loan
    assert (loan.member_number, loan.id_number, loan.product_code) == ("M1", None, "DEV")
    assert (loan.principal, loan.annual_rate, loan.term) == (D("1000.00"), D("12.5"), 10)
    assert (loan.disbursed_on, loan.outstanding, loan.arrears) == (
        date(2026, 1, 15),
        D("600.00"),
        D("150.50"),
    )
    assert loan.status == "active"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",,Jane,,DEV,1000,12,10,2026-01-15,600,0,active", "member number or the ID number"),
        ("M1,,,,,1000,12,10,2026-01-15,600,0,active", "Product Code is missing"),
        ("M1,,,,DEV,-5,12,10,2026-01-15,0,0,active", "must not be negative"),
        ("M1,,,,DEV,0,12,10,2026-01-15,0,0,active", "greater than zero"),
        ("M1,,,,DEV,10.555,12,10,2026-01-15,5,0,active", "2 decimals"),
        ("M1,,,,DEV,1000,abc,10,2026-01-15,600,0,active", "not a number"),
        ("M1,,,,DEV,1000,120,10,2026-01-15,600,0,active", "0 to 100"),
        ("M1,,,,DEV,1000,12,1.5,2026-01-15,600,0,active", "whole number"),
        ("M1,,,,DEV,1000,12,10,2026-13-45,600,0,active", "not a date"),
        ("M1,,,,DEV,1000,12,10,2026-07-01,600,0,active", "after the cut-over date"),
        ("M1,,,,DEV,1000,12,10,2026-01-15,1200,0,active", "more than the principal"),
        ("M1,,,,DEV,1000,12,10,2026-01-15,600,0,defaulted", "not one of"),
        ("M1,,,,DEV,1000,12,10,2026-01-15,600,0,closed", "closed loan"),
        ("M1,,,,DEV,1000,12,10,2026-01-15,0,0,active", "active loan"),
    ],
)
def test_row_errors(row, message):
    [parsed] = parse_loan_rows(table(row), AS_OF)
    assert parsed.loan is None
    assert any(message in text for text in parsed.messages), parsed.messages


def test_a_row_lists_all_its_errors():
    [parsed] = parse_loan_rows(table(",,,,,x,,y,z,,,"), AS_OF)
    assert len(parsed.messages) >= 6


def test_repeated_loans_are_errors_on_each_line():
    rows = parse_loan_rows(
        table(
            "M1,,,,DEV,1000,12,10,2026-01-15,600,0,active",
            "M1,,,,DEV,1000,12,10,15/01/2026,500,0,active",
            "M1,,,,DEV,2000,12,10,2026-01-15,600,0,active",
        ),
        AS_OF,
    )
    assert "line(s) 3" in rows[0].messages[0]
    assert "line(s) 2" in rows[1].messages[0]
    assert rows[2].loan is not None


SCHEDULE = [(D("100.00"), D("10.00"))] * 4 + [(D("100.00"), D("5.00"))] * 2


def test_opening_position_up_to_date():
    paid = opening_position(SCHEDULE, 3, D("300.00"), D("0.00"))
    assert paid == [(D("100.00"), D("10.00"))] * 3 + [(D("0.00"), D("0.00"))] * 3


def test_opening_position_arrears_on_the_latest_due_installments():
    # Two of four due installments unpaid, half of the second's interest paid.
    paid = opening_position(SCHEDULE, 4, D("400.00"), D("215.00"))
    assert paid[:2] == [(D("100.00"), D("10.00"))] * 2
    assert paid[2] == (D("0.00"), D("5.00"))
    assert paid[3] == (D("0.00"), D("0.00"))
    assert paid[4:] == [(D("0.00"), D("0.00"))] * 2


def test_opening_position_interest_only_arrears_and_prepaid_principal():
    paid = opening_position(SCHEDULE, 2, D("350.00"), D("15.00"))
    assert [principal for principal, _interest in paid] == [D(100), D(100), D(50), 0, 0, 0]
    assert [interest for _principal, interest in paid][:2] == [D("5.00"), D("0.00")]
    assert sum(p for p, _i in paid) == D("250.00")


def test_opening_position_keeps_outstanding_and_arrears():
    paid = opening_position(SCHEDULE, 5, D("250.00"), D("157.50"))
    principal = sum(p for p, _i in SCHEDULE) - sum(p for p, _i in paid)
    due = sum(p + i for p, i in SCHEDULE[:5]) - sum(p + i for p, i in paid[:5])
    assert (principal, due) == (D("250.00"), D("157.50"))


@pytest.mark.parametrize(
    ("due", "outstanding", "arrears", "message"),
    [
        (4, D("400.00"), D("150.00"), "less than the principal overdue"),
        (2, D("400.00"), D("25.00"), "more than all that fell due"),
        (0, D("600.00"), D("1.00"), "more than all that fell due"),
        (2, D("700.00"), D("0.00"), "within the loan"),
    ],
)
def test_opening_position_refuses_figures_the_schedule_cannot_hold(
    due, outstanding, arrears, message
):
    with pytest.raises(SaccoRuleError, match=message):
        opening_position(SCHEDULE, due, outstanding, arrears)
