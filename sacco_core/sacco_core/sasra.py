"""SASRA returns of a deposit-taking SACCO (framework-free).

The return lines the GL maps to, the figures of Forms 1-7 computed from GL balances and the
savings and loan sub-ledgers, the prudential ratios, the cross-form checks SASRA's portal
runs before it accepts a month (research note section 1.5), the cell each figure is written
to in the portal's Excel templates, and the filing calendar. The Odoo add-on gathers the
balances and persists the result; everything here works on plain ``Decimal`` values.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sacco_core.exceptions import SaccoRuleError
from sacco_core.portfolio import CLASSES, NON_PERFORMING, Rates, round_half_up

ZERO = Decimal(0)

# The lines of the Statement of Financial Position (Form 6) and of Comprehensive Income
# (Form 7) a GL account maps to: (code, label, nature). The nature says how a balance
# reads: "debit" lines are debit minus credit, "credit" lines credit minus debit.
GL_LINES = (
    ("cash_in_hand", "Cash in hand", "debit"),
    ("cash_at_bank", "Cash at bank", "debit"),
    ("prepayments", "Prepayments and sundry receivables", "debit"),
    ("financial_investments", "Financial investments", "debit"),
    ("government_securities", "Government securities", "debit"),
    ("placements", "Placements and balances with other SACCOs", "debit"),
    ("investment_subsidiary", "Investment in subsidiaries", "debit"),
    ("gross_loans", "Gross loan portfolio", "debit"),
    ("loan_loss_allowance", "Allowance for loan losses", "credit"),
    ("receivables", "Accounts receivable and accrued interest", "debit"),
    ("deferred_tax_asset", "Deferred tax assets", "debit"),
    ("property_equipment", "Property and equipment", "debit"),
    ("investment_property", "Investment properties", "debit"),
    ("intangible_assets", "Intangible assets", "debit"),
    ("other_assets", "Other assets", "debit"),
    ("savings_deposits", "Savings deposits", "credit"),
    ("term_deposits", "Term deposits", "credit"),
    ("non_withdrawable_deposits", "Non-withdrawable deposits", "credit"),
    ("tax_payable", "Tax payable", "credit"),
    ("interest_dividends_payable", "Interest and dividends payable", "credit"),
    ("other_payables", "Other payables and provisions", "credit"),
    ("external_borrowings", "External borrowings", "credit"),
    ("share_capital", "Share capital", "credit"),
    ("capital_grants", "Capital grants", "credit"),
    ("retained_earnings", "Retained earnings", "credit"),
    ("statutory_reserve", "Statutory reserve", "credit"),
    ("other_reserves", "Other reserves", "credit"),
    ("revaluation_reserve", "Revaluation reserve", "credit"),
    ("proposed_dividends", "Proposed dividends", "credit"),
    ("interest_income_loans", "Interest on loan portfolio", "credit"),
    ("fee_income_loans", "Fees and commissions on loan portfolio", "credit"),
    ("income_government_securities", "Income from government securities", "credit"),
    ("income_placements", "Income from placements", "credit"),
    ("income_other_investments", "Income from other investments", "credit"),
    ("other_operating_income", "Other operating income", "credit"),
    ("interest_on_deposits", "Interest on deposits", "debit"),
    ("external_borrowing_cost", "Cost of external borrowings", "debit"),
    ("dividend_on_shares", "Dividend expense on member shares", "debit"),
    ("other_financial_expense", "Other financial expense", "debit"),
    ("provision_expense", "Provision for loan losses", "debit"),
    ("loan_recoveries", "Recoveries of written-off loans", "credit"),
    ("personnel_expense", "Personnel expenses", "debit"),
    ("governance_expense", "Governance expenses", "debit"),
    ("marketing_expense", "Marketing expenses", "debit"),
    ("depreciation", "Depreciation and amortisation", "debit"),
    ("administrative_expense", "Administrative expenses", "debit"),
    ("non_operating_income", "Non-operating income", "credit"),
    ("non_operating_expense", "Non-operating expenses", "debit"),
    ("taxes", "Taxes", "debit"),
    ("donations", "Donations", "debit"),
)
GL_LINE_CODES = frozenset(code for code, _label, _nature in GL_LINES)
# Lines of the income statement: summed over the financial year, not to a date.
_CODES = [code for code, _label, _nature in GL_LINES]
INCOME_LINES = frozenset(_CODES[_CODES.index("interest_income_loans") :])
BALANCE_LINES = GL_LINE_CODES - INCOME_LINES

# Form 3 deposit size bands (upper bound in KES, inclusive; None: no bound) and types.
DEPOSIT_BANDS = (
    ("Less than 50,000", Decimal(50000)),
    ("50,001 - 100,000", Decimal(100000)),
    ("100,001 - 300,000", Decimal(300000)),
    ("300,001 - 1,000,000", Decimal(1000000)),
    ("Over 1,000,000", None),
)
DEPOSIT_TYPES = (
    ("non_withdrawable", "Non-withdrawable deposits"),
    ("savings", "Savings deposits"),
    ("term", "Term deposits"),
)

# Economic sectors of the sectoral lending return (SASRA portal's EconomicSector list).
SECTORS = (
    ("agriculture", "Agriculture"),
    ("manufacturing", "Manufacturing"),
    ("trade", "Trade"),
    ("construction", "Building and construction"),
    ("transport", "Transport and communication"),
    ("real_estate", "Real estate"),
    ("energy", "Energy and water"),
    ("tourism", "Tourism, hotels and restaurants"),
    ("education", "Education"),
    ("health", "Health"),
    ("finance", "Finance and insurance"),
    ("mining", "Mining and quarrying"),
    ("household", "Personal and household"),
)
# Insiders of Form 9 (regulation 36): officials, committee members and staff.
INSIDER_ROLES = (
    ("director", "Directors"),
    ("committee", "Committee members"),
    ("staff", "Employees"),
)


@dataclass(frozen=True)
class LoanStanding:
    """A loan as the month-end close of business left it, or ``count`` loans alike in
    class, block, sector, insider role and newness, with their amounts summed."""

    sasra_class: str
    rescheduled: bool
    outstanding: Decimal
    provision: Decimal
    interest_in_suspense: Decimal = ZERO
    sector: str | None = None
    insider: str | None = None
    disbursed_in_period: bool = False
    principal: Decimal = ZERO
    count: int = 1


@dataclass(frozen=True)
class Row:
    """One figure of a return: its code, the portal's cell for it and its label."""

    code: str
    cell: str
    label: str
    index: str = ""


def _rows(*rows):
    return tuple(Row(*row) for row in rows)


def _down(column, first_row, *rows):
    """Rows ``(index, code, label)`` on consecutive rows of ``column`` from ``first_row``;
    ``None`` leaves a row for a section heading."""
    return tuple(
        Row(row[1], f"{column}{first_row + offset}", row[2], row[0])
        for offset, row in enumerate(rows)
        if row
    )


def _numbered(section, prefix, items):
    """Lines ``(index, code, label)`` numbered ``section.1`` on, of ``(code, label)`` items
    whose codes take ``prefix``."""
    return tuple(
        (f"{section}.{number}", f"{prefix}{code}", label)
        for number, (code, label) in enumerate(items, 1)
    )


def _ratio_rows(section, first, code, label, bound="min"):
    """The three printed lines ``(index, code, label)`` of a prudential ratio, numbered
    ``section.first`` on: the ratio, its regulatory ``bound`` ("min" or "max") and the excess."""
    bound_label = {"min": "Minimum requirement (%)", "max": "Maximum (%)"}[bound]
    return (
        (f"{section}.{first}", code, f"{label} (%)"),
        (f"{section}.{first + 1}", f"{code}_{bound}", bound_label),
        (f"{section}.{first + 2}", f"{code}_excess", "Excess / (deficiency)"),
    )


def _shifted(rows, offset, skip=()):
    """``rows`` moved down ``offset`` rows, without the codes in ``skip``."""
    return tuple(
        Row(row.code, f"{row.cell[0]}{int(row.cell[1:]) + offset}", row.label, row.index)
        for row in rows
        if row.code not in skip
    )


