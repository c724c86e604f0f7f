from datetime import date
from decimal import Decimal as D

import pytest

from sacco_core.exceptions import SaccoRuleError
from sacco_core.portfolio import Rates
from sacco_core.sasra import (
    BALANCE_LINES,
    DAILY_CHECKS,
    FORM_ROWS,
    GL_LINE_CODES,
    HEADER_CELLS,
    INCOME_LINES,
    NWDT_CHECKS,
    NWDT_FORMS,
    RATIO_FORM,
    InsiderLoan,
    LoanStanding,
    Ratio,
    Thresholds,
    cell_of,
    compute_forms,
    compute_nwdt_forms,
    daily_liquidity,
    deposit_band,
    deposit_return,
    due_date,
    forms_due,
    insider_detail_checks,
    insider_detail_layout,
    insider_lending,
    month_bounds,
    nwdt_prudential_ratios,
    percent,
    period_end,
    period_start,
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


# --------------------------------------------------------------------------- NWDT

NWDT_BALANCES = dict(BALANCES, savings_deposits=D(0), non_withdrawable_deposits=D(600000))
NWDT_DEPOSITS = [("non_withdrawable", D(300000)), ("non_withdrawable", D(300000))]


def nwdt_forms(prior=None, **overrides):
    return compute_nwdt_forms(
        dict(NWDT_BALANCES, **overrides), INCOME, NWDT_DEPOSITS, LOANS, prior_2h=prior
    )


def test_nwdt_forms_agree_across_the_portal_checks():
    results = run_checks(nwdt_forms(), NWDT_CHECKS)
    assert results and all(result.passed for result in results)
    f = nwdt_forms()
    assert set(f) == set(NWDT_FORMS)
    for form in NWDT_FORMS:
        assert {row.code for row in FORM_ROWS[form]} <= set(f[form]), form
    # Core capital 150,000 + 60,000 + 130,000 + 50% of 40,000 on assets of 1,000,000.
    assert f["2A"]["core_capital"] == D(360000)
    assert f["2A"]["retained_disclosed"] == D(210000)
    assert (f["2A"]["cc_ta"], f["2A"]["cc_ta_min"], f["2A"]["cc_ta_excess"]) == (
        D(36),
        D(8),
        D(28),
    )
    assert f["2A"]["re_cc"] == percent(D(210000), D(360000)) and f["2A"]["re_cc_min"] == 50
    assert f["2A"]["cc_td"] == D(60) and f["2A"]["cc_td_min"] == 5
    # Liquidity: cash 50,000 + bank 150,000 + securities 20,000 over payables 20,000.
    assert f["2B"]["net_liquid_assets"] == D(220000)
    assert f["2B"]["liquidity_ratio"] == D(1100) and f["2B"]["liquidity_min"] == 10
    assert f["2C"]["count_4"] == 0 and f["2C"]["count_2"] == 2
    assert f["2C"]["total_deposits"] == D(600000)
    assert f["2E"]["financial_assets"] == D(50000)
    assert f["2E"]["equity_cc"] == percent(D(30000), D(360000))
    assert f["2E"]["lbe_ta_max"] == 10 and f["2E"]["other_cc_max"] == 30
    assert f["2H"]["gross_npl"] == D(100000) and f["2H"]["insider_directors"] == D(500000)
    assert f["2H"]["prior_core_capital"] == 0
    assert cell_of("2F", "net_income") == "C58" and HEADER_CELLS["2A"] == ("D5", "D6", "D7")
    ratios = nwdt_prudential_ratios(f)
    assert {ratio.code for ratio in ratios} == set(RATIO_FORM["nwdt"])


def test_nwdt_prior_year_column_and_broken_mapping():
    prior = nwdt_forms()["2H"]
    f = nwdt_forms(prior={k: v for k, v in prior.items() if not k.startswith("prior_")})
    assert f["2H"]["prior_core_capital"] == D(360000)
    assert f["2H"]["prior_liquidity_ratio"] == D(1100)
    broken = nwdt_forms(non_withdrawable_deposits=D(500000), other_payables=D(100000))
    failed = [r for r in run_checks(broken, NWDT_CHECKS) if not r.passed]
    assert {r.label for r in failed} == {"Total deposits"}
    assert failed[0].description == "Form 2A D40 = Form 2C E15"


def test_nwdt_refuses_withdrawable_deposits():
    with pytest.raises(SaccoRuleError, match="savings"):
        compute_nwdt_forms(BALANCES, INCOME, DEPOSITS, LOANS)


def test_nwdt_calendar():
    assert "2E" not in forms_due("nwdt", date(2026, 6, 30))
    assert set(forms_due("nwdt", date(2026, 12, 31))) == set(NWDT_FORMS)
    assert forms_due("nwdt", date(2026, 11, 30)) == []
    assert period_start("quarterly", date(2026, 6, 30)) == date(2026, 4, 1)
    assert period_start("annual", date(2026, 12, 31)) == date(2026, 1, 1)
    assert period_start("monthly", date(2026, 2, 28)) == date(2026, 2, 1)
    assert period_start("daily", date(2026, 2, 3)) == date(2026, 2, 3)
    assert due_date("daily", date(2026, 2, 3)) == date(2026, 2, 4)


# --------------------------------------------------------------------------- daily

OPENING = {"bank": D(100000), "tellers": D(20000), "mobile": D(5000)}
CLOSING = {"bank": D(130000), "tellers": D(12000), "mobile": D(8000)}


def test_daily_liquidity_return():
    receipts = {"deposits": D(30000), "loan_repayments": D(6000)}
    payments = {"withdrawals": D(10000), "members": D(1000)}
    f = daily_liquidity(OPENING, receipts, payments, CLOSING, (D(400000), D(100000)))
    assert f["opening_total"] == D(125000) and f["closing_total"] == D(150000)
    assert f["opening_and_receipts"] == D(161000) and f["payments_total"] == D(11000)
    assert f["closing_to_deposits"] == D(30) and f["closing_to_fosa"] == D(150)
    assert all(r.passed for r in run_checks({"daily": f}, DAILY_CHECKS))
    short = daily_liquidity(OPENING, receipts, {}, CLOSING, (D(1), D(0)))
    (failed,) = run_checks({"daily": short}, DAILY_CHECKS)
    assert not failed.passed and failed.description == "Daily D33 = Daily D21 - Daily D26"
    assert short["closing_to_fosa"] == 0


# --------------------------------------------------------------------------- Form 9 rows


def _insider(loan, new, granted, outstanding):
    return InsiderLoan(
        loan, "A Director", "M001", "director", "Development", granted, granted,
        date(2026, 5, 2), D(90000), "Guarantors", date(2026, 6, 2), 12, outstanding,
        "performing", new,
    )  # fmt: skip


def test_insider_detail_lists_each_loan_and_reconciles():
    loans = [_insider("L1", True, D(520000), D(500000)), _insider("L2", False, D(9), D(100000))]
    f9 = insider_lending(
        [
            LoanStanding("performing", False, D(500000), D(0), insider="director",
                         disbursed_in_period=True, principal=D(520000)),
            LoanStanding("performing", False, D(100000), D(0), insider="director"),
        ]
    )  # fmt: skip
    (new, title, heading, rows), (part2, title2, heading2, rows2) = insider_detail_layout(loans)
    assert (new, title, heading, [(r, loan.loan) for r, loan in rows]) == (
        "new",
        16,
        17,
        [(18, "L1")],
    )
    assert (part2, title2, heading2) == ("outstanding", 20, 21)
    assert [(r, loan.loan) for r, loan in rows2] == [(22, "L1"), (23, "L2")]
    checks = insider_detail_checks(f9, loans, D(600000))
    assert all(check.passed for check in checks), checks
    off = insider_detail_checks(f9, loans[:1], D(500000))
    assert [c.label for c in off if not c.passed] == [
        "Insider loans counted",
        "Insider loans outstanding listed",
    ]
    assert not insider_detail_checks(f9, loans, D(0))[-1].passed
