import hashlib
import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.checkoff import (
    CheckoffFileError,
    CheckoffRow,
    Expectation,
    RowError,
    Variance,
    allocate,
    allocate_remittance,
    file_fingerprint,
    normalize_header,
    parse_checkoff_rows,
    read_table,
    variances,
)
from sacco_core.exceptions import SaccoRuleError

D = Decimal


def xlsx(rows, title=None):
    """An XLSX workbook's bytes with ``rows`` on its first sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if title:
        workbook.create_sheet(title).append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# file_fingerprint


def test_file_fingerprint_is_sha256_hex():
    assert file_fingerprint(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert file_fingerprint(b"") == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert file_fingerprint(b"abc") != file_fingerprint(b"abd")


# read_table


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (" Payroll No. ", "payroll_no"),
        ("STAFF-NO", "staff_no"),
        ("Member  Number", "member_number"),
        ("product - code", "product_code"),
        ("amount", "amount"),
        ("", ""),
    ],
)
def test_normalize_header(name, expected):
    assert normalize_header(name) == expected


def test_read_csv_comma():
    content = b"Payroll No,Member No,Amount\r\nP001,M001,1500\r\nP002,,250.50\r\n"
    assert read_table(content, "march.csv") == [
        {"payroll_no": "P001", "member_no": "M001", "amount": "1500"},
        {"payroll_no": "P002", "member_no": "", "amount": "250.50"},
    ]


def test_read_csv_semicolon_with_bom_and_quotes():
    content = '\ufeffStaff No;Product;Amount\nS1;DEP;1000\nS2;"LN;01";2 000\n'.encode()
    assert read_table(content, "CHECKOFF.CSV") == [
        {"staff_no": "S1", "product": "DEP", "amount": "1000"},
        {"staff_no": "S2", "product": "LN;01", "amount": "2 000"},
    ]


def test_read_csv_single_column_falls_back_to_comma():
    assert read_table(b"amount\n10\n20\n", "a.csv") == [{"amount": "10"}, {"amount": "20"}]


def test_read_csv_skips_empty_rows_and_strips_cells():
    content = b"\n,,\nmember_no , amount\n M1 , 5 \n,\n  ,  \nM2,6\n"
    assert read_table(content, "a.csv") == [
        {"member_no": "M1", "amount": "5"},
        {"member_no": "M2", "amount": "6"},
    ]


def test_read_csv_short_and_long_rows():
    content = b"member_no,amount,\nM1\nM2,7,extra\n"
    assert read_table(content, "a.csv") == [
        {"member_no": "M1", "amount": ""},
        {"member_no": "M2", "amount": "7"},
    ]


def test_read_csv_header_only():
    assert read_table(b"member_no,amount\n", "a.csv") == []


def test_read_csv_refuses_non_utf8():
    with pytest.raises(CheckoffFileError, match="not UTF-8"):
        read_table("member_no,amount\nM1,5,Müller\n".encode("latin-1"), "a.csv")


def test_read_csv_refuses_oversized_field():
    with pytest.raises(CheckoffFileError, match="CSV check-off file cannot be read"):
        read_table(b"member_no,amount\nM1," + b"9" * 200_000 + b"\n", "a.csv")


@pytest.mark.parametrize("content", [b"", b"\n\n", b" , ,\n"])
def test_read_refuses_empty_file(content):
    with pytest.raises(CheckoffFileError, match="empty"):
        read_table(content, "a.csv")


def test_read_refuses_repeated_header():
    with pytest.raises(CheckoffFileError, match="Column 'amount' appears more than once"):
        read_table(b"Amount,member_no,AMOUNT\n1,M1,2\n", "a.csv")


@pytest.mark.parametrize("filename", ["a.xls", "a.txt", "a", "csv", "a.csv.pdf"])
def test_read_refuses_other_extensions(filename):
    with pytest.raises(CheckoffFileError, match=r"upload a \.csv or \.xlsx"):
        read_table(b"member_no,amount\n", filename)


def test_errors_are_rule_errors():
    assert issubclass(CheckoffFileError, SaccoRuleError)


def test_read_xlsx_header_is_first_non_empty_row():
    content = xlsx(
        [
            [None, None],
            [],
            ["Payroll No.", "Member-No", "Amount", "Date", None],
            ["P001", 42, 1500, datetime(2024, 3, 31), "no header"],
            [None, None, None],
            [" P002 ", None, 250.5, None],
            ["P003", "M3", 1e3, None],
            ["P004", "M4", 1234.56, None],
        ],
        title="Other",
    )
    assert read_table(content, "Checkoff.XLSX") == [
        {"payroll_no": "P001", "member_no": "42", "amount": "1500", "date": "2024-03-31"},
        {"payroll_no": "P002", "member_no": "", "amount": "250.5", "date": ""},
        {"payroll_no": "P003", "member_no": "M3", "amount": "1000", "date": ""},
        {"payroll_no": "P004", "member_no": "M4", "amount": "1234.56", "date": ""},
    ]


def test_read_xlsx_formula_without_cached_value_is_empty():
    # openpyxl saves formulas without computed values; data_only reads those as empty.
    content = xlsx([["member_no", "amount"], ["M1", "=1+1"]])
    assert read_table(content, "a.xlsx") == [{"member_no": "M1", "amount": ""}]


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_read_xlsx_refuses_unreadable_content(content):
    with pytest.raises(CheckoffFileError, match="Excel check-off file cannot be read"):
        read_table(content, "a.xlsx")


def test_read_xlsx_refuses_csv_renamed():
    with pytest.raises(CheckoffFileError, match="cannot be read"):
        read_table(b"member_no,amount\nM1,5\n", "a.xlsx")


def test_read_xlsx_empty_sheet():
    with pytest.raises(CheckoffFileError, match="empty"):
        read_table(xlsx([]), "a.xlsx")


# parse_checkoff_rows


def test_parse_valid_rows_with_aliases():
    rows = [
        {"staff_no": "S1", "member_no": "M1", "product": "DEP", "amount": "1000"},
        {"staff_no": "", "member_no": "M2", "product": "", "amount": "250.5"},
        {"staff_no": "S3", "member_no": "", "product": "LN01", "amount": " 10.00 "},
    ]
    lines, errors = parse_checkoff_rows(rows)
    assert errors == []
    assert lines == [
        CheckoffRow(2, "S1", "M1", "DEP", D("1000.00")),
        CheckoffRow(3, None, "M2", None, D("250.50")),
        CheckoffRow(4, "S3", None, "LN01", D("10.00")),
    ]


def test_parse_without_optional_columns():
    lines, errors = parse_checkoff_rows([{"payroll_number": "P1", "amount": "5"}])
    assert errors == []
    assert lines == [CheckoffRow(2, "P1", None, None, D("5.00"))]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "Amount is missing."),
        ("  ", "Amount is missing."),
        ("abc", "'abc' is not a valid amount."),
        ("1,000", "'1,000' is not a valid amount."),
        ("0", "Amount 0 must be greater than zero."),
        ("-5", "Amount -5 must be greater than zero."),
        ("10.005", "Amount '10.005' has more than 2 decimal places."),
        ("NaN", "Amount 'NaN' must be a finite number."),
    ],
)
def test_parse_amount_errors(amount, message):
    lines, errors = parse_checkoff_rows(
        [{"member_no": "M1", "amount": "1"}, {"member_no": "M2", "amount": amount}]
    )
    assert lines == [CheckoffRow(2, None, "M1", None, D("1.00"))]
    assert errors == [RowError(3, message)]


def test_parse_row_without_numbers():
    lines, errors = parse_checkoff_rows([{"payroll_no": "", "member_no": " ", "amount": "x"}])
    assert lines == []
    assert errors == [
        RowError(2, "Neither a payroll number nor a member number is given."),
        RowError(2, "'x' is not a valid amount."),
    ]


def test_parse_missing_amount_key_in_a_row():
    lines, errors = parse_checkoff_rows([{"member_no": "M1", "amount": "1"}, {"member_no": "M2"}])
    assert [line.line for line in lines] == [2]
    assert errors == [RowError(3, "Amount is missing.")]


def test_parse_repeated_rows_are_all_errors():
    rows = [
        {"payroll_no": "P1", "member_no": "", "product": "DEP", "amount": "100"},
        {"payroll_no": "P1", "member_no": "", "product": "LN01", "amount": "200"},
        {"payroll_no": "P2", "member_no": "M2", "product": "", "amount": "300"},
        {"payroll_no": "P1", "member_no": "M9", "product": "DEP", "amount": "400"},
        {"payroll_no": "", "member_no": "M2", "product": "", "amount": "500"},
        {"payroll_no": "P2", "member_no": "", "product": "", "amount": "oops"},
    ]
    lines, errors = parse_checkoff_rows(rows)
    assert [line.line for line in lines] == [3, 6]
    assert errors == [
        RowError(2, "Payroll number P1 for product DEP appears on lines 2, 5."),
        RowError(4, "Payroll number P2 appears on lines 4, 7."),
        RowError(5, "Payroll number P1 for product DEP appears on lines 2, 5."),
        RowError(7, "Payroll number P2 appears on lines 4, 7."),
        RowError(7, "'oops' is not a valid amount."),
    ]


def test_parse_repeated_member_numbers():
    rows = [{"member_no": "M1", "amount": "1"}, {"member_no": "M1", "amount": "2"}]
    _, errors = parse_checkoff_rows(rows)
    assert errors == [
        RowError(2, "Member number M1 appears on lines 2, 3."),
        RowError(3, "Member number M1 appears on lines 2, 3."),
    ]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["member_no"], "no 'amount' column"),
        (["product", "amount"], "no 'payroll_number' or 'member_number' column"),
        (["name"], "no 'amount' and no 'payroll_number' or 'member_number' column"),
    ],
)
def test_parse_refuses_missing_columns(columns, message):
    with pytest.raises(CheckoffFileError, match=message):
        parse_checkoff_rows([dict.fromkeys(columns, "1")])


def test_parse_refuses_column_under_two_names():
    with pytest.raises(CheckoffFileError, match="'payroll_no' and 'staff_no' both give"):
        parse_checkoff_rows([{"payroll_no": "1", "staff_no": "2", "amount": "3"}])


def test_parse_refuses_no_rows():
    with pytest.raises(CheckoffFileError, match="no rows"):
        parse_checkoff_rows([])


def test_read_then_parse_csv():
    content = b"Payroll No;Product;Amount\nP1;DEP;1 000\nP2;DEP;2500\n"
    lines, errors = parse_checkoff_rows(read_table(content, "feb.csv"))
    assert lines == [CheckoffRow(3, "P2", None, "DEP", D("2500.00"))]
    assert errors == [RowError(2, "'1 000' is not a valid amount.")]


# allocate


def test_allocate_by_priority_keeping_ties_in_order():
    expectations = [
        Expectation("deposit", 30, D("1000")),
        Expectation("loan:LN0002", 10, D("500")),
        Expectation("loan:LN0001", 10, D("700")),
        Expectation("shares", 20, D("300")),
    ]
    assert allocate(D("1400"), expectations) == (
        [("loan:LN0002", D("500")), ("loan:LN0001", D("700")), ("shares", D("200"))],
        D("0"),
    )


def test_allocate_excess():
    expectations = [Expectation("loan:LN1", 1, D("100.00")), Expectation("deposit", 2, D("50"))]
    assert allocate(D("200.00"), expectations) == (
        [("loan:LN1", D("100.00")), ("deposit", D("50"))],
        D("50.00"),
    )


def test_allocate_skips_zero_expectations_and_zero_received():
    expectations = [Expectation("a", 1, D(0)), Expectation("b", 2, D(10))]
    assert allocate(D(5), expectations) == ([("b", D(5))], D(0))
    assert allocate(D(0), expectations) == ([], D(0))
    assert allocate(D(5), []) == ([], D(5))


def test_allocate_refuses_negative_or_non_decimal():
    with pytest.raises(SaccoRuleError, match="Amount received must be at least zero"):
        allocate(D("-0.01"), [])
    with pytest.raises(SaccoRuleError, match="Expected amount"):
        allocate(D(1), [Expectation("a", 1, D(-1))])
    with pytest.raises(TypeError, match="must be a Decimal"):
        allocate(100, [])


money = st.decimals(min_value=D(0), max_value=D("1e9"), places=2)
expectation_lists = st.lists(
    st.builds(Expectation, st.text(max_size=5), st.integers(-3, 3), money),
    max_size=8,
    unique_by=lambda item: item.key,
)


@given(money, expectation_lists)
def test_allocate_properties(received, expectations):
    allocations, excess = allocate(received, expectations)
    got = dict(allocations)
    served = sorted(expectations, key=lambda item: item.priority)
    assert sum(got.values(), D(0)) + excess == received
    assert excess >= 0
    assert all(amount > 0 for amount in got.values())
    assert [key for key, _ in allocations] == [item.key for item in served if item.key in got]
    for index, item in enumerate(served):
        assert got.get(item.key, 0) <= item.amount
        # Nothing served later (lower priority, or a later tie) gets money while this is short.
        if any(got.get(later.key, 0) > 0 for later in served[index + 1 :]) or excess > 0:
            assert got.get(item.key, 0) == item.amount


# variances


def test_variances():
    expected = {"M3": D("100.00"), "M1": D("500.00"), "M2": D("200.00")}
    received = {"M1": D("500.00"), "M2": D("150.00"), "M4": D("75.00")}
    assert variances(expected, received) == [
        Variance("M2", D("200.00"), D("150.00"), D("-50.00")),
        Variance("M3", D("100.00"), D("0.00"), D("-100.00")),
        Variance("M4", D("0.00"), D("75.00"), D("75.00")),
    ]


def test_variances_equal_amounts_with_other_exponents_match():
    assert variances({"M1": D("5")}, {"M1": D("5.00")}) == []
    assert variances({}, {}) == []


@given(
    st.dictionaries(st.sampled_from("ABCDEF"), money),
    st.dictionaries(st.sampled_from("ABCDEF"), money),
)
def test_variances_properties(expected, received):
    result = variances(expected, received)
    assert [item.key for item in result] == sorted({item.key for item in result})
    for item in result:
        assert item.difference == item.received - item.expected != 0
        assert item.expected == expected.get(item.key, 0)
        assert item.received == received.get(item.key, 0)
    reported = {item.key for item in result}
    for key in (expected.keys() | received.keys()) - reported:
        assert expected.get(key, 0) == received.get(key, 0)


# allocate_remittance


def test_allocate_remittance_directed_first_then_by_priority():
    expectations = [
        Expectation("shares", 10, D("500")),
        Expectation("deposit", 20, D("2000")),
        Expectation("loan:LN1", 5, D("1000")),
    ]
    directed = {"deposit": D("800"), "savings": D("300")}
    assert allocate_remittance(directed, D("2000"), expectations) == (
        [
            ("deposit", D("1300")),
            ("savings", D("300")),
            ("loan:LN1", D("1000")),
            ("shares", D("500")),
        ],
        D("0"),
    )


def test_allocate_remittance_overpaid_directed_key_gets_no_pool_money():
    expectations = [Expectation("shares", 1, D("500")), Expectation("deposit", 2, D("100"))]
    assert allocate_remittance({"shares": D("700")}, D("150"), expectations) == (
        [("shares", D("700")), ("deposit", D("100"))],
        D("50"),
    )


def test_allocate_remittance_without_directed_is_allocate():
    expectations = [Expectation("a", 2, D("10")), Expectation("b", 1, D("5"))]
    assert allocate_remittance({}, D("12"), expectations) == allocate(D("12"), expectations)
    assert allocate_remittance({"a": D(0)}, D(0), expectations) == ([], D(0))


def test_allocate_remittance_refuses_negative_amounts():
    with pytest.raises(SaccoRuleError, match="Directed amount"):
        allocate_remittance({"a": D("-1")}, D(0), [])
    with pytest.raises(SaccoRuleError, match="Expected amount"):
        allocate_remittance({}, D(0), [Expectation("a", 1, D("-1"))])
    with pytest.raises(SaccoRuleError, match="Amount received"):
        allocate_remittance({}, D("-1"), [])


@given(st.dictionaries(st.sampled_from("abcxyz"), money, max_size=4), money, expectation_lists)
def test_allocate_remittance_properties(directed, undirected, expectations):
    allocations, excess = allocate_remittance(directed, undirected, expectations)
    got = dict(allocations)
    assert len(got) == len(allocations)
    assert sum(got.values(), D(0)) + excess == sum(directed.values(), D(0)) + undirected
    assert 0 <= excess <= undirected
    for key, amount in directed.items():
        assert got.get(key, D(0)) >= amount