# The portal's cell map of each DT form (research note 1.5-1.6): first worksheet, values in
# the cells below. A revised official template is a change of this data only.
HEADER_CELLS = {
    "1": ("D4", "D5", "D6"),
    "2": ("D4", "D5", "D6"),
    "3": ("E4", "E5", "E6"),
    "4": ("D4", "D5", "D6"),
    "5": ("C4", "C5", "C6"),
    "6": ("C4", "C5", "C6"),
    "7": ("C4", "C5", "C6"),
    "8": ("C4", "C5", "C6"),
    "9": ("C4", "C5", "C6"),
    "sectoral": ("C4", "C5", "C6"),
}
FORM_NAMES = {
    "1": "Form 1 - Capital Adequacy Return",
    "2": "Form 2 - Liquidity Statement",
    "3": "Form 3 - Statement of Deposit Return",
    "4": "Form 4 - Risk Classification of Assets and Provisioning",
    "5": "Form 5 - Investment Return",
    "6": "Form 6 - Statement of Financial Position",
    "7": "Form 7 - Statement of Comprehensive Income",
    "8": "Form 8 - Other Disclosures",
    "9": "Form 9 - Insider Lending and Performance",
    "sectoral": "Sectoral Lending Return",
}
FORM_ROWS = {
    "1": _rows(
        ("share_capital", "D10", "Share capital"),
        ("statutory_reserve", "D11", "Statutory reserves"),
        ("retained_earnings", "D12", "Retained earnings / accumulated losses"),
        ("surplus_counted", "D13", "Net surplus after tax, current year to date (50%)"),
        ("capital_grants", "D14", "Capital grants"),
        ("other_reserves", "D16", "Other reserves"),
        ("capital_subtotal", "D17", "Sub-total"),
        ("investment_subsidiary", "D19", "Investments in subsidiaries and equity instruments"),
        ("total_deductions", "D21", "Total deductions"),
        ("core_capital", "D22", "Core capital"),
        ("institutional_capital", "D23", "Institutional capital"),
        ("cash", "D26", "Cash (local and foreign)"),
        ("government_securities", "D27", "Government securities"),
        ("bank_balances", "D28", "Deposits and balances at other institutions"),
        ("loans", "D29", "Loans and advances"),
        ("investments", "D30", "Investments"),
        ("property_equipment", "D31", "Property and equipment"),
        ("other_assets", "D32", "Other assets"),
        ("on_balance_total", "D33", "Total"),
        ("total_assets", "D34", "Total assets per balance sheet"),
        ("difference", "D35", "Difference (reconciliation attached)"),
        ("off_balance", "D37", "Off-balance sheet assets"),
        ("assets_on_off", "D40", "Total assets (on and off balance sheet)"),
        ("total_deposits", "D41", "Total deposit liabilities"),
        ("cc_ta", "D43", "Core capital / total assets (%)"),
        ("cc_ta_min", "D44", "Minimum requirement (%)"),
        ("cc_ta_excess", "D45", "Excess / (deficiency)"),
        ("ic_ta", "D47", "Institutional capital / total assets (%)"),
        ("ic_ta_min", "D48", "Minimum requirement (%)"),
        ("ic_ta_excess", "D49", "Excess / (deficiency)"),
        ("cc_td", "D51", "Core capital / total deposits (%)"),
        ("cc_td_min", "D52", "Minimum requirement (%)"),
        ("cc_td_excess", "D53", "Excess / (deficiency)"),
    ),
    "2": _rows(
        ("cash", "D8", "Notes and coins"),
        ("bank_balances", "D12", "Balances with commercial banks"),
        ("placements", "D16", "Balances with other SACCOs and non-bank institutions"),
        ("government_securities", "D26", "Government securities"),
        ("net_liquid_assets", "D28", "Net liquid assets"),
        ("total_deposits", "D32", "Total deposit liabilities"),
        ("short_term_liabilities", "D36", "Matured and short-term liabilities"),
        ("total_short_term", "D40", "Total deposits and short-term liabilities"),
        ("liquidity_ratio", "D44", "Liquidity ratio (%)"),
        ("liquidity_min", "D46", "Minimum requirement (%)"),
        ("liquidity_excess", "D48", "Excess / (deficiency)"),
    ),
    "3": tuple(
        row
        for band_index, (band, _bound) in enumerate(DEPOSIT_BANDS)
        for type_index, (kind, label) in enumerate(DEPOSIT_TYPES)
        for row in (
            Row(f"count_{band_index}_{kind}", f"D{9 + band_index * 3 + type_index}", label),
            Row(f"amount_{band_index}_{kind}", f"E{9 + band_index * 3 + type_index}", band),
        )
    )
    + _rows(("total_count", "D26", "Total accounts"), ("total_deposits", "E26", "Total")),
    "4": tuple(
        row
        for block, first in (("", 10), ("rescheduled_", 17))
        for index, name in enumerate(CLASSES)
        for row in (
            Row(f"{block}count_{name}", f"C{first + index}", name.title()),
            Row(f"{block}outstanding_{name}", f"D{first + index}", name.title()),
            Row(f"{block}rate_{name}", f"E{first + index}", name.title()),
            Row(f"{block}provision_{name}", f"F{first + index}", name.title()),
        )
    )
    + _rows(
        ("subtotal_outstanding", "D15", "Sub-total"),
        ("subtotal_provision", "F15", "Sub-total"),
        ("rescheduled_subtotal_outstanding", "D22", "Rescheduled sub-total"),
        ("rescheduled_subtotal_provision", "F22", "Rescheduled sub-total"),
        ("total_count", "C23", "Total accounts"),
        ("total_outstanding", "D23", "Grand total"),
        ("total_provision", "F23", "Grand total provision"),
    ),
    "5": _rows(
        ("total_assets", "C9", "Total assets"),
        ("total_deposits", "C10", "Total deposits"),
        ("core_capital", "C11", "Core capital"),
        ("financial_investments", "C12", "Financial investments"),
        ("land_buildings", "C13", "Land and buildings"),
        ("non_earning_assets", "C14", "Non-earning assets"),
        ("lb_ta", "C17", "Land and buildings / total assets (%)"),
        ("lb_ta_max", "C18", "Maximum (%)"),
        ("lb_ta_excess", "C19", "Excess / (deficiency)"),
        ("fi_cc", "C21", "Financial investments / core capital (%)"),
        ("fi_cc_max", "C22", "Maximum (%)"),
        ("fi_cc_excess", "C23", "Excess / (deficiency)"),
        ("fi_td", "C25", "Financial investments / total deposits (%)"),
        ("fi_td_max", "C26", "Maximum (%)"),
        ("fi_td_excess", "C27", "Excess / (deficiency)"),
        ("nea_ta", "C29", "Non-earning assets / total assets (%)"),
        ("nea_ta_max", "C30", "Maximum (%)"),
        ("nea_ta_excess", "C31", "Excess / (deficiency)"),
    ),
    "6": _rows(
        ("cash_and_equivalents", "C10", "Cash and cash equivalents"),
        ("cash_in_hand", "C11", "Cash in hand"),
        ("cash_at_bank", "C12", "Cash at bank"),
        ("prepayments", "C14", "Prepayments and sundry receivables"),
        ("financial_investments", "C16", "Financial investments"),
        ("government_securities", "C17", "Government securities"),
        ("placements", "C18", "Placements and balances with other SACCOs"),
        ("investment_subsidiary", "C20", "Investment in subsidiaries"),
        ("net_loans", "C22", "Net loan portfolio"),
        ("gross_loans", "C23", "Gross loan portfolio"),
        ("loan_loss_allowance", "C24", "Allowance for loan losses"),
        ("receivables", "C26", "Accounts receivable and accrued interest"),
        ("deferred_tax_asset", "C27", "Deferred tax assets"),
        ("property_equipment", "C33", "Property and equipment"),
        ("investment_property", "C34", "Investment properties"),
        ("intangible_assets", "C35", "Intangible assets"),
        ("other_assets", "C36", "Other assets"),
        ("total_assets", "C38", "TOTAL ASSETS"),
        ("savings_deposits", "C42", "Savings deposits"),
        ("term_deposits", "C43", "Term deposits"),
        ("non_withdrawable_deposits", "C44", "Non-withdrawable deposits"),
        ("total_deposits", "C45", "Total deposits"),
        ("tax_payable", "C48", "Tax payable"),
        ("interest_dividends_payable", "C49", "Interest and dividends payable"),
        ("other_payables", "C50", "Other payables and provisions"),
        ("external_borrowings", "C51", "External borrowings"),
        ("total_liabilities", "C53", "TOTAL LIABILITIES"),
        ("share_capital", "C57", "Share capital"),
        ("capital_grants", "C58", "Capital grants"),
        ("retained_earnings", "C61", "Retained earnings, prior years"),
        ("current_surplus", "C62", "Surplus, current year"),
        ("statutory_reserve", "C65", "Statutory reserve"),
        ("other_reserves", "C66", "Other reserves"),
        ("revaluation_reserve", "C67", "Revaluation reserve"),
        ("proposed_dividends", "C68", "Proposed dividends"),
        ("total_equity", "C70", "TOTAL EQUITY"),
        ("total_liabilities_equity", "C72", "TOTAL LIABILITIES AND EQUITY"),
    ),
    "7": _rows(
        ("interest_income_loans", "C11", "Interest on loan portfolio"),
        ("fee_income_loans", "C12", "Fees and commissions on loan portfolio"),
        ("income_government_securities", "C14", "Government securities"),
        ("income_placements", "C15", "Placements with banks"),
        ("income_other_investments", "C16", "Other investments"),
        ("other_operating_income", "C17", "Other operating income"),
        ("financial_income", "C19", "Total financial income"),
        ("interest_on_deposits", "C21", "Interest on deposits"),
        ("external_borrowing_cost", "C22", "Cost of external borrowings"),
        ("dividend_on_shares", "C23", "Dividend expense on member shares"),
        ("other_financial_expense", "C24", "Other financial expense"),
        ("financial_expense", "C26", "Total financial expense"),
        ("net_financial_income", "C28", "Net financial income"),
        ("provision_expense", "C30", "Provision for loan losses"),
        ("loan_recoveries", "C31", "Value of loan recoveries"),
        ("net_financial_margin", "C33", "Net financial margin"),
        ("personnel_expense", "C35", "Personnel expenses"),
        ("governance_expense", "C36", "Governance expenses"),
        ("marketing_expense", "C37", "Marketing expenses"),
        ("depreciation", "C38", "Depreciation and amortisation"),
        ("administrative_expense", "C39", "Administrative expenses"),
        ("operating_expense", "C41", "Total operating expenses"),
        ("net_operating_income", "C43", "Net operating income"),
        ("non_operating_income", "C45", "Non-operating income"),
        ("non_operating_expense", "C46", "Non-operating expenses"),
        ("income_before_tax", "C48", "Net income before taxes and donations"),
        ("taxes", "C50", "Taxes"),
        ("income_after_tax", "C52", "Net income after taxes"),
        ("donations", "C54", "Donations"),
        ("net_income", "C56", "Net income after taxes and donations"),
    ),
    # Forms 8, 9 and sectoral lending: no portal cell map was available (research note 7),
    # so these follow the printed NWDT 2H and insider-lending layouts, values in column C on.
    "8": _rows(
        ("gross_npl", "C10", "Gross non-performing loans"),
        ("interest_in_suspense", "C11", "Less: interest in suspense"),
        ("total_npl", "C12", "Total non-performing loans"),
        ("npl_allowance", "C13", "Less: allowance for loan losses"),
        ("net_npl", "C14", "Net non-performing loans"),
        ("insider_director", "C17", "Insider loans: directors"),
        ("insider_committee", "C18", "Insider loans: committee members"),
        ("insider_staff", "C19", "Insider loans: employees"),
        ("insider_total", "C20", "Total insider loans"),
        ("off_balance", "C23", "Off-balance sheet items (guarantees and commitments)"),
        ("core_capital", "C26", "Core capital"),
        ("cc_ta", "C27", "Core capital / total assets (%)"),
        ("cc_ta_min", "C28", "Minimum requirement (%)"),
        ("cc_td", "C29", "Core capital / total deposits (%)"),
        ("cc_td_min", "C30", "Minimum requirement (%)"),
        ("liquidity_ratio", "C33", "Liquidity ratio (%)"),
        ("liquidity_min", "C34", "Minimum requirement (%)"),
    ),
    "9": tuple(
        Row(f"{role}_{column}", f"{letter}{10 + index}", label)
        for index, (role, label) in enumerate((*INSIDER_ROLES, ("total", "Total")))
        for column, letter in (
            ("new_count", "C"),
            ("new_amount", "D"),
            ("count", "E"),
            ("outstanding", "F"),
            *((name, chr(ord("G") + offset)) for offset, name in enumerate(CLASSES)),
        )
    ),
    "sectoral": tuple(
        Row(f"{sector}_{column}", f"{chr(ord('C') + offset)}{10 + index}", label)
        for index, (sector, label) in enumerate((*SECTORS, ("total", "Total")))
        for offset, column in enumerate(
            [f"{kind}_{name}" for name in (*CLASSES, "all") for kind in ("count", "amount")]
        )
    ),
}
DT_FORMS = tuple(FORM_ROWS)

