import base64
import io
import time
from datetime import timedelta

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from sacco_core.portfolio import NON_PERFORMING
from sacco_core.sasra import INCOME_LINES, forms_due, month_bounds, percent, surplus_counted

from .common import SaccoSasraCommon


@tagged("post_install", "-at_install")
class TestSasraReturns(SaccoSasraCommon):
    def _figures(self, returns, form):
        """Figure code -> value of the return of ``form``."""
        ret = returns.filtered(lambda r: r.form == form)
        return {line.code: line.value for line in ret.line_ids}

    def _line(self, returns, form, code):
        ret = returns.filtered(lambda r: r.form == form)
        return ret.line_ids.filtered(lambda line: line.code == code)

    def _ratios(self, returns):
        return {ratio.code: ratio for ratio in returns.ratio_ids}

    def test_month_returns_equal_gl_and_sub_ledgers(self):
        returns = self._compute()
        self.assertEqual(sorted(returns.mapped("form")), sorted(forms_due("dt", self.month_end)))
        self.assertEqual(set(returns.mapped("state")), {"computed"})
        self.assertEqual(returns.computed_by_id, self.accountant)
        self.assertEqual(returns[0].due_date, self.month_end + timedelta(days=15))
        # Every cross-form check of the portal passes.
        failed = returns.check_ids.filtered(lambda c: not c.passed)
        self.assertFalse(failed, failed.mapped("description"))
        self.assertTrue(returns.filtered(lambda r: r.form == "6").check_ids)

        # Ratios recomputed by hand from GL balances, by account type and the GL map.
        company = self.company
        year_start = company.compute_fiscalyear_dates(self.month_end)["date_from"]
        total_assets = self._gl([("account_id.account_type", "=like", "asset%")])
        liabilities = -self._gl([("account_id.account_type", "=like", "liability%")])
        pl_types = ("income", "income_other", "expense", "expense_depreciation")
        net_income = -self._gl([("account_id.account_type", "in", pl_types)], year_start)
        earlier_results = -self._gl([("account_id.account_type", "in", pl_types)]) - net_income
        share_capital = -self._gl([("account_id", "=", company.sacco_account_share_capital_id.id)])
        opening = -self._gl([("account_id", "=", company.sacco_account_opening_balance_id.id)])
        core_capital = share_capital + opening + earlier_results + surplus_counted(net_income)
        deposit_accounts = company.sacco_account_deposits_id | company.sacco_account_savings_id
        deposits = -self._gl([("account_id", "in", deposit_accounts.ids)])
        # Bank money waiting on Odoo's outstanding receipts/payments is at the bank too.
        outstanding = self.bank._sacco_outstanding_accounts()
        self.assertEqual(set(outstanding.mapped("sacco_sasra_line")), {"cash_at_bank"})
        self.assertTrue(self._gl([("account_id", "in", outstanding.ids)]))
        liquid = self._gl([("account_id.account_type", "=", "asset_cash")]) + self._gl(
            [("account_id", "in", (company.sacco_account_mpesa_clearing_id | outstanding).ids)]
        )
        loans_net = self._gl(
            [
                (
                    "account_id",
                    "in",
                    (
                        company.sacco_account_loan_portfolio_id | company.sacco_account_provision_id
                    ).ids,
                )
            ]
        )
        investment = self._gl([("account_id", "=", self.investment.id)])
        equipment = self._gl([("account_id", "=", self.equipment.id)])
        non_earning = total_assets - liquid - loans_net - investment - equipment
        expected = {
            "core_capital": core_capital,
            "cc_ta": percent(core_capital, total_assets),
            "ic_ta": percent(core_capital - share_capital, total_assets),
            "cc_td": percent(core_capital, deposits),
            "liquidity": percent(liquid, liabilities),
            "lb_ta": percent(equipment, total_assets),
            "fi_cc": percent(investment, core_capital),
            "fi_td": percent(investment, deposits),
            "nea_ta": percent(non_earning, total_assets),
        }
        ratios = self._ratios(returns)
        self.assertEqual(set(ratios), set(expected))
        for code, value in expected.items():
            self.assertAlmostEqual(ratios[code].value, float(value), places=2, msg=code)
        self.assertFalse(ratios["core_capital"].passed)  # a small SACCO, below KES 10 m
        self.assertEqual(ratios["core_capital"].limit, 10_000_000)
        self.assertTrue(ratios["fi_td"].is_minimum is False)

        form6 = self._figures(returns, "6")
        self.assertAlmostEqual(form6["total_assets"], float(total_assets), places=2)
        self.assertAlmostEqual(form6["total_assets"], form6["total_liabilities_equity"], places=2)
        self.assertAlmostEqual(
            self._figures(returns, "7")["net_income"], float(net_income), places=2
        )
        self.assertAlmostEqual(
            self._figures(returns, "1")["surplus_counted"],
            float(surplus_counted(net_income)),
            places=2,
        )

        # Form 4 is the loan sub-ledger at the month-end close of business.
        form4 = self._figures(returns, "4")
        loans = self.env["sacco.loan"].search(
            [("company_id", "=", company.id), ("state", "=", "active")]
        )
        self.assertAlmostEqual(
            form4["total_outstanding"], sum(loans.mapped("principal_outstanding")), places=2
        )
        self.assertAlmostEqual(
            form4["total_provision"], sum(loans.mapped("provision_required")), places=2
        )
        for name, loan in self.loans.items():
            self.assertEqual(form4[f"count_{name}"], 1, name)
            self.assertAlmostEqual(form4[f"outstanding_{name}"], loan.principal_outstanding, 2)
        self.assertAlmostEqual(
            float(-self._gl([("account_id", "=", company.sacco_account_provision_id.id)])),
            form4["total_provision"],
            places=2,
        )

        # Insider lending, sectoral lending and disclosures from the same loan standing.
        director_loan = self.loans["performing"]
        form9 = self._figures(returns, "9")
        self.assertEqual((form9["director_count"], form9["director_new_count"]), (1, 1))
        self.assertAlmostEqual(form9["director_outstanding"], director_loan.principal_outstanding)
        self.assertEqual(form9["total_count"], 1)
        sectoral = self._figures(returns, "sectoral")
        self.assertEqual(sectoral["agriculture_count_watch"], 1)
        self.assertAlmostEqual(
            sectoral["agriculture_amount_all"], self.loans["watch"].principal_outstanding
        )
        self.assertAlmostEqual(sectoral["total_amount_all"], form4["total_outstanding"], places=2)
        self.assertEqual(sectoral["household_count_all"], len(loans) - 1)
        npl = loans.filtered(lambda loan: loan.sasra_class in NON_PERFORMING)
        self.assertEqual(len(npl), 3)
        suspense = sum(
            max(
                sum(
                    i.interest - i.interest_paid - i.interest_waived - i.interest_receivable
                    for i in loan.installment_ids.filtered(lambda i: i.due_date <= self.month_end)
                ),
                0.0,
            )
            for loan in npl
        )
        insiders = self.env["sacco.sasra.loan.snapshot"].search(
            self._line(returns, "9", "director_outstanding").action_drill_down()["domain"]
        )
        self.assertEqual(insiders.loan_id, director_loan)
        if "8" in returns.mapped("form"):  # quarterly
            form8 = self._figures(returns, "8")
            self.assertAlmostEqual(
                form8["gross_npl"], sum(npl.mapped("principal_outstanding")), places=2
            )
            self.assertAlmostEqual(form8["interest_in_suspense"], suspense, places=2)
            self.assertAlmostEqual(form8["insider_director"], director_loan.principal_outstanding)
        snapshot = self.env["sacco.sasra.loan.snapshot"].search(
            [("date", "=", self.month_end), ("loan_id", "in", npl.ids)]
        )
        self.assertAlmostEqual(sum(snapshot.mapped("interest_in_suspense")), suspense, places=2)

        # Form 3 is the savings sub-ledger at the period end.
        form3 = self._figures(returns, "3")
        accounts = self.env["sacco.savings.account"].search(
            [("company_id", "=", company.id), ("kind", "!=", "share_capital")]
        )
        balances = [
            sum(a.transaction_ids.filtered(lambda t: t.date <= self.month_end).mapped("amount"))
            for a in accounts
        ]
        self.assertAlmostEqual(form3["total_deposits"], sum(balances), places=2)
        self.assertAlmostEqual(form3["total_deposits"], float(deposits), places=2)
        self.assertEqual(form3["total_count"], len([b for b in balances if b]))
        self.assertEqual(form3["count_4_savings"], 1)  # the 1.5 m FOSA account

        # Each figure drills down to its journal items or sub-ledger records.
        cash = self._line(returns, "1", "cash")
        items = self.env["account.move.line"].search(cash.action_drill_down()["domain"])
        self.assertAlmostEqual(sum(items.mapped("balance")), cash.value, places=2)
        loss = self._line(returns, "4", "outstanding_loss")
        standing = self.env["sacco.sasra.loan.snapshot"].search(loss.action_drill_down()["domain"])
        self.assertEqual(standing.loan_id, self.loans["loss"])
        big = self._line(returns, "3", "amount_4_savings")
        self.assertEqual(
            self.env["sacco.savings.account"].search(big.action_drill_down()["domain"]).member_id,
            self.other,
        )

    def test_export_reads_back_at_the_portal_cells(self):
        returns = self._compute()
        for form, cells in (
            ("1", ("D10", "D22", "D43")),
            ("3", ("E26", "D26")),
            ("6", ("C38", "C72")),
        ):
            ret = returns.filtered(lambda r, form=form: r.form == form)
            ret.with_user(self.accountant).action_export_xlsx()
            book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(ret.xlsx_file)))
            sheet = book.worksheets[0]
            figures = {line.cell: line.value for line in ret.line_ids}
            for cell in cells:
                self.assertAlmostEqual(sheet[cell].value, figures[cell], places=2, msg=cell)
            self.assertFalse(
                [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
            )
        self.assertEqual(sheet["C6"].value, self.month_end.isoformat())

    def test_review_freezes_and_submit(self):
        returns = self._compute()
        returns.with_user(self.accountant).action_review()
        self.assertEqual(returns.reviewed_by_id, self.accountant)
        with self.assertRefused(UserError, "already reviewed"):
            self._compute()
        form1 = returns.filtered(lambda r: r.form == "1")
        activity = form1.activity_ids
        self.assertEqual(
            (activity.user_id, activity.date_deadline), (self.accountant, form1.due_date)
        )
        form1.with_user(self.accountant).action_submit()
        self.assertEqual((form1.state, form1.submitted_by_id), ("submitted", self.accountant))
        self.assertFalse(form1.activity_ids)

    def test_broken_mapping_fails_checks_and_blocks_export(self):
        self.company.sacco_account_deposits_id.sacco_sasra_line = "other_payables"
        returns = self._compute()
        form3 = returns.filtered(lambda r: r.form == "3")
        failed = form3.check_ids.filtered(lambda c: not c.passed)
        self.assertEqual(failed.mapped("label"), ["Total deposits"])
        self.assertEqual(failed.description, "Form 2 D32 = Form 3 E26")
        with self.assertRefused(UserError, "Total deposits: Form 2 D32 = Form 3 E26"):
            form3.with_user(self.accountant).action_export_xlsx()
        with self.assertRefused(UserError, "Only a manager"):
            form3.with_user(self.accountant).action_override()
        with self.assertRefused(UserError, "Give the reason"):
            form3.with_user(self.manager).action_override()
        form3.with_user(self.manager).write({"override_reason": "Deposits reclassified in April"})
        form3.with_user(self.manager).action_override()
        self.assertEqual(form3.override_by_id, self.manager)
        form3.with_user(self.accountant).action_export_xlsx()
        self.assertTrue(form3.xlsx_file)

    def test_refusals(self):
        today = fields.Date.today()
        with self.assertRefused(UserError, "has not ended yet"):
            self._compute(date_to=month_bounds(today)[1])
        with self.assertRefused(UserError, "last day of a month"):
            self._compute(date_to=self.month_end - timedelta(days=1))
        earlier = self.month_start - timedelta(days=1)
        with self.assertRefused(UserError, "Run the loans' close of business for"):
            self._compute(date_to=earlier)
        self.assertFalse(self.Return.search([("date_to", "=", earlier)]))
        self.company.sacco_sasra_regime = "nwdt"
        off_quarter = self.month_end if self.month_end.month % 3 else earlier
        with self.assertRefused(UserError, "Forms 2A-2H are filed quarterly"):
            self._compute(date_to=off_quarter)
        self.company.sacco_sasra_regime = "dt"
        stray = self.env["account.account"].create(
            {"code": "199100", "name": "Staff Imprest", "account_type": "asset_current"}
        )
        self._post(stray, self.bank.default_account_id, 700, "Imprest")
        with self.assertRefused(UserError, "199100 Staff Imprest"):
            self._compute()

    def test_mis_statements_match_the_returns(self):
        returns = self._compute()
        matrices = {}
        for report in ("financial_position", "comprehensive_income", "cash_flow"):
            instance = self.env["mis.report.instance"].create(
                {
                    "name": report,
                    "report_id": self.env.ref(f"sacco_sasra_reports.mis_report_sasra_{report}").id,
                    "company_id": self.company.id,
                    "period_ids": [
                        Command.create(
                            {
                                "name": "Month",
                                "mode": "fix",
                                "manual_date_from": self.month_start,
                                "manual_date_to": self.month_end,
                            }
                        )
                    ],
                }
            )
            matrix = instance._compute_matrix()
            matrices[report] = {
                row.kpi.name: next(iter(row.iter_cells())).val
                for row in matrix.iter_rows()
                if not row.account_id
            }
        form6 = self._figures(returns, "6")
        for code in ("total_assets", "gross_loans", "total_deposits", "share_capital"):
            self.assertAlmostEqual(matrices["financial_position"][code], form6[code], places=2)
        self.assertAlmostEqual(
            matrices["financial_position"]["total_assets"],
            matrices["financial_position"]["total_liabilities_equity"],
            places=2,
        )
        flows = matrices["cash_flow"]
        self.assertAlmostEqual(
            flows["net_change"], flows["cash_closing"] - flows["cash_opening"], places=2
        )
        self.assertAlmostEqual(
            flows["cash_closing"], form6["cash_in_hand"] + form6["cash_at_bank"], places=2
        )
        month_income = -self._gl(
            [("account_id.sacco_sasra_line", "in", list(INCOME_LINES))], self.month_start
        )
        self.assertAlmostEqual(
            matrices["comprehensive_income"]["net_income"], float(month_income), places=2
        )

    def test_dashboard_shows_the_month_fast(self):
        self._compute()
        Dashboard = self.env["sacco.sasra.dashboard"].with_user(self.manager)
        start = time.perf_counter()
        groups = Dashboard.read_group(
            [("company_id", "=", self.company.id), ("month_end", "=", self.month_end)],
            [
                "gross_loans:sum",
                "deposits:sum",
                "members_active:sum",
                "liquidity_ratio:avg",
                "npl_ratio:avg",
                "disbursements:sum",
            ],
            [],
        )
        self.assertLess(time.perf_counter() - start, 2)
        row = groups[0]
        form4 = self.Return.search(
            [("company_id", "=", self.company.id), ("form", "=", "4")]
        ).line_ids
        total = form4.filtered(lambda line: line.code == "total_outstanding").value
        self.assertAlmostEqual(row["gross_loans"], total, places=2)
        self.assertEqual(
            row["members_active"],
            len(
                self.env["sacco.member"].search(
                    [
                        ("company_id", "=", self.company.id),
                        ("state", "=", "active"),
                        ("join_date", "<=", self.month_end),
                    ]
                )
            ),
        )
        liquidity = self.Return.search(
            [("company_id", "=", self.company.id), ("form", "=", "2")]
        ).ratio_ids.value
        self.assertAlmostEqual(row["liquidity_ratio"], liquidity, places=2)
        self.assertAlmostEqual(
            row["disbursements"],
            sum(
                loan.principal
                for loan in self.loans.values()
                if loan.disbursed_on >= self.month_start
            ),
            places=2,
        )
        with self.assertRaises(AccessError):
            self.env["sacco.sasra.dashboard"].with_user(self.teller_a).read_group(
                [], ["id:count"], []
            )

    def test_form9_lists_each_insider_loan(self):
        returns = self._compute()
        form9 = returns.filtered(lambda r: r.form == "9")
        director_loan = self.loans["performing"]
        self.assertEqual(director_loan.member_id.sacco_insider_role, "director")
        listed = form9.insider_loan_ids
        self.assertEqual(sorted(listed.mapped("part")), ["new", "outstanding"])
        self.assertEqual(listed.loan_id, director_loan)
        row = listed.filtered(lambda line: line.part == "outstanding")
        deposits = self._account(director_loan.member_id, self.deposits)
        self.assertEqual(
            (row.borrower, row.member_number, row.position, row.loan_type, row.sasra_class),
            (
                director_loan.member_id.partner_id.name,
                director_loan.member_id.member_number,
                "director",
                director_loan.product_id.name,
                "performing",
            ),
        )
        self.assertAlmostEqual(row.amount_granted, director_loan.principal, places=2)
        self.assertAlmostEqual(row.outstanding, director_loan.principal_outstanding, places=2)
        at_month_end = deposits.transaction_ids.filtered(lambda t: t.date <= self.month_end)
        self.assertAlmostEqual(row.bosa_deposits, sum(at_month_end.mapped("amount")), places=2)
        self.assertEqual(row.repayment_months, director_loan.term)
        self.assertEqual(row.repayment_start, min(director_loan.installment_ids.mapped("due_date")))
        self.assertTrue(row.security)
        # The loan rows add up to the totals, and the GL's loan portfolio holds them.
        checks = form9.check_ids.filtered(lambda c: c.label.startswith("Insider loans"))
        self.assertEqual(len(checks), 4)
        self.assertTrue(all(checks.mapped("passed")), checks.mapped("description"))
        gl = checks.filtered(lambda c: c.label == "Insider loans in the GL")
        self.assertAlmostEqual(gl.right, director_loan.principal_outstanding, places=2)

        form9.with_user(self.accountant).action_export_xlsx()
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(form9.xlsx_file))).worksheets[0]
        self.assertEqual(sheet["B16"].value, "Part 1: Insider loans granted during the period")
        self.assertEqual(sheet["B18"].value, row.borrower)
        self.assertEqual(sheet["G17"].value, "Amount granted")
        self.assertEqual(sheet[f"B{row.row}"].value, row.borrower)
        self.assertAlmostEqual(sheet[f"M{row.row}"].value, row.outstanding, places=2)
        self.assertEqual(sheet[f"N{row.row}"].value, "Performing")
        self.assertAlmostEqual(
            sheet["F13"].value,
            self._figures(returns, "9")["total_outstanding"],
            places=2,
        )
        html = self.env["ir.actions.report"]._render_qweb_html(
            "sacco_sasra_reports.sacco_sasra_return_report", form9.ids
        )[0]
        self.assertIn(row.borrower, html.decode())

    def test_daily_liquidity_return(self):
        day = self.month_start
        Return = self.Return.with_user(self.accountant)
        ret = Return._compute_day(self.company, day)
        self.assertEqual(
            (ret.form, ret.date_from, ret.date_to, ret.due_date, ret.state),
            ("daily", day, day, day + timedelta(days=1), "computed"),
        )
        self.assertFalse(ret.activity_ids)
        figures = {line.code: line.value for line in ret.line_ids}
        self.assertTrue(ret.check_ids and all(ret.check_ids.mapped("passed")))
        buckets = Return._liquid_accounts(self.company)
        for account in self.bank._sacco_outstanding_accounts():
            self.assertEqual(buckets[account.id], "bank")
        liquid = list(buckets)
        for code, date in (("opening_total", day - timedelta(days=1)), ("closing_total", day)):
            gl = self.env["account.move.line"].search(
                [
                    ("company_id", "=", self.company.id),
                    ("parent_state", "=", "posted"),
                    ("account_id", "in", liquid),
                    ("date", "<=", date),
                ]
            )
            self.assertAlmostEqual(figures[code], sum(gl.mapped("balance")), places=2, msg=code)
        deposits = self.env["sacco.savings.transaction"].search(
            [
                ("account_id.company_id", "=", self.company.id),
                ("account_id.kind", "not in", ("share_capital",)),
                ("date", "=", day),
                ("amount", ">", 0),
            ]
        )
        self.assertAlmostEqual(figures["receipts_deposits"], sum(deposits.mapped("amount")), 2)
        self.assertAlmostEqual(
            figures["deposits_bosa"],
            float(-self._gl([("account_id", "=", self.company.sacco_account_deposits_id.id)])),
            places=2,
        )
        month_end = Return._compute_day(self.company, self.month_end)
        repaid = {line.code: line.value for line in month_end.line_ids}
        self.assertAlmostEqual(repaid["receipts_loan_repayments"], 500, places=2)
        self.assertEqual(
            self.Return.search([("company_id", "=", self.company.id), ("form", "=", "daily")]),
            ret | month_end,
        )
        ret.with_user(self.accountant).action_review()
        with self.assertRefused(UserError, "already reviewed"):
            Return._compute_day(self.company, day)
        with self.assertRefused(UserError, "has not ended yet"):
            Return._compute_day(self.company, fields.Date.today())
        ret.with_user(self.accountant).action_export_xlsx()
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(ret.xlsx_file))).worksheets[0]
        self.assertAlmostEqual(sheet["D33"].value, figures["closing_total"], places=2)
        self.assertEqual((sheet["B33"].value, sheet["D6"].value), ("4.6", day.isoformat()))


