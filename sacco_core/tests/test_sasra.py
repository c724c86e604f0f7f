from datetime import date
from decimal import Decimal as D

import pytest

from sacco_core.exceptions import SaccoRuleError
from sacco_core.portfolio import Rates
from sacco_core.sasra import (
    BALANCE_LINES,
    FORM_ROWS,
    GL_LINE_CODES,
    HEADER_CELLS,
    INCOME_LINES,
    LoanStanding,
    Ratio,
    Thresholds,
    cell_of,
    compute_forms,
    deposit_band,
    deposit_return,
    due_date,
    forms_due,
    insider_lending,
    month_bounds,
    percent,
    period_end,
    prudential_ratios,
    risk_classification,
    run_checks,
    sectoral_lending,
    surplus_counted,
)

# A small SACCO whose books balance: assets 1,000,000 = liabilities + equity.
BALANCES = {
    "cash_in_hand": D(50000),
    "cash_at_bank": D(150000),
    "government_securities": D(20000),
    "financial_investments": D(30000),
    "gross_loans": D(700000),
    "loan_loss_allowance": D(14000),
    "receivables": D(4000),
    "prepayments": D(10000),
    "property_equipment": D(40000),
    "other_assets": D(10000),
    "savings_deposits": D(100000),
    "non_withdrawable_deposits": D(500000),
    "interest_dividends_payable": D(20000),
    "share_capital": D(150000),
    "statutory_reserve": D(60000),
    "retained_earnings": D(130000),
}
INCOME = {
    "interest_income_loans": D(80000),
    "fee_income_loans": D(10000),
    "interest_on_deposits": D(20000),
    "provision_expense": D(14000),
    "personnel_expense": D(10000),
    "administrative_expense": D(6000),
}
DEPOSITS = [
    ("non_withdrawable", D(300000)),
    ("non_withdrawable", D(200000)),
    ("savings", D(100000)),
]
LOANS = [
    LoanStanding(
        "performing",
        False,
        D(500000),
        D(5000),
        sector="trade",
        insider="director",
        disbursed_in_period=True,
        principal=D(520000),
    ),
    LoanStanding("watch", False, D(100000), D(5000), sector="agriculture", insider="staff"),
    LoanStanding("loss", True, D(100000), D(100000), D(3000), sector="agriculture"),
]


def forms():
    return compute_forms(BALANCES, INCOME, DEPOSITS, LOANS)


def test_line_catalogue_splits_balance_sheet_and_income():
    assert BALANCE_LINES | INCOME_LINES == GL_LINE_CODES
    assert not BALANCE_LINES & INCOME_LINES
    assert "interest_income_loans" in INCOME_LINES and "share_capital" in BALANCE_LINES


def test_cell_maps_are_unique_per_form_and_match_the_portal():
    for form, rows in FORM_ROWS.items():
        cells = [row.cell for row in rows]
        assert len(cells) == len(set(cells)), form
        assert not set(cells) & set(HEADER_CELLS[form])
    # Addresses the SASRA portal reads (research note 1.5).
    assert cell_of("1", "surplus_counted") == "D13"
    assert cell_of("3", "total_deposits") == "E26"
    assert cell_of("4", "total_outstanding") == "D23"
    assert cell_of("6", "total_liabilities_equity") == "C72"
    assert cell_of("7", "net_income") == "C56"
    with pytest.raises(SaccoRuleError):
        cell_of("1", "nothing")


def test_statements_balance_and_carry_net_income():
    f = forms()
    assert f["7"]["net_income"] == D(40000)
    assert f["6"]["current_surplus"] == D(40000)
    assert f["6"]["total_assets"] == D(1000000)
    assert f["6"]["total_liabilities_equity"] == D(1000000)
    assert f["6"]["net_loans"] == D(686000)


def test_capital_adequacy_counts_half_the_surplus():
    f1 = forms()["1"]
    assert f1["surplus_counted"] == D(20000)
    assert f1["core_capital"] == D(150000 + 60000 + 130000 + 20000)
    assert f1["institutional_capital"] == D(210000)
    assert f1["cc_ta"] == D("36.00") and f1["cc_ta_excess"] == D("26.00")
    assert f1["ic_ta"] == D("21.00")
    assert f1["cc_td"] == percent(D(360000), D(600000))


def test_liquidity_and_investment_limits():
    f = forms()
    assert f["2"]["net_liquid_assets"] == D(220000)
    assert f["2"]["liquidity_ratio"] == percent(D(220000), D(620000))
    assert f["5"]["non_earning_assets"] == D(24000)
    assert f["5"]["fi_td"] == D("5.00") and f["5"]["fi_td_excess"] == D(0)
    ratios = {r.code: r for r in prudential_ratios(f)}
    assert not ratios["core_capital"].passed  # below KES 10 m
    assert ratios["liquidity"].passed and ratios["fi_td"].passed
    assert ratios["lb_ta"].value == D("4.00") and ratios["lb_ta"].excess == D(1)


def test_ratio_excess_for_minimum_and_maximum():
    assert Ratio("x", "x", D(7), D(8), True).excess == D(-1)
    assert not Ratio("x", "x", D(7), D(8), True).passed
    assert Ratio("x", "x", D(7), D(5), False).excess == D(-2)
    assert percent(D(1), D(0)) == D(0)
    assert surplus_counted(D("101.01")) == D("50.51")
    assert surplus_counted(D(-100)) == D(-50)