# --------------------------------------------------------------------------- NWDT forms

# Non-withdrawable-deposit-taking SACCOs' quarterly forms 2A-2H (research note 1.3-1.4),
# line for line with the printed forms' index numbers. The portal reads their header at
# D5-D7 and Form 2F's figures from rows 11-58; the other forms' rows follow the printed
# order (index in B, item in C, figures from column D) until the official templates' cell
# maps are at hand (research note section 7) - a change of this data only.
NWDT_FORMS = ("2A", "2B", "2C", "2D", "2E", "2F", "2G", "2H")
FORM_NAMES.update(
    {
        "2A": "Form 2A - Capital Adequacy Return",
        "2B": "Form 2B - Liquidity Statement Return",
        "2C": "Form 2C - Statement of Deposit Return",
        "2D": "Form 2D - Risk Classification of Assets and Provisioning",
        "2E": "Form 2E - Return on Investment",
        "2F": "Form 2F - Statement of Comprehensive Income",
        "2G": "Form 2G - Statement of Financial Position",
        "2H": "Form 2H - Statement of Other Disclosures",
        "daily": "Daily Liquidity Return",
    }
)
HEADER_CELLS.update({form: ("D5", "D6", "D7") for form in NWDT_FORMS})
HEADER_CELLS["daily"] = ("D4", "D5", "D6")
# Each NWDT ratio: (code, label, numerator, denominator, threshold, is_minimum).
NWDT_INVESTMENT_RATIOS = (
    (
        "lbe_ta",
        "Land, buildings and equipment / total assets",
        "land_buildings_equipment",
        "total_assets",
        "nwdt_lbe_ta_max",
    ),
    ("lb_ta", "Land and buildings / total assets", "land_buildings", "total_assets", "lb_ta_max"),
    (
        "fi_cc",
        "Financial investments / core capital",
        "financial_assets",
        "core_capital",
        "fi_cc_max",
    ),
    (
        "equity_cc",
        "Equity investments / core capital",
        "equity_investments",
        "core_capital",
        "nwdt_equity_cc_max",
    ),
    (
        "subsidiary_cc",
        "Investments in subsidiaries / core capital",
        "subsidiary_investments",
        "core_capital",
        "nwdt_subsidiary_cc_max",
    ),
    (
        "other_cc",
        "Other investments / core capital",
        "other_investments",
        "core_capital",
        "nwdt_other_cc_max",
    ),
)
FORM_ROWS.update(
    {
        "2A": _down(
            "D",
            11,
            ("1.1.1", "share_capital", "Share capital"),
            ("1.1.2", "capital_grants", "Capital grants (equity in nature)"),
            ("1.1.3", "retained_earnings", "Retained earnings / accumulated losses"),
            ("1.1.4", "surplus_counted", "Net surplus after tax, current year to date (50%)"),
            ("1.1.5", "statutory_reserve", "Statutory reserves"),
            ("1.1.6", "other_reserves", "Other reserves (include all losses)"),
            ("1.1.7", "capital_subtotal", "Sub-total"),
            (
                "1.1.8",
                "investment_subsidiary",
                "Less: investments in subsidiary and equity instruments of other institutions",
            ),
            ("1.1.9", "other_deductions", "Less: other deductions"),
            ("1.1.10", "total_deductions", "Total deductions"),
            ("1.1.11", "core_capital", "Core capital"),
            ("1.1.12", "retained_disclosed", "Retained earnings and disclosed reserves"),
            None,
            ("2.1", "cash", "Cash (local and foreign)"),
            ("2.2", "government_securities", "Government securities"),
            ("2.3", "bank_balances", "Deposits and balances at other institutions"),
            ("2.4", "loans", "Loans and advances"),
            ("2.5", "investments", "Investments"),
            ("2.6", "property_equipment", "Property and equipment (net)"),
            ("2.7", "other_assets", "Other assets"),
            ("2.8", "on_balance_total", "Total"),
            ("2.9", "total_assets", "Total assets per balance sheet"),
            ("2.10", "difference", "Difference (reconciliation to be attached)"),
            None,
            ("3.0", "off_balance", "Off-balance sheet assets"),
            None,
            ("4.1", "ratio_total_assets", "Total assets per balance sheet"),
            ("4.2", "ratio_off_balance", "Off-balance sheet assets"),
            ("4.3", "assets_on_off", "Total assets"),
            ("4.4", "total_deposits", "Total deposit liabilities"),
            *_ratio_rows(4, 5, "cc_ta", "Core capital / total assets"),
            *_ratio_rows(4, 8, "re_cc", "Retained earnings and disclosed reserves / core capital"),
            *_ratio_rows(4, 11, "cc_td", "Core capital / total deposit liabilities"),
        ),
        "2B": _down(
            "D",
            11,
            ("1.1", "local_notes", "Local notes and coins"),
            ("1.2", "foreign_notes", "Foreign notes and coins"),
            ("1.3", "notes_total", "Total notes and coins"),
            None,
            ("2.1", "bank_balances", "Balances with commercial banks"),
            ("2.2", "time_deposits_90", "Less: time deposits with banks over 90 days"),
            ("2.3", "overdrafts", "Less: overdrafts and matured loans from domestic banks"),
            ("2.4", "net_bank_balances", "Net bank balances"),
            None,
            ("3.1", "sacco_balances", "Balances with other SACCO societies"),
            ("3.2", "fi_balances", "Balances with other financial institutions"),
            ("3.3", "due_to_saccos", "Less: balances due to other SACCO societies"),
            ("3.4", "due_to_fis", "Less: balances due to financial institutions"),
            ("3.5", "matured_loans", "Less: matured loans and advances received"),
            ("3.6", "net_fi_balances", "Net balances with other institutions"),
            None,
            # The GL map has one government securities line: bills and bonds together.
            ("4.1", "treasury_bills", "Treasury bills and bonds"),
            ("4.2", "bearer_bonds", "Bearer bonds"),
            ("4.3", "government_securities", "Total government securities"),
            None,
            ("5", "net_liquid_assets", "Net liquid assets"),
            None,
            ("6.1", "matured_liabilities", "Matured liabilities"),
            ("6.2", "liabilities_91_days", "Liabilities maturing within 91 days"),
            ("6.3", "other_liabilities", "Total other liabilities"),
            None,
            ("7", "liquidity_ratio", "Liquidity ratio (%)"),
            ("8", "liquidity_min", "Minimum requirement (%)"),
            ("9", "liquidity_excess", "Excess / (deficit)"),
        ),
        "2C": tuple(
            row
            for index, (band, _bound) in enumerate(DEPOSIT_BANDS)
            for row in (
                Row(f"count_{index}", f"D{10 + index}", band, str(index + 1)),
                Row(f"amount_{index}", f"E{10 + index}", band, str(index + 1)),
            )
        )
        + _rows(
            ("total_count", f"D{10 + len(DEPOSIT_BANDS)}", "Total"),
            ("total_deposits", f"E{10 + len(DEPOSIT_BANDS)}", "Total"),
        ),
        "2D": _shifted(FORM_ROWS["4"], 1),
        "2E": _down(
            "D",
            11,
            ("1", "core_capital", "Core capital"),
            ("2", "total_assets", "Total assets"),
            ("3", "total_deposits", "Total deposits"),
            ("4", "non_earning_assets", "Non-earning assets"),
            None,
            ("5.1", "subsidiary_investments", "Investments in subsidiaries and related entities"),
            ("5.2", "equity_investments", "Equity investments"),
            (
                "5.3",
                "other_investments",
                "Other investments (bonds, commercial paper, collective investment schemes)",
            ),
            ("5.4", "financial_assets", "Total financial assets"),
            ("6", "land_buildings_equipment", "Land, buildings and equipment"),
            ("7", "land_buildings", "Land and buildings"),
            None,
            *(
                row
                for number, (code, label, *_terms) in enumerate(NWDT_INVESTMENT_RATIOS, 8)
                for row in _ratio_rows(number, 1, code, label, bound="max")
            ),
        ),
        "2F": _shifted(FORM_ROWS["7"], 2),
        "2G": _shifted(FORM_ROWS["6"], 1, skip=("savings_deposits", "term_deposits")),
        "2H": tuple(
            row
            for row in _down(
                "C",
                11,
                ("1.1", "gross_npl", "Gross non-performing loans"),
                ("1.2", "interest_in_suspense", "Less: interest in suspense"),
                ("1.3", "total_npl", "Total non-performing loans"),
                ("1.4", "npl_allowance", "Less: allowance for loan loss"),
                ("1.5", "net_npl", "Net non-performing loans"),
                None,
                ("2.1", "insider_directors", "Insider loans: directors"),
                ("2.2", "insider_employees", "Insider loans: employees"),
                ("2.3", "insider_total", "Total insider loans"),
                None,
                ("3.1", "guarantees", "Guarantees and commitments"),
                ("3.2", "other_contingent", "Other contingent liabilities"),
                None,
                ("4.1", "core_capital", "Core capital"),
                ("4.2", "cc_ta", "Core capital / total assets (%)"),
                ("4.3", "cc_ta_min", "Minimum requirement (%)"),
                ("4.4", "cc_td", "Core capital / deposits (%)"),
                ("4.5", "cc_td_min", "Minimum requirement (%)"),
                None,
                ("5.1", "liquidity_ratio", "Liquidity ratio (%)"),
                ("5.2", "liquidity_min", "Minimum requirement (%)"),
            )
            # Current year in C, prior year in D.
            for row in (row, Row(f"prior_{row.code}", f"D{row.cell[1:]}", row.label, row.index))
        ),
    }
)