@tagged("post_install", "-at_install")
class TestNwdtReturns(SaccoSasraCommon):
    """A non-withdrawable-deposit (BOSA-only) SACCO's quarter: Forms 2A-2H."""

    with_fosa_savings = False

    @classmethod
    def _period_end(cls):
        today = fields.Date.today()
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1) - timedelta(days=1)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sacco_sasra_regime = "nwdt"

    @classmethod
    def _application(cls, *args, **kwargs):
        """Loans are paid out by bank transfer: the SACCO has no FOSA accounts to pay into."""
        app = super()._application(*args, **kwargs)
        bank = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        app.write(
            {
                "disbursement_channel": "bank",
                "disbursement_journal_id": bank.id,
                "disbursement_reference": f"EFT-{app.id}",
            }
        )
        return app

    def _figures(self, returns, form):
        ret = returns.filtered(lambda r: r.form == form)
        return {line.code: line.value for line in ret.line_ids}

    def test_quarter_returns_from_gl_and_sub_ledgers(self):
        returns = self._compute()
        self.assertEqual(sorted(returns.mapped("form")), sorted(forms_due("nwdt", self.month_end)))
        self.assertTrue({"2A", "2B", "2C", "2D", "2F", "2G", "2H"} <= set(returns.mapped("form")))
        form2a = returns.filtered(lambda r: r.form == "2A")
        self.assertEqual(form2a.date_from, self.month_end.replace(day=1) - relativedelta(months=2))
        self.assertEqual(form2a.due_date, self.month_end + timedelta(days=15))
        failed = returns.check_ids.filtered(lambda c: not c.passed)
        self.assertFalse(failed, failed.mapped("description"))
        self.assertIn("Form 2C E15", " ".join(returns.check_ids.mapped("description")))

        company = self.company
        year_start = company.compute_fiscalyear_dates(self.month_end)["date_from"]
        total_assets = self._gl([("account_id.account_type", "=like", "asset%")])
        pl_types = ("income", "income_other", "expense", "expense_depreciation")
        net_income = -self._gl([("account_id.account_type", "in", pl_types)], year_start)
        earlier_results = -self._gl([("account_id.account_type", "in", pl_types)]) - net_income
        share_capital = -self._gl([("account_id", "=", company.sacco_account_share_capital_id.id)])
        opening = -self._gl([("account_id", "=", company.sacco_account_opening_balance_id.id)])
        retained = opening + earlier_results + surplus_counted(net_income)
        core_capital = share_capital + retained
        deposits = -self._gl([("account_id", "=", company.sacco_account_deposits_id.id)])
        ratios = {ratio.code: ratio for ratio in returns.ratio_ids}
        expected = {
            "cc_ta": percent(core_capital, total_assets),
            "re_cc": percent(retained, core_capital),
            "cc_td": percent(core_capital, deposits),
        }
        for code, value in expected.items():
            self.assertAlmostEqual(ratios[code].value, float(value), places=2, msg=code)
        self.assertEqual((ratios["cc_ta"].limit, ratios["liquidity"].limit), (8, 10))
        self.assertEqual(ratios["cc_ta"].return_id, form2a)

        form2c, form2d = self._figures(returns, "2C"), self._figures(returns, "2D")
        self.assertAlmostEqual(form2c["total_deposits"], float(deposits), places=2)
        loans = self.env["sacco.loan"].search(
            [("company_id", "=", company.id), ("state", "=", "active")]
        )
        self.assertAlmostEqual(
            form2d["total_outstanding"], sum(loans.mapped("principal_outstanding")), places=2
        )
        form2g = self._figures(returns, "2G")
        self.assertAlmostEqual(form2g["total_assets"], float(total_assets), places=2)
        self.assertNotIn("savings_deposits", form2g)
        form2h = self._figures(returns, "2H")
        self.assertAlmostEqual(form2h["core_capital"], float(core_capital), places=2)
        self.assertEqual(form2h["prior_core_capital"], 0)
        line = returns.filtered(lambda r: r.form == "2C").line_ids.filtered(
            lambda x: x.code == "total_deposits"
        )
        accounts = self.env["sacco.savings.account"].search(line.action_drill_down()["domain"])
        self.assertEqual(set(accounts.mapped("kind")), {"bosa_deposit"})

        form2a.with_user(self.accountant).action_export_xlsx()
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(form2a.xlsx_file))).worksheets[0]
        self.assertEqual(sheet["D7"].value, self.month_end.isoformat())
        self.assertEqual((sheet["B21"].value, sheet["C21"].value), ("1.1.11", "Core capital"))
        self.assertAlmostEqual(sheet["D21"].value, float(core_capital), places=2)

    def test_broken_mapping_and_withdrawable_deposits_refused(self):
        self.company.sacco_account_deposits_id.sacco_sasra_line = "other_payables"
        returns = self._compute()
        failed = returns.check_ids.filtered(lambda c: not c.passed)
        self.assertIn("Total deposits", failed.mapped("label"))
        form2c = returns.filtered(lambda r: r.form == "2C")
        with self.assertRefused(UserError, "Total deposits"):
            form2c.with_user(self.accountant).action_export_xlsx()
        self.company.sacco_account_deposits_id.sacco_sasra_line = "non_withdrawable_deposits"
        self._account(self.member, self.fosa).deposit(
            1000, journal=self.cash, date=self.month_start
        )
        with self.assertRefused(UserError, "holds no withdrawable deposits"):
            self._compute()