def test_deposit_bands_edges():
    assert deposit_band(D(50000)) == 0
    assert deposit_band(D("50000.01")) == 1
    assert deposit_band(D(1000000)) == 3
    assert deposit_band(D(1000001)) == 4
    f3 = deposit_return(DEPOSITS)
    assert f3["count_2_non_withdrawable"] == 2 and f3["count_3_non_withdrawable"] == 0
    assert f3["amount_1_savings"] == D(100000)
    assert f3["total_deposits"] == D(600000) and f3["total_count"] == 3
    with pytest.raises(SaccoRuleError):
        deposit_return([("shares", D(1))])


def test_risk_classification_blocks_rescheduled_loans():
    f4 = risk_classification(LOANS, Rates())
    assert f4["subtotal_outstanding"] == D(600000)
    assert f4["rescheduled_outstanding_loss"] == D(100000)
    assert f4["rescheduled_rate_loss"] == D(100)
    assert f4["total_outstanding"] == D(700000) and f4["total_provision"] == D(110000)
    with pytest.raises(SaccoRuleError):
        risk_classification([LoanStanding("bad", False, D(1), D(0))])


def test_cross_form_checks_pass_then_name_the_broken_cells():
    assert all(result.passed for result in run_checks(forms()))
    # A deposit account mapped to payables: the GL loses deposits the sub-ledger still has.
    broken = dict(BALANCES, non_withdrawable_deposits=D(400000), other_payables=D(100000))
    failed = [r for r in run_checks(compute_forms(broken, INCOME, DEPOSITS, LOANS)) if not r.passed]
    assert [r.label for r in failed] == ["Total deposits"]
    assert failed[0].description == "Form 2 D32 = Form 3 E26"
    assert failed[0].left == D(500000) and failed[0].right == D(600000)


def test_checks_catch_a_loan_book_out_of_step_with_the_gl():
    failed = [
        r.description
        for r in run_checks(compute_forms(BALANCES, INCOME, DEPOSITS, LOANS[:2]))
        if not r.passed
    ]
    assert failed == ["Form 1 D29 = Form 4 D23"]


def test_thresholds_come_from_settings():
    f = compute_forms(BALANCES, INCOME, DEPOSITS, LOANS, Thresholds(cc_ta_min=D(40)))
    assert f["1"]["cc_ta_min"] == D(40) and f["1"]["cc_ta_excess"] == D(-4)


def test_calendar():
    assert due_date("monthly", date(2026, 3, 31)) == date(2026, 4, 15)
    assert due_date("monthly", date(2026, 12, 31)) == date(2027, 1, 15)
    assert due_date("quarterly", date(2026, 6, 30)) == date(2026, 7, 15)
    assert due_date("annual", date(2026, 12, 31)) == date(2027, 1, 15)
    assert due_date("daily", date(2026, 3, 3)) == date(2026, 3, 4)
    assert period_end("monthly", date(2024, 2, 29))
    assert not period_end("quarterly", date(2026, 5, 31))
    with pytest.raises(SaccoRuleError):
        due_date("monthly", date(2026, 3, 30))
    with pytest.raises(SaccoRuleError):
        period_end("weekly", date(2026, 3, 31))
    assert month_bounds(date(2026, 2, 10)) == (date(2026, 2, 1), date(2026, 2, 28))


def test_other_disclosures():
    f8 = forms()["8"]
    assert f8["gross_npl"] == D(100000) and f8["interest_in_suspense"] == D(3000)
    assert f8["total_npl"] == D(97000) and f8["net_npl"] == D(-3000)
    assert f8["insider_director"] == D(500000) and f8["insider_total"] == D(600000)
    assert f8["core_capital"] == forms()["1"]["core_capital"]


def test_insider_lending():
    f9 = insider_lending(LOANS)
    assert f9["director_new_count"] == 1 and f9["director_new_amount"] == D(520000)
    assert f9["staff_count"] == 1 and f9["staff_watch"] == D(100000)
    assert f9["total_outstanding"] == D(600000) and f9["committee_count"] == 0


def test_sectoral_lending():
    f = sectoral_lending(LOANS)
    assert f["agriculture_count_all"] == 2 and f["agriculture_amount_loss"] == D(100000)
    assert f["total_amount_all"] == D(700000)
    assert cell_of("sectoral", "total_amount_all") == "N23"
    with pytest.raises(SaccoRuleError):
        sectoral_lending([LoanStanding("watch", False, D(1), D(0))])


def test_forms_due():
    assert "8" not in forms_due("dt", date(2026, 5, 31))
    assert "8" in forms_due("dt", date(2026, 6, 30)) and "4" in forms_due("dt", date(2026, 6, 30))
    assert forms_due("nwdt", date(2026, 5, 31)) == []
    assert "5" not in forms_due("nwdt", date(2026, 6, 30))


def test_grouped_standings_count_their_loans():
    grouped = [
        LoanStanding("watch", False, D(300), D(15), sector="trade", insider="staff", count=3)
    ]
    assert risk_classification(grouped)["count_watch"] == 3
    assert sectoral_lending(grouped)["trade_count_watch"] == 3
    assert insider_lending(grouped)["staff_count"] == 3