# --------------------------------------------------------------------------- daily return

# The daily liquidity return (the portal's DailyLiquidityReturn): where the SACCO's liquid
# money sits at the day's opening and close, and what came in and went out in between.
LIQUID_BUCKETS = (
    ("bank", "Bank balances"),
    ("treasury", "Consolidated treasury cash balances"),
    ("tellers", "Tellers' balances"),
    ("mobile", "Mobile money channels"),
    ("placements", "Placements with banks"),
)
RECEIPTS = (
    ("deposits", "Deposits from members"),
    ("loan_repayments", "Cash loan repayments"),
    ("other", "Other cash receipts"),
)
PAYMENTS = (
    ("withdrawals", "Cash withdrawals by members"),
    ("members", "Cash payments to members"),
    ("other", "Other cash payments"),
)
FORM_ROWS["daily"] = _down(
    "D",
    10,
    *_numbered(1, "opening_", LIQUID_BUCKETS),
    ("1.6", "opening_total", "Sub-total opening balances"),
    None,
    *_numbered(2, "receipts_", RECEIPTS),
    ("2.4", "receipts_total", "Sub-total receipts"),
    ("2.5", "opening_and_receipts", "Total opening balances and receipts"),
    None,
    *_numbered(3, "payments_", PAYMENTS),
    ("3.4", "payments_total", "Sub-total payments"),
    None,
    *_numbered(4, "closing_", LIQUID_BUCKETS),
    ("4.6", "closing_total", "Total closing balance"),
    None,
    ("5.1", "deposits_bosa", "BOSA deposits"),
    ("5.2", "deposits_fosa", "FOSA deposits"),
    ("5.3", "deposits_total", "Total deposits"),
    None,
    ("6.1", "closing_to_deposits", "Total closing balance / total deposits (%)"),
    ("6.2", "closing_to_fosa", "Total closing balance / FOSA deposits (%)"),
)
FORMS = tuple(FORM_ROWS)

# --------------------------------------------------------------------------- Form 9 detail

# Form 9's loan-by-loan parts (the portal's InsiderLoan): Part 1 lists the insider loans
# granted in the period, Part 2 every outstanding insider loan with its performance. Each
# part has a title row and a heading row, then one row per loan in these columns.
INSIDER_COLUMNS = (
    ("borrower", "B", "Name of borrower"),
    ("member_number", "C", "Member no."),
    ("position", "D", "Position held"),
    ("loan_type", "E", "Loan type"),
    ("amount_applied", "F", "Amount applied"),
    ("amount_granted", "G", "Amount granted"),
    ("approved_on", "H", "Date approved / ratified"),
    ("bosa_deposits", "I", "Amount of BOSA deposits"),
    ("security", "J", "Nature of security"),
    ("repayment_start", "K", "Repayment commencement date"),
    ("repayment_months", "L", "Repayment period (months)"),
    ("outstanding", "M", "Outstanding amount"),
    ("sasra_class", "N", "Performance category"),
    ("remarks", "O", "Remarks"),
)
INSIDER_PARTS = (
    ("new", "Part 1: Insider loans granted during the period"),
    ("outstanding", "Part 2: Performance of outstanding insider loans"),
)
INSIDER_FIRST_ROW = 16  # below the totals block of rows 10-13


@dataclass(frozen=True)
class InsiderLoan:
    """One insider's loan as Form 9 lists it."""

    loan: str
    borrower: str
    member_number: str
    position: str
    loan_type: str
    amount_applied: Decimal
    amount_granted: Decimal
    approved_on: date | None
    bosa_deposits: Decimal
    security: str
    repayment_start: date | None
    repayment_months: int
    outstanding: Decimal
    sasra_class: str
    new: bool
    remarks: str = ""


def insider_detail_layout(loans) -> list:
    """``(part, title row, heading row, [(row, loan), ...])`` of Form 9's two parts: Part 1
    the loans granted in the period, Part 2 every loan; a blank row between the parts."""
    layout, row = [], INSIDER_FIRST_ROW
    for part, _title in INSIDER_PARTS:
        listed = [loan for loan in loans if part == "outstanding" or loan.new]
        rows = [(row + 2 + offset, loan) for offset, loan in enumerate(listed)]
        layout.append((part, row, row + 1, rows))
        row += 2 + len(listed) + 1
    return layout


def insider_detail_checks(form9: dict, loans, gl_outstanding: Decimal) -> list:
    """Form 9's loan rows against its totals, and the listed balances against the GL."""
    new = [loan for loan in loans if loan.new]
    listed = sum((Decimal(loan.outstanding) for loan in loans), ZERO)
    return [
        CheckResult(
            "Insider loans granted listed",
            f"Form 9 {cell_of('9', 'total_new_amount')} = Part 1 amounts granted",
            form9["total_new_amount"],
            sum((Decimal(loan.amount_granted) for loan in new), ZERO),
        ),
        CheckResult(
            "Insider loans counted",
            f"Form 9 {cell_of('9', 'total_count')} = Part 2 loans",
            form9["total_count"],
            Decimal(len(loans)),
        ),
        CheckResult(
            "Insider loans outstanding listed",
            f"Form 9 {cell_of('9', 'total_outstanding')} = Part 2 outstanding amounts",
            form9["total_outstanding"],
            listed,
        ),
        CheckResult(
            "Insider loans in the GL",
            "Form 9 Part 2 outstanding amounts = loan portfolio account of the listed loans",
            listed,
            Decimal(gl_outstanding),
        ),
    ]


def cell_of(form: str, code: str) -> str:
    """The portal cell of figure ``code`` on ``form``."""
    for row in FORM_ROWS[form]:
        if row.code == code:
            return row.cell
    raise SaccoRuleError(f"Form {form} has no figure '{code}'.")