@tagged("post_install", "-at_install")
class TestSasraDemo(TransactionCase):
    def test_demo_sacco_files_form9_rows_and_daily_liquidity(self):
        company = self.env.ref("sacco_base.res_company_sacco_demo")
        returns = self.env["sacco.sasra.return"].search([("company_id", "=", company.id)])
        form9 = returns.filtered(lambda r: r.form == "9")
        self.assertEqual(len(form9), 1)
        self.assertEqual(set(form9.insider_loan_ids.mapped("position")), {"committee", "staff"})
        insider_checks = form9.check_ids.filtered(lambda c: c.label.startswith("Insider"))
        self.assertTrue(insider_checks and all(insider_checks.mapped("passed")))
        daily = returns.filtered(lambda r: r.form == "daily")
        self.assertEqual(daily.date_to, form9.date_to)
        self.assertTrue(daily.check_ids and all(daily.check_ids.mapped("passed")))

    def test_demo_bank_statements_reconcile_the_sacco_postings(self):
        company = self.env.ref("sacco_base.res_company_sacco_demo")
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], order="id", limit=1
        )
        lines = self.env["account.bank.statement.line"].search([("journal_id", "=", bank.id)])
        self.assertGreater(len(lines), 30)  # a check-off remittance a month, deposits, payouts
        self.assertTrue(all(lines.mapped("statement_id")))
        self.assertEqual(
            lines.filtered(lambda line: not line.is_reconciled).mapped("payment_ref"),
            ["SMS BANKING CHARGES"],
        )
        # Every SACCO posting through the bank is on a statement: nothing left outstanding.
        items = self.env["account.move.line"].search(
            [
                ("journal_id", "=", bank.id),
                ("account_id", "in", bank._sacco_outstanding_accounts().ids),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertTrue(items and all(items.mapped("reconciled")))