@dataclass(frozen=True)
class Thresholds:
    """Prudential limits (percent, KES for the absolute minimum)."""

    core_capital_min: Decimal = Decimal(10_000_000)
    cc_ta_min: Decimal = Decimal(10)
    ic_ta_min: Decimal = Decimal(8)
    cc_td_min: Decimal = Decimal(8)
    liquidity_min: Decimal = Decimal(15)
    lb_ta_max: Decimal = Decimal(5)
    fi_cc_max: Decimal = Decimal(40)
    fi_td_max: Decimal = Decimal(5)
    nea_ta_max: Decimal = Decimal(10)
    surplus_counted: Decimal = Decimal(50)
    # Non-withdrawable-deposit SACCOs (the portal's NWDT defaults; research note 1.4).
    nwdt_cc_ta_min: Decimal = Decimal(8)
    nwdt_re_cc_min: Decimal = Decimal(50)
    nwdt_cc_td_min: Decimal = Decimal(5)
    nwdt_liquidity_min: Decimal = Decimal(10)
    nwdt_lbe_ta_max: Decimal = Decimal(10)
    nwdt_equity_cc_max: Decimal = Decimal(20)
    nwdt_subsidiary_cc_max: Decimal = Decimal(50)
    nwdt_other_cc_max: Decimal = Decimal(30)


DEFAULT_THRESHOLDS = Thresholds()
DEFAULT_RATES = Rates()


@dataclass(frozen=True)
class Ratio:
    """A prudential ratio against its limit, with excess/(deficiency) and pass/fail."""

    code: str
    label: str
    value: Decimal
    limit: Decimal
    is_minimum: bool

    @property
    def excess(self) -> Decimal:
        return self.value - self.limit if self.is_minimum else self.limit - self.value

    @property
    def passed(self) -> bool:
        return self.excess >= 0


def percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    """``numerator`` as a percentage of ``denominator`` to 2 dp (0 when there is nothing)."""
    if not denominator:
        return ZERO
    return round_half_up(Decimal(numerator) * 100 / Decimal(denominator))


def surplus_counted(current_surplus: Decimal, share: Decimal = Decimal(50)) -> Decimal:
    """The part of the current year's surplus (or loss) counted in core capital."""
    return round_half_up(Decimal(current_surplus) * Decimal(share) / 100)


def deposit_band(balance: Decimal) -> int:
    """The Form 3 size band (index in DEPOSIT_BANDS) of an account's balance."""
    for index, (_label, bound) in enumerate(DEPOSIT_BANDS):
        if bound is None or balance <= bound:
            return index
    raise SaccoRuleError("Deposit bands must end with an unbounded band.")


# --------------------------------------------------------------------------- forms


def statement_of_financial_position(gl: dict) -> dict:
    """Form 6 from the GL balances by line (``current_surplus``: this year's net income)."""
    g = {code: Decimal(gl.get(code, ZERO)) for code in GL_LINE_CODES | {"current_surplus"}}
    f = {code: g[code] for code in (row.code for row in FORM_ROWS["6"]) if code in g}
    f["cash_and_equivalents"] = g["cash_in_hand"] + g["cash_at_bank"]
    f["net_loans"] = g["gross_loans"] - g["loan_loss_allowance"]
    f["total_assets"] = (
        f["cash_and_equivalents"]
        + g["prepayments"]
        + g["financial_investments"]
        + g["government_securities"]
        + g["placements"]
        + g["investment_subsidiary"]
        + f["net_loans"]
        + g["receivables"]
        + g["deferred_tax_asset"]
        + g["property_equipment"]
        + g["investment_property"]
        + g["intangible_assets"]
        + g["other_assets"]
    )
    f["total_deposits"] = (
        g["savings_deposits"] + g["term_deposits"] + g["non_withdrawable_deposits"]
    )
    f["total_liabilities"] = (
        f["total_deposits"]
        + g["tax_payable"]
        + g["interest_dividends_payable"]
        + g["other_payables"]
        + g["external_borrowings"]
    )
    f["total_equity"] = sum(
        g[code]
        for code in (
            "share_capital",
            "capital_grants",
            "retained_earnings",
            "current_surplus",
            "statutory_reserve",
            "other_reserves",
            "revaluation_reserve",
            "proposed_dividends",
        )
    )
    f["total_liabilities_equity"] = f["total_liabilities"] + f["total_equity"]
    return f


def statement_of_comprehensive_income(gl: dict) -> dict:
    """Form 7 from the year-to-date GL amounts by income statement line."""
    f = {code: Decimal(gl.get(code, ZERO)) for code in INCOME_LINES}
    f["financial_income"] = sum(
        f[code]
        for code in (
            "interest_income_loans",
            "fee_income_loans",
            "income_government_securities",
            "income_placements",
            "income_other_investments",
            "other_operating_income",
        )
    )
    f["financial_expense"] = (
        f["interest_on_deposits"]
        + f["external_borrowing_cost"]
        + f["dividend_on_shares"]
        + f["other_financial_expense"]
    )
    f["net_financial_income"] = f["financial_income"] - f["financial_expense"]
    f["net_financial_margin"] = (
        f["net_financial_income"] - f["provision_expense"] + f["loan_recoveries"]
    )
    f["operating_expense"] = (
        f["personnel_expense"]
        + f["governance_expense"]
        + f["marketing_expense"]
        + f["depreciation"]
        + f["administrative_expense"]
    )
    f["net_operating_income"] = f["net_financial_margin"] - f["operating_expense"]
    f["income_before_tax"] = (
        f["net_operating_income"] + f["non_operating_income"] - f["non_operating_expense"]
    )
    f["income_after_tax"] = f["income_before_tax"] - f["taxes"]
    f["net_income"] = f["income_after_tax"] - f["donations"]
    return f


def net_income(gl: dict) -> Decimal:
    """Net income after taxes and donations of year-to-date income statement amounts."""
    return statement_of_comprehensive_income(gl)["net_income"]


def capital_adequacy(form6: dict, form7: dict, thresholds: Thresholds) -> dict:
    """Form 1 from Forms 6 and 7."""
    f = {
        code: form6[code]
        for code in (
            "share_capital",
            "statutory_reserve",
            "retained_earnings",
            "capital_grants",
            "other_reserves",
            "investment_subsidiary",
            "government_securities",
            "property_equipment",
            "other_assets",
            "total_assets",
            "total_deposits",
        )
    }
    f["surplus_counted"] = surplus_counted(form7["net_income"], thresholds.surplus_counted)
    f["capital_subtotal"] = (
        f["share_capital"]
        + f["statutory_reserve"]
        + f["retained_earnings"]
        + f["surplus_counted"]
        + f["capital_grants"]
        + f["other_reserves"]
    )
    f["total_deductions"] = f["investment_subsidiary"]
    f["core_capital"] = f["capital_subtotal"] - f["total_deductions"]
    f["institutional_capital"] = f["core_capital"] - f["share_capital"]
    f["cash"] = form6["cash_in_hand"]
    f["bank_balances"] = form6["cash_at_bank"]
    f["loans"] = form6["gross_loans"]
    f["investments"] = form6["financial_investments"]
    f["on_balance_total"] = sum(
        f[code]
        for code in (
            "cash",
            "government_securities",
            "bank_balances",
            "loans",
            "investments",
            "property_equipment",
            "other_assets",
        )
    )
    f["difference"] = f["total_assets"] - f["on_balance_total"]
    f["off_balance"] = ZERO
    f["assets_on_off"] = f["total_assets"] + f["off_balance"]
    for ratio in capital_ratios(f, thresholds):
        f[ratio.code], f[f"{ratio.code}_min"] = ratio.value, ratio.limit
        f[f"{ratio.code}_excess"] = ratio.excess
    return f


def capital_ratios(form1: dict, thresholds: Thresholds) -> list:
    return [
        Ratio(
            "cc_ta",
            "Core capital / total assets",
            percent(form1["core_capital"], form1["assets_on_off"]),
            thresholds.cc_ta_min,
            True,
        ),
        Ratio(
            "ic_ta",
            "Institutional capital / total assets",
            percent(form1["institutional_capital"], form1["assets_on_off"]),
            thresholds.ic_ta_min,
            True,
        ),
        Ratio(
            "cc_td",
            "Core capital / total deposits",
            percent(form1["core_capital"], form1["total_deposits"]),
            thresholds.cc_td_min,
            True,
        ),
    ]


def liquidity_statement(form6: dict, thresholds: Thresholds) -> dict:
    """Form 2: liquid assets against deposits and short-term liabilities."""
    f = {
        "cash": form6["cash_in_hand"],
        "bank_balances": form6["cash_at_bank"],
        "placements": form6["placements"],
        "government_securities": form6["government_securities"],
        "total_deposits": form6["total_deposits"],
        "short_term_liabilities": form6["tax_payable"]
        + form6["interest_dividends_payable"]
        + form6["other_payables"],
    }
    f["net_liquid_assets"] = (
        f["cash"] + f["bank_balances"] + f["placements"] + f["government_securities"]
    )
    f["total_short_term"] = f["total_deposits"] + f["short_term_liabilities"]
    ratio = liquidity_ratio(f, thresholds)
    f["liquidity_ratio"], f["liquidity_min"] = ratio.value, ratio.limit
    f["liquidity_excess"] = ratio.excess
    return f


def liquidity_ratio(form2: dict, thresholds: Thresholds) -> Ratio:
    return Ratio(
        "liquidity",
        "Liquid assets / deposits and short-term liabilities",
        percent(form2["net_liquid_assets"], form2["total_short_term"]),
        thresholds.liquidity_min,
        True,
    )


def deposit_return(accounts) -> dict:
    """Form 3 from ``(deposit type, balance)`` of each member deposit account."""
    f = {}
    for band_index in range(len(DEPOSIT_BANDS)):
        for kind, _label in DEPOSIT_TYPES:
            f[f"count_{band_index}_{kind}"] = ZERO
            f[f"amount_{band_index}_{kind}"] = ZERO
    for kind, balance in accounts:
        if kind not in dict(DEPOSIT_TYPES):
            raise SaccoRuleError(f"Unknown deposit type '{kind}'.")
        band_index = deposit_band(Decimal(balance))
        f[f"count_{band_index}_{kind}"] += 1
        f[f"amount_{band_index}_{kind}"] += Decimal(balance)
    f["total_count"] = sum(v for k, v in f.items() if k.startswith("count_"))
    f["total_deposits"] = sum(v for k, v in f.items() if k.startswith("amount_"))
    return f


def risk_classification(loans, rates: Rates = DEFAULT_RATES) -> dict:
    """Form 4 from each loan's ``LoanStanding``.

    The provision is the one the close of business required of the loan; the rate column
    shows the class's rate."""
    f = {}
    for block in ("", "rescheduled_"):
        for name in CLASSES:
            f[f"{block}count_{name}"] = ZERO
            f[f"{block}outstanding_{name}"] = ZERO
            f[f"{block}rate_{name}"] = rates.rate(name)
            f[f"{block}provision_{name}"] = ZERO
    for loan in loans:
        _check_class(loan.sasra_class)
        block = "rescheduled_" if loan.rescheduled else ""
        f[f"{block}count_{loan.sasra_class}"] += loan.count
        f[f"{block}outstanding_{loan.sasra_class}"] += Decimal(loan.outstanding)
        f[f"{block}provision_{loan.sasra_class}"] += Decimal(loan.provision)
    for block in ("", "rescheduled_"):
        for column in ("outstanding", "provision"):
            f[f"{block}subtotal_{column}"] = sum(f[f"{block}{column}_{name}"] for name in CLASSES)
    f["total_count"] = sum(f[f"{b}count_{n}"] for b in ("", "rescheduled_") for n in CLASSES)
    f["total_outstanding"] = f["subtotal_outstanding"] + f["rescheduled_subtotal_outstanding"]
    f["total_provision"] = f["subtotal_provision"] + f["rescheduled_subtotal_provision"]
    return f


def _check_class(sasra_class):
    if sasra_class not in CLASSES:
        raise SaccoRuleError(f"Unknown SASRA class '{sasra_class}'.")


def other_disclosures(loans, form1: dict, form2: dict) -> dict:
    """Form 8: non-performing and insider loans, off-balance sheet items, capital strength
    and liquidity."""
    npl = [loan for loan in loans if loan.sasra_class in NON_PERFORMING]
    f = {
        "gross_npl": sum((Decimal(loan.outstanding) for loan in npl), ZERO),
        "interest_in_suspense": sum((Decimal(loan.interest_in_suspense) for loan in npl), ZERO),
        "npl_allowance": sum((Decimal(loan.provision) for loan in npl), ZERO),
        "off_balance": form1["off_balance"],
    }
    f["total_npl"] = f["gross_npl"] - f["interest_in_suspense"]
    f["net_npl"] = f["total_npl"] - f["npl_allowance"]
    for role, _label in INSIDER_ROLES:
        f[f"insider_{role}"] = sum(
            (Decimal(loan.outstanding) for loan in loans if loan.insider == role), ZERO
        )
    f["insider_total"] = sum(f[f"insider_{role}"] for role, _label in INSIDER_ROLES)
    for code in ("core_capital", "cc_ta", "cc_ta_min", "cc_td", "cc_td_min"):
        f[code] = form1[code]
    f["liquidity_ratio"], f["liquidity_min"] = form2["liquidity_ratio"], form2["liquidity_min"]
    return f


def insider_lending(loans) -> dict:
    """Form 9: loans granted to insiders this period and the performance of all their loans."""
    f = {}
    for role in (*(role for role, _label in INSIDER_ROLES), "total"):
        mine = [
            loan for loan in loans if loan.insider and (role == "total" or loan.insider == role)
        ]
        new = [loan for loan in mine if loan.disbursed_in_period]
        f[f"{role}_new_count"] = Decimal(sum(loan.count for loan in new))
        f[f"{role}_new_amount"] = sum((Decimal(loan.principal) for loan in new), ZERO)
        f[f"{role}_count"] = Decimal(sum(loan.count for loan in mine))
        f[f"{role}_outstanding"] = sum((Decimal(loan.outstanding) for loan in mine), ZERO)
        for name in CLASSES:
            f[f"{role}_{name}"] = sum(
                (Decimal(loan.outstanding) for loan in mine if loan.sasra_class == name), ZERO
            )
    return f


def sectoral_lending(loans) -> dict:
    """Sectoral lending: loans by economic sector and SASRA class (count and amount)."""
    sectors = dict(SECTORS)
    f = {}
    for sector in (*sectors, "total"):
        for name in (*CLASSES, "all"):
            f[f"{sector}_count_{name}"] = ZERO
            f[f"{sector}_amount_{name}"] = ZERO
    for loan in loans:
        _check_class(loan.sasra_class)
        if loan.sector not in sectors:
            raise SaccoRuleError(f"Loan without a known economic sector ('{loan.sector}').")
        for sector in (loan.sector, "total"):
            for name in (loan.sasra_class, "all"):
                f[f"{sector}_count_{name}"] += loan.count
                f[f"{sector}_amount_{name}"] += Decimal(loan.outstanding)
    return f


def investment_return(form1: dict, form6: dict, thresholds: Thresholds) -> dict:
    """Form 5: investment limits against core capital, assets and deposits."""
    f = {
        "total_assets": form6["total_assets"],
        "total_deposits": form6["total_deposits"],
        "core_capital": form1["core_capital"],
        "financial_investments": form6["financial_investments"],
        "land_buildings": form6["property_equipment"],
        "non_earning_assets": _non_earning_assets(form6),
    }
    for ratio in investment_ratios(f, thresholds):
        f[ratio.code], f[f"{ratio.code}_max"] = ratio.value, ratio.limit
        f[f"{ratio.code}_excess"] = ratio.excess
    return f


def _non_earning_assets(form6: dict) -> Decimal:
    return (
        form6["investment_property"]
        + form6["intangible_assets"]
        + form6["other_assets"]
        + form6["receivables"]
        + form6["prepayments"]
    )


def investment_ratios(form5: dict, thresholds: Thresholds) -> list:
    return [
        Ratio(
            "lb_ta",
            "Land and buildings / total assets",
            percent(form5["land_buildings"], form5["total_assets"]),
            thresholds.lb_ta_max,
            False,
        ),
        Ratio(
            "fi_cc",
            "Financial investments / core capital",
            percent(form5["financial_investments"], form5["core_capital"]),
            thresholds.fi_cc_max,
            False,
        ),
        Ratio(
            "fi_td",
            "Financial investments / total deposits",
            percent(form5["financial_investments"], form5["total_deposits"]),
            thresholds.fi_td_max,
            False,
        ),
        Ratio(
            "nea_ta",
            "Non-earning assets / total assets",
            percent(form5["non_earning_assets"], form5["total_assets"]),
            thresholds.nea_ta_max,
            False,
        ),
    ]


def _financial_statements(balances: dict, income: dict) -> tuple:
    """The statement of comprehensive income and the statement of financial position, whose
    current surplus is the former's net income."""
    income_statement = statement_of_comprehensive_income(income)
    position = statement_of_financial_position(
        {**balances, "current_surplus": income_statement["net_income"]}
    )
    return income_statement, position


def compute_forms(
    balances: dict,
    income: dict,
    deposits,
    loans,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    rates: Rates = DEFAULT_RATES,
) -> dict:
    """Every DT form of a month: ``balances`` are the balance sheet lines at the period end
    (retained earnings including earlier years' results), ``income`` the income statement
    lines of the financial year to date, ``deposits`` and ``loans`` the sub-ledgers (see
    ``deposit_return`` and ``risk_classification``)."""
    form7, form6 = _financial_statements(balances, income)
    form1 = capital_adequacy(form6, form7, thresholds)
    form2 = liquidity_statement(form6, thresholds)
    return {
        "1": form1,
        "2": form2,
        "3": deposit_return(deposits),
        "4": risk_classification(loans, rates),
        "5": investment_return(form1, form6, thresholds),
        "6": form6,
        "7": form7,
        "8": other_disclosures(loans, form1, form2),
        "9": insider_lending(loans),
        "sectoral": sectoral_lending(loans),
    }


def prudential_ratios(forms: dict, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list:
    """Every prudential ratio of a month's forms, the absolute core capital first."""
    return [
        Ratio(
            "core_capital",
            "Core capital (KES)",
            forms["1"]["core_capital"],
            thresholds.core_capital_min,
            True,
        ),
        *capital_ratios(forms["1"], thresholds),
        liquidity_ratio(forms["2"], thresholds),
        *investment_ratios(forms["5"], thresholds),
    ]


# Which form shows each prudential ratio, by regime.
RATIO_FORM = {
    "dt": {
        "core_capital": "1",
        "cc_ta": "1",
        "ic_ta": "1",
        "cc_td": "1",
        "liquidity": "2",
        "lb_ta": "5",
        "fi_cc": "5",
        "fi_td": "5",
        "nea_ta": "5",
    },
    "nwdt": {
        "cc_ta": "2A",
        "re_cc": "2A",
        "cc_td": "2A",
        "liquidity": "2B",
        **{code: "2E" for code, *_rest in NWDT_INVESTMENT_RATIOS},
    },
}


def _nwdt_capital_ratios(form2a: dict, thresholds: Thresholds) -> list:
    return [
        Ratio(
            "cc_ta",
            "Core capital / total assets",
            percent(form2a["core_capital"], form2a["assets_on_off"]),
            thresholds.nwdt_cc_ta_min,
            True,
        ),
        Ratio(
            "re_cc",
            "Retained earnings and disclosed reserves / core capital",
            percent(form2a["retained_disclosed"], form2a["core_capital"]),
            thresholds.nwdt_re_cc_min,
            True,
        ),
        Ratio(
            "cc_td",
            "Core capital / total deposits",
            percent(form2a["core_capital"], form2a["total_deposits"]),
            thresholds.nwdt_cc_td_min,
            True,
        ),
    ]


def nwdt_capital_adequacy(form6: dict, form7: dict, thresholds: Thresholds) -> dict:
    """Form 2A: Form 1's capital and asset lines, with the NWDT ratio block."""
    f = capital_adequacy(form6, form7, thresholds)
    f["other_deductions"] = ZERO
    f["retained_disclosed"] = f["core_capital"] - f["share_capital"] + f["total_deductions"]
    f["ratio_total_assets"], f["ratio_off_balance"] = f["total_assets"], f["off_balance"]
    for ratio in _nwdt_capital_ratios(f, thresholds):
        f[ratio.code], f[f"{ratio.code}_min"] = ratio.value, ratio.limit
        f[f"{ratio.code}_excess"] = ratio.excess
    return f


def _nwdt_liquidity_ratio(form2b: dict, thresholds: Thresholds) -> Ratio:
    return Ratio(
        "liquidity",
        "Net liquid assets / matured and short-term liabilities",
        percent(form2b["net_liquid_assets"], form2b["other_liabilities"]),
        thresholds.nwdt_liquidity_min,
        True,
    )


def nwdt_liquidity_statement(form6: dict, thresholds: Thresholds) -> dict:
    """Form 2B: net liquid assets against matured and short-term liabilities (members'
    deposits are not withdrawable, so they are no claim on liquidity)."""
    f = dict.fromkeys((row.code for row in FORM_ROWS["2B"]), ZERO)
    f["local_notes"] = f["notes_total"] = form6["cash_in_hand"]
    f["bank_balances"] = f["net_bank_balances"] = form6["cash_at_bank"]
    f["sacco_balances"] = f["net_fi_balances"] = form6["placements"]
    f["treasury_bills"] = f["government_securities"] = form6["government_securities"]
    f["net_liquid_assets"] = (f["notes_total"] + f["net_bank_balances"] + f["net_fi_balances"]) + f[
        "government_securities"
    ]
    f["matured_liabilities"] = form6["tax_payable"] + form6["interest_dividends_payable"]
    f["liabilities_91_days"] = form6["other_payables"]
    f["other_liabilities"] = f["matured_liabilities"] + f["liabilities_91_days"]
    ratio = _nwdt_liquidity_ratio(f, thresholds)
    f["liquidity_ratio"], f["liquidity_min"] = ratio.value, ratio.limit
    f["liquidity_excess"] = ratio.excess
    return f


def nwdt_deposit_return(accounts) -> dict:
    """Form 2C from ``(deposit type, balance)`` of each member deposit account: a
    non-withdrawable-deposit SACCO holds no other kind."""
    others = sorted({kind for kind, _balance in accounts if kind != "non_withdrawable"})
    if others:
        raise SaccoRuleError(
            "A non-withdrawable-deposit SACCO holds no withdrawable deposits, yet members "
            f"have {', '.join(others)} deposit accounts: file the deposit-taking (DT) returns."
        )
    f3 = deposit_return(accounts)
    f = {}
    for index in range(len(DEPOSIT_BANDS)):
        f[f"count_{index}"] = f3[f"count_{index}_non_withdrawable"]
        f[f"amount_{index}"] = f3[f"amount_{index}_non_withdrawable"]
    f["total_count"], f["total_deposits"] = f3["total_count"], f3["total_deposits"]
    return f


def nwdt_investment_return(form2a: dict, form6: dict, thresholds: Thresholds) -> dict:
    """Form 2E: financial assets by kind and fixed assets against the NWDT limits."""
    f = {
        "core_capital": form2a["core_capital"],
        "total_assets": form6["total_assets"],
        "total_deposits": form6["total_deposits"],
        "non_earning_assets": _non_earning_assets(form6),
        "subsidiary_investments": form6["investment_subsidiary"],
        "equity_investments": form6["financial_investments"],
        "other_investments": form6["government_securities"],
        "land_buildings_equipment": form6["property_equipment"] + form6["investment_property"],
        "land_buildings": form6["property_equipment"],
    }
    f["financial_assets"] = (
        f["subsidiary_investments"] + f["equity_investments"] + f["other_investments"]
    )
    for ratio in nwdt_investment_ratios(f, thresholds):
        f[ratio.code], f[f"{ratio.code}_max"] = ratio.value, ratio.limit
        f[f"{ratio.code}_excess"] = ratio.excess
    return f


def nwdt_investment_ratios(form2e: dict, thresholds: Thresholds) -> list:
    return [
        Ratio(code, label, percent(form2e[num], form2e[den]), getattr(thresholds, limit), False)
        for code, label, num, den, limit in NWDT_INVESTMENT_RATIOS
    ]


def nwdt_other_disclosures(loans, form2a: dict, form2b: dict, prior: dict | None) -> dict:
    """Form 2H: this year's disclosures beside the same period's a year before (``prior``:
    that return's figures; none for a SACCO's first year)."""
    f8 = other_disclosures(loans, {**form2a, "off_balance": ZERO}, form2b)
    f = {code: f8[code] for code in ("gross_npl", "interest_in_suspense", "total_npl")}
    f["npl_allowance"], f["net_npl"] = f8["npl_allowance"], f8["net_npl"]
    f["insider_directors"] = f8["insider_director"] + f8["insider_committee"]
    f["insider_employees"] = f8["insider_staff"]
    f["insider_total"] = f8["insider_total"]
    f["guarantees"], f["other_contingent"] = form2a["off_balance"], ZERO
    for code in ("core_capital", "cc_ta", "cc_ta_min", "cc_td", "cc_td_min"):
        f[code] = form2a[code]
    f["liquidity_ratio"], f["liquidity_min"] = form2b["liquidity_ratio"], form2b["liquidity_min"]
    for code in list(f):
        f[f"prior_{code}"] = Decimal((prior or {}).get(code, ZERO))
    return f


def compute_nwdt_forms(
    balances: dict,
    income: dict,
    deposits,
    loans,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    rates: Rates = DEFAULT_RATES,
    prior_2h: dict | None = None,
) -> dict:
    """Every NWDT form of a period, from the same inputs as ``compute_forms`` (and the
    prior year's Form 2H figures for its comparative column)."""
    form2f, form2g = _financial_statements(balances, income)
    form2a = nwdt_capital_adequacy(form2g, form2f, thresholds)
    form2b = nwdt_liquidity_statement(form2g, thresholds)
    return {
        "2A": form2a,
        "2B": form2b,
        "2C": nwdt_deposit_return(deposits),
        "2D": risk_classification(loans, rates),
        "2E": nwdt_investment_return(form2a, form2g, thresholds),
        "2F": form2f,
        "2G": form2g,
        "2H": nwdt_other_disclosures(loans, form2a, form2b, prior_2h),
    }


def nwdt_prudential_ratios(forms: dict, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list:
    """Every prudential ratio of an NWDT period's forms."""
    return [
        *_nwdt_capital_ratios(forms["2A"], thresholds),
        _nwdt_liquidity_ratio(forms["2B"], thresholds),
        *nwdt_investment_ratios(forms["2E"], thresholds),
    ]


def daily_liquidity(opening: dict, receipts: dict, payments: dict, closing: dict, deposits):
    """The daily liquidity return from the liquid balances by bucket at the day's opening
    and close, the day's receipts and payments by kind, and ``deposits`` (BOSA, FOSA)."""
    f = {}
    for prefix, values, kinds in (
        ("opening", opening, LIQUID_BUCKETS),
        ("receipts", receipts, RECEIPTS),
        ("payments", payments, PAYMENTS),
        ("closing", closing, LIQUID_BUCKETS),
    ):
        for code, _label in kinds:
            f[f"{prefix}_{code}"] = Decimal(values.get(code, ZERO))
        f[f"{prefix}_total"] = sum(f[f"{prefix}_{code}"] for code, _label in kinds)
    f["opening_and_receipts"] = f["opening_total"] + f["receipts_total"]
    f["deposits_bosa"], f["deposits_fosa"] = (Decimal(amount) for amount in deposits)
    f["deposits_total"] = f["deposits_bosa"] + f["deposits_fosa"]
    f["closing_to_deposits"] = percent(f["closing_total"], f["deposits_total"])
    f["closing_to_fosa"] = percent(f["closing_total"], f["deposits_fosa"])
    return f


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class Check:
    """Figures that must agree: each term is (form, code); ``sums`` add the right side
    up, ``factor`` scales it (Form 1 counts half of Form 7's surplus), ``minus`` terms are
    taken off it."""

    label: str
    left: tuple
    right: tuple
    factor: Decimal = Decimal(1)
    sums: bool = False
    minus: tuple = ()


def _chain(label, *terms):
    return tuple(Check(label, terms[0], (term,)) for term in terms[1:])


CHECKS = (
    *_chain("Share capital", ("1", "share_capital"), ("6", "share_capital")),
    *_chain("Statutory reserves", ("1", "statutory_reserve"), ("6", "statutory_reserve")),
    *_chain("Retained earnings", ("1", "retained_earnings"), ("6", "retained_earnings")),
    *_chain("Capital grants", ("1", "capital_grants"), ("6", "capital_grants")),
    *_chain("Other reserves", ("1", "other_reserves"), ("6", "other_reserves")),
    Check(
        "Surplus counted at 50%",
        ("1", "surplus_counted"),
        (("7", "net_income"),),
        Decimal("0.5"),
    ),
    *_chain("Cash", ("1", "cash"), ("2", "cash"), ("6", "cash_in_hand")),
    *_chain("Bank balances", ("1", "bank_balances"), ("2", "bank_balances"), ("6", "cash_at_bank")),
    *_chain(
        "Government securities",
        ("1", "government_securities"),
        ("2", "government_securities"),
        ("6", "government_securities"),
    ),
    *_chain("Loans", ("1", "loans"), ("4", "total_outstanding"), ("6", "gross_loans")),
    *_chain(
        "Investments",
        ("1", "investments"),
        ("5", "financial_investments"),
        ("6", "financial_investments"),
    ),
    *_chain(
        "Property and equipment",
        ("1", "property_equipment"),
        ("5", "land_buildings"),
        ("6", "property_equipment"),
    ),
    *_chain("Total assets", ("1", "total_assets"), ("5", "total_assets"), ("6", "total_assets")),
    *_chain("Other assets", ("1", "other_assets"), ("6", "other_assets")),
    *_chain(
        "Investment in subsidiaries", ("1", "investment_subsidiary"), ("6", "investment_subsidiary")
    ),
    *_chain("Balance sheet balances", ("6", "total_assets"), ("6", "total_liabilities_equity")),
    *_chain(
        "Total deposits",
        ("2", "total_deposits"),
        ("3", "total_deposits"),
        ("5", "total_deposits"),
        ("6", "total_deposits"),
    ),
    *_chain("Current-year surplus", ("6", "current_surplus"), ("7", "net_income")),
    *_chain("Loans by sector", ("4", "total_outstanding"), ("sectoral", "total_amount_all")),
    *_chain("Core capital disclosed", ("8", "core_capital"), ("1", "core_capital")),
    Check(
        "Non-earning assets",
        ("5", "non_earning_assets"),
        (
            ("6", "investment_property"),
            ("6", "intangible_assets"),
            ("6", "other_assets"),
            ("6", "receivables"),
            ("6", "prepayments"),
        ),
        sums=True,
    ),
)
NWDT_CHECKS = (
    *_chain("Share capital", ("2A", "share_capital"), ("2G", "share_capital")),
    *_chain("Statutory reserves", ("2A", "statutory_reserve"), ("2G", "statutory_reserve")),
    *_chain("Retained earnings", ("2A", "retained_earnings"), ("2G", "retained_earnings")),
    *_chain("Capital grants", ("2A", "capital_grants"), ("2G", "capital_grants")),
    *_chain("Other reserves", ("2A", "other_reserves"), ("2G", "other_reserves")),
    Check(
        "Surplus counted at 50%",
        ("2A", "surplus_counted"),
        (("2F", "net_income"),),
        Decimal("0.5"),
    ),
    *_chain("Cash", ("2A", "cash"), ("2B", "local_notes"), ("2G", "cash_in_hand")),
    *_chain(
        "Bank balances", ("2A", "bank_balances"), ("2B", "bank_balances"), ("2G", "cash_at_bank")
    ),
    *_chain(
        "Government securities",
        ("2A", "government_securities"),
        ("2B", "government_securities"),
        ("2G", "government_securities"),
    ),
    *_chain("Loans", ("2A", "loans"), ("2D", "total_outstanding"), ("2G", "gross_loans")),
    *_chain(
        "Property and equipment",
        ("2A", "property_equipment"),
        ("2E", "land_buildings"),
        ("2G", "property_equipment"),
    ),
    *_chain("Total assets", ("2A", "total_assets"), ("2E", "total_assets"), ("2G", "total_assets")),
    *_chain("Other assets", ("2A", "other_assets"), ("2G", "other_assets")),
    *_chain(
        "Investment in subsidiaries",
        ("2A", "investment_subsidiary"),
        ("2E", "subsidiary_investments"),
        ("2G", "investment_subsidiary"),
    ),
    *_chain("Balance sheet balances", ("2G", "total_assets"), ("2G", "total_liabilities_equity")),
    *_chain(
        "Total deposits",
        ("2A", "total_deposits"),
        ("2C", "total_deposits"),
        ("2E", "total_deposits"),
        ("2G", "non_withdrawable_deposits"),
    ),
    *_chain("Current-year surplus", ("2G", "current_surplus"), ("2F", "net_income")),
    *_chain("Core capital", ("2H", "core_capital"), ("2A", "core_capital"), ("2E", "core_capital")),
    *_chain("Liquidity ratio disclosed", ("2H", "liquidity_ratio"), ("2B", "liquidity_ratio")),
    Check(
        "Non-performing loans",
        ("2H", "gross_npl"),
        tuple(
            ("2D", f"{block}outstanding_{name}")
            for block in ("", "rescheduled_")
            for name in CLASSES
            if name in NON_PERFORMING
        ),
        sums=True,
    ),
)
DAILY_CHECKS = (
    Check(
        "Day's cash flows",
        ("daily", "closing_total"),
        (("daily", "opening_and_receipts"),),
        minus=(("daily", "payments_total"),),
    ),
)
TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class CheckResult:
    label: str
    description: str
    left: Decimal
    right: Decimal

    @property
    def passed(self) -> bool:
        return abs(self.left - self.right) <= TOLERANCE


def _term(form, code):
    return f"{form_label(form)} {cell_of(form, code)}"


def form_label(form: str) -> str:
    """How checks name a form: "Form 4", "Sectoral"."""
    return f"Form {form}" if form[0].isdigit() else form.title()


def run_checks(forms: dict, checks=CHECKS) -> list:
    """Each cross-form check on the month's ``forms`` (form -> code -> value)."""
    results = []
    for check in checks:
        left = forms[check.left[0]][check.left[1]]
        right = sum(forms[form][code] for form, code in check.right) * check.factor - sum(
            (forms[form][code] for form, code in check.minus), ZERO
        )
        joined = " + ".join(_term(*term) for term in check.right) + "".join(
            f" - {_term(*term)}" for term in check.minus
        )
        scale = f"{check.factor * 100:g}% of " if check.factor != 1 else ""
        description = f"{_term(*check.left)} = {scale}{joined}"
        results.append(CheckResult(check.label, description, left, right))
    return results


# --------------------------------------------------------------------------- calendar

# Filing frequency of each form by regime; due dates after the period end follow the
# forms' own text (15th of the following month) and the portal's daily default (next day).
FREQUENCIES = {
    "dt": {**{form: "monthly" for form in DT_FORMS}, "8": "quarterly"},
    "nwdt": {**{form: "quarterly" for form in NWDT_FORMS}, "2E": "annual"},
}
DAILY = "daily"


def period_end(frequency: str, day: date) -> bool:
    """Whether ``day`` closes a period of ``frequency``."""
    if frequency == "daily":
        return True
    last_of_month = day.day == monthrange(day.year, day.month)[1]
    if frequency == "monthly":
        return last_of_month
    if frequency == "quarterly":
        return last_of_month and day.month % 3 == 0
    if frequency == "annual":
        return last_of_month and day.month == 12
    raise SaccoRuleError(f"Unknown filing frequency '{frequency}'.")


def forms_due(regime: str, end: date) -> list:
    """The forms whose filing period ends on ``end`` under ``regime``."""
    return [form for form, frequency in FREQUENCIES[regime].items() if period_end(frequency, end)]


def due_date(frequency: str, end: date) -> date:
    """When the return for the period ending ``end`` is due at SASRA."""
    if not period_end(frequency, end):
        raise SaccoRuleError(f"{end} does not end a {frequency} period.")
    if frequency == "daily":
        return end + timedelta(days=1)
    following = end + timedelta(days=1)
    return following.replace(day=15)


def month_bounds(day: date) -> tuple:
    """First and last day of ``day``'s month."""
    return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


def period_start(frequency: str, end: date) -> date:
    """First day of the ``frequency`` period ending ``end``."""
    if frequency == "daily":
        return end
    months = {"monthly": 1, "quarterly": 3, "annual": 12}[frequency]
    month = end.month - months + 1
    return date(end.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
