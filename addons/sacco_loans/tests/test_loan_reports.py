import io
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from sacco_core.money import to_money

from .common import LOAN_OFFICER, SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanReports(SaccoLoansCommon):
    """A fixture portfolio in every SASRA class, over two products, branches and officers;
    the standing fields the nightly job keeps are written directly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer_b = new_test_user(
            cls.env,
            "sacco.loan.officer.b",
            groups=LOAN_OFFICER,
            sacco_branch_ids=[Command.set(cls.branch_b.ids)],
        )
        cls.advance = cls.env["sacco.loan.product"].create(
            {
                "name": "Test Salary Advance",
                "code": "T-ADV",
                "interest_rate": 12.0,
                "method": "equal_principal",
                "min_amount": 1000,
                "max_amount": 100000,
                "max_term": 12,
                "guarantee_coverage": 0.0,
            }
        )
        # The officer books loans in both branches; some are handed to officer B below.
        cls.officer.sacco_branch_ids |= cls.branch_b
        c_member = cls._borrower("Chebet Kiprono", cls.branch_b)
        d_member = cls._borrower("Mutua Musyoka", cls.branch_b)
        e_member = cls._borrower("Wafula Barasa", cls.branch_a)
        f_member = cls._borrower("Halima Abdi", cls.branch_a)
        cls.loan1 = cls._disbursed_loan()
        cls.loan2 = cls._emergency(cls.other, 12000)
        cls.loan3 = cls._emergency(c_member, 10000, guarantors=((cls.other, 5000),))
        cls.loan4 = cls._emergency(d_member, 20000)
        cls.loan5 = cls._emergency(e_member, 8000)
        cls.loan6 = cls._emergency(f_member, 6000)
        cls.loan1.repay(20000, journal=cls.cash)
        # Standing: (loan, dpd, class, arrears, provision, rescheduled, officer, state)
        cls._set_standing(cls.loan1, 0, "performing", 0, 1000, False, cls.officer, "active")
        cls._set_standing(cls.loan2, 15, "watch", 4200, 600, False, cls.officer, "active")
        cls._set_standing(cls.loan3, 45, "substandard", 7000, 2500, False, cls.officer_b, "active")
        cls._set_standing(cls.loan4, 200, "doubtful", 16000, 10000, True, cls.officer_b, "active")
        cls._set_standing(cls.loan5, 400, "loss", 8000, 8000, False, cls.officer_b, "active")
        cls._set_standing(cls.loan6, 500, "loss", 6000, 0, False, cls.officer_b, "written_off")
        cls.env.invalidate_all()

    @classmethod
    def _borrower(cls, name, branch):
        member = cls._create_member(name=name, branch_id=branch.id)
        cls._account(member, cls.deposits).deposit(20000, journal=cls.cash)
        return member

    @classmethod
    def _emergency(cls, member, amount, guarantors=(), **kwargs):
        return cls._disbursed_loan(
            member=member,
            product=cls.emergency,
            amount=amount,
            term=6,
            guarantors=guarantors,
            **kwargs,
        )

    @classmethod
    def _set_standing(cls, loan, dpd, sasra_class, arrears, provision, rescheduled, officer, state):
        cls.env.flush_all()
        cls.env.cr.execute(
            """
            UPDATE sacco_loan
               SET days_past_due = %s, sasra_class = %s, arrears_principal = %s,
                   arrears_total = %s, provision_required = %s, rescheduled = %s,
                   officer_id = %s, state = %s
             WHERE id = %s
            """,
            [
                dpd,
                sasra_class,
                arrears,
                arrears,
                provision,
                rescheduled,
                officer.id,
                state,
                loan.id,
            ],
        )

    def _rows(self, model, domain=()):
        return self.env[model].search([("company_id", "=", self.company.id), *domain])

    def _wizard(self, report, user=None, **vals):
        env = self.env(user=user) if user else self.env
        return env["sacco.loan.report.print"].create(
            {"report": report, "company_id": self.company.id, **vals}
        )

    def _xlsx(self, wizard):
        action = wizard.action_xlsx()
        attachment_id = int(re.search(r"/web/content/(\d+)", action["url"]).group(1))
        raw = self.env["ir.attachment"].browse(attachment_id).raw
        return openpyxl.load_workbook(io.BytesIO(raw))

    @staticmethod
    def _table(sheet, first_header):
        rows = list(sheet.iter_rows(values_only=True))
        start = next(i for i, row in enumerate(rows) if row[0] == first_header)
        return rows[start], rows[start + 1 : -1], rows[-1]

    def _active_loans(self):
        return self.loan1 | self.loan2 | self.loan3 | self.loan4 | self.loan5

    # ---------------------------------------------------------------- portfolio rows

    def test_portfolio_rows_carry_the_standing_and_par_amounts(self):
        rows = self._rows("sacco.loan.portfolio.report")
        loans = self._active_loans() | self.loan6
        self.assertEqual(set(rows.loan_id.ids), set(loans.ids))
        by_loan = {row.loan_id: row for row in rows}
        self.assertEqual(by_loan[self.loan6].state, "written_off")
        row = by_loan[self.loan3]
        self.assertEqual(
            (row.product_id, row.branch_id, row.officer_id, row.sasra_class, row.days_past_due),
            (self.emergency, self.branch_b, self.officer_b, "substandard", 45),
        )
        self.assertEqual((row.par1, row.par30, row.par90), (10000, 10000, 0))
        self.assertEqual((row.arrears_total, row.provision_required), (7000, 2500))
        self.assertTrue(by_loan[self.loan4].rescheduled)
        self.assertEqual(by_loan[self.loan4].par90, 20000)
        self.assertEqual(by_loan[self.loan2].par30, 0)
        self.assertLess(by_loan[self.loan1].principal_outstanding, 100000)
        self.assertEqual(
            by_loan[self.loan1].principal_outstanding, self.loan1.principal_outstanding
        )
        self.assertEqual(
            (by_loan[self.loan1].par1, by_loan[self.loan1].provision_required), (0, 1000)
        )

    def test_par_totals_by_product_branch_and_officer(self):
        Report = self.env["sacco.loan.portfolio.report"]
        domain = [("company_id", "=", self.company.id), ("state", "=", "active")]
        aggregates = ["principal_outstanding:sum", "par1:sum", "par30:sum", "par90:sum"]
        outstanding1 = self.loan1.principal_outstanding
        by_product = dict(
            (product, tuple(values))
            for product, *values in Report._read_group(domain, ["product_id"], aggregates)
        )
        self.assertEqual(by_product[self.emergency], (50000, 50000, 38000, 28000))
        self.assertEqual(by_product[self.product], (outstanding1, 0, 0, 0))
        by_branch = dict(
            (branch, tuple(values))
            for branch, *values in Report._read_group(domain, ["branch_id"], aggregates)
        )
        self.assertEqual(by_branch[self.branch_b], (30000, 30000, 30000, 20000))
        self.assertAlmostEqual(by_branch[self.branch_a][0], outstanding1 + 20000, places=2)
        self.assertEqual(by_branch[self.branch_a][1:], (20000, 8000, 8000))
        by_officer = dict(
            (officer, tuple(values))
            for officer, *values in Report._read_group(domain, ["officer_id"], aggregates)
        )
        self.assertEqual(by_officer[self.officer_b], (38000, 38000, 38000, 28000))
        self.assertEqual(by_officer[self.officer][1:], (12000, 0, 0))

    def test_par_pdf_and_xlsx_show_the_ratios(self):
        wizard = self._wizard("par")
        sections = wizard._sections()
        self.assertEqual(
            [section["title"] for section in sections],
            ["PAR by Product", "PAR by Branch", "PAR by Loan Officer"],
        )
        total = _money(self.loan1.principal_outstanding) + Decimal(50000)
        totals = sections[0]["totals"]
        self.assertEqual(totals[:2], ["Total", 5])
        self.assertAlmostEqual(totals[2], float(total), places=2)
        self.assertEqual(totals[3], 50000)
        self.assertEqual(totals[4], _percent(50000, total))
        emergency = next(row for row in sections[0]["rows"] if row[0] == self.emergency.name)
        self.assertEqual(
            emergency, ["Test Emergency Loan", 4, 50000, 50000, 100.0, 38000, 76.0, 28000, 56.0]
        )
        workbook = self._xlsx(wizard)
        self.assertEqual(
            workbook.sheetnames, ["PAR by Product", "PAR by Branch", "PAR by Loan Officer"]
        )
        header, body, footer = self._table(workbook["PAR by Branch"], "Branch")
        self.assertEqual(
            header,
            (
                "Branch",
                "Loans",
                "Outstanding",
                "PAR 1",
                "PAR 1 %",
                "PAR 30",
                "PAR 30 %",
                "PAR 90",
                "PAR 90 %",
            ),
        )
        self.assertIn(("Test Beta", 2, 30000, 30000, 100, 30000, 100, 20000, 66.67), body)
        self.assertEqual(footer[:2], ("Total", 5))
        self.assertEqual(footer[3], 50000)
        # Staff print it (the administrator is first sent to the document layout set-up).
        action = self._wizard("par", user=self.accountant).action_pdf()
        self.assertEqual(action["report_name"], "sacco_loans.sacco_loan_portfolio_pdf")
        html = self._html(wizard)
        self.assertIn("PAR by Loan Officer", html)
        self.assertIn("56.00 %", html)

    def _html(self, wizard):
        content, kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "sacco_loans.sacco_loan_portfolio_pdf_action", wizard.ids
        )
        self.assertEqual(kind, "html")  # Test mode renders HTML, not a PDF.
        return content.decode()

    # ---------------------------------------------------------------- aging

    def test_aging_by_class_with_rescheduled_block(self):
        wizard = self._wizard("aging")
        regular, rescheduled, every = wizard._sections()
        self.assertEqual(
            [row[0] for row in regular["rows"]],
            ["Performing", "Watch", "Substandard", "Doubtful", "Loss"],
        )
        rows = {row[0]: row[1:] for row in regular["rows"]}
        self.assertEqual(rows["Watch"], [1, 12000, 4200, 600, 5.0])
        self.assertEqual(rows["Substandard"], [1, 10000, 7000, 2500, 25.0])
        self.assertEqual(rows["Doubtful"], [0, 0, 0, 0, 0.0])
        # The written-off loan is off the books; only the active Loss loan counts.
        self.assertEqual(rows["Loss"], [1, 8000, 8000, 8000, 100.0])
        resched = {row[0]: row[1:] for row in rescheduled["rows"]}
        self.assertEqual(resched["Doubtful"], [1, 20000, 16000, 10000, 50.0])
        self.assertEqual(rescheduled["totals"][1:5], [1, 20000, 16000, 10000])
        self.assertEqual(every["totals"][1], 5)
        self.assertEqual(every["totals"][4], 1000 + 600 + 2500 + 10000 + 8000)
        workbook = self._xlsx(wizard)
        self.assertEqual(workbook.sheetnames, ["Regular Loans", "Rescheduled Loans", "All Loans"])
        header, body, footer = self._table(workbook["Rescheduled Loans"], "SASRA Class")
        self.assertEqual(header[4], "Provision Required")
        self.assertEqual(len(body), 5)
        self.assertEqual(footer[:5], ("Total", 1, 20000, 16000, 10000))
        html = self._html(wizard)
        self.assertIn("Rescheduled Loans", html)
        self.assertIn("Substandard", html)

    # ---------------------------------------------------------------- arrears list

    def test_arrears_list_has_member_and_guarantor_phones(self):
        rows = self._rows(
            "sacco.loan.portfolio.report", [("days_past_due", ">", 0), ("state", "=", "active")]
        )
        self.assertEqual(
            set(rows.loan_id.ids), set((self.loan2 | self.loan3 | self.loan4 | self.loan5).ids)
        )
        row3 = rows.filtered(lambda row: row.loan_id == self.loan3)
        self.assertEqual(row3.member_phone, self.loan3.member_id.phone)
        self.assertEqual(row3.guarantor_phones, self.other.phone)
        guaranteed = self._rows("sacco.loan.portfolio.report", [("loan_id", "=", self.loan1.id)])
        self.assertEqual(guaranteed.guarantor_phones, f"{self.other.phone}, {self.guarantor.phone}")
        # The loan officer of branch B sees its loans and the guarantor from branch A.
        mine = (
            self.env["sacco.loan.portfolio.report"]
            .with_user(self.officer_b)
            .search([("days_past_due", ">", 0)])
        )
        self.assertEqual(set(mine.loan_id.ids), set((self.loan3 | self.loan4).ids))
        self.assertEqual(
            mine.filtered(lambda row: row.loan_id == self.loan3).guarantor_phones, self.other.phone
        )
        wizard = self._wizard("arrears")
        workbook = self._xlsx(wizard)
        header, body, footer = self._table(workbook["Arrears List"], "Loan")
        self.assertEqual(header[2:4], ("Member Phone", "Guarantor Phones"))
        # Oldest arrears first.
        self.assertEqual(
            [row[0] for row in body],
            [self.loan5.name, self.loan4.name, self.loan3.name, self.loan2.name],
        )
        self.assertEqual(body[2][2:4], (self.loan3.member_id.phone, self.other.phone))
        self.assertEqual(footer[-2:], (50000, 4200 + 7000 + 16000 + 8000))
        self.assertIn(self.other.phone, self._html(wizard))

    def test_arrears_action_lists_past_due_loans(self):
        action = self.env.ref("sacco_loans.sacco_loan_arrears_report_action")
        rows = self._rows("sacco.loan.portfolio.report", safe_eval(action.domain))
        self.assertEqual(
            set(rows.loan_id.ids), set((self._active_loans() - self.loan1 | self.loan6).ids)
        )
        arch = action.view_ids.view_id.arch
        self.assertIn("guarantor_phones", arch)

    # ---------------------------------------------------------------- disbursement register

    def test_disbursement_register_for_the_period(self):
        rows = self._rows("sacco.loan.disbursement.report", [("disbursed_on", "=", self.today)])
        loans = self._active_loans() | self.loan6
        self.assertEqual(set(rows.loan_id.ids), set(loans.ids))
        row1 = rows.filtered(lambda row: row.loan_id == self.loan1)
        self.assertEqual((row1.processing_fee, row1.insurance_fee), (1000, 500))
        self.assertEqual(
            row1.fees_total,
            self.loan1.processing_fee + self.loan1.insurance_fee + self.loan1.excise_duty,
        )
        self.assertEqual(row1.net_disbursed, self.loan1.net_disbursed)
        self.assertEqual(row1.disbursement_channel, self.loan1.disbursement_channel)
        wizard = self._wizard("disbursements", date_from=self.today, date_to=self.today)
        workbook = self._xlsx(wizard)
        header, body, footer = self._table(workbook["Disbursement Register"], "Date")
        self.assertEqual(
            header[-5:],
            ("Principal", "Processing Fee", "Insurance", "Excise Duty", "Net Disbursed"),
        )
        self.assertEqual(len(body), 6)
        self.assertEqual(footer[-5], sum(loans.mapped("principal")))
        self.assertAlmostEqual(footer[-1], sum(loans.mapped("net_disbursed")), places=2)
        earlier = self._wizard(
            "disbursements",
            date_from=self.today - timedelta(days=30),
            date_to=self.today - timedelta(days=1),
        )
        self.assertEqual(earlier._sections()[0]["rows"], [])
        self.assertIn(self.loan1.name, self._html(wizard))

    def test_period_must_be_ordered(self):
        with self.assertRefused(ValidationError, "start before it ends"):
            self._wizard("collection", date_from=self.today, date_to=self.today - timedelta(days=1))

    # ---------------------------------------------------------------- collection rate

    def test_collection_rate_per_month(self):
        start = self.today - relativedelta(months=3)
        borrower = self._borrower("Nasimiyu Wekesa", self.branch_a)
        loan = self._disbursed_loan(
            date=start, member=borrower, product=self.advance, amount=12000, term=6, guarantors=()
        )
        first, second, third = loan.installment_ids.sorted("number")[:3]
        half = to_money(Decimal(str(second.total)) / 2, strict=False)
        loan.repay(first.total + float(half), journal=self.cash, date=self.today)
        Report = self.env["sacco.loan.collection.report"]
        rows = Report.search([("product_id", "=", self.advance.id)], order="month")
        self.assertEqual(len(rows), 6)
        self.assertEqual(rows[0].month, first.due_date.replace(day=1))
        self.assertEqual(
            (rows[0].expected, rows[0].collected, rows[0].collection_rate),
            (first.total, first.total, 100),
        )
        self.assertAlmostEqual(rows[1].collected, float(half), places=2)
        self.assertEqual(rows[1].collection_rate, _percent(half, second.total))
        self.assertEqual((rows[2].expected, rows[2].collected), (third.total, 0))
        wizard = self._wizard("collection", date_from=first.due_date, date_to=third.due_date)
        (section,) = wizard._sections()
        advance = [row for row in section["rows"] if row[1] == self.advance.name]
        self.assertEqual(
            [row[0] for row in advance],
            [
                first.due_date.strftime("%Y-%m"),
                second.due_date.strftime("%Y-%m"),
                third.due_date.strftime("%Y-%m"),
            ],
        )
        self.assertEqual(advance[1][3], second.total)
        self.assertAlmostEqual(advance[1][4], float(half), places=2)
        self.assertAlmostEqual(advance[1][5], second.total - float(half), places=2)
        self.assertEqual(advance[1][6], _percent(half, second.total))
        workbook = self._xlsx(wizard)
        header, body, footer = self._table(workbook["Repayments vs Expected"], "Month")
        self.assertEqual(header[3:], ("Expected", "Collected", "Shortfall", "Collection Rate %"))
        expected = first.total + second.total + third.total
        collected = first.total + float(half)
        self.assertAlmostEqual(footer[3], expected, places=2)
        self.assertAlmostEqual(footer[4], collected, places=2)
        self.assertEqual(footer[6], _percent(collected, expected))
        self.assertIn("Repayments vs Expected", self._html(wizard))

    # ---------------------------------------------------------------- guarantor exposure

    def test_guarantor_exposure_per_member(self):
        rows = self._rows("sacco.loan.guarantor.exposure")
        by_member = {row.member_id: row for row in rows}
        self.assertEqual(set(by_member), {self.other, self.guarantor})
        share = _money(30000 * self.loan1.principal_outstanding / self.loan1.principal)
        achieng = by_member[self.guarantor]
        self.assertEqual((achieng.loan_count, achieng.pledged), (1, 30000))
        self.assertAlmostEqual(achieng.exposure, float(share), places=2)
        # Holds follow repayments, so what is still held equals the exposure.
        self.assertAlmostEqual(achieng.held, float(share), places=2)
        self.assertEqual((achieng.loans_in_arrears, achieng.exposure_in_arrears), (0, 0))
        otieno = by_member[self.other]
        self.assertEqual(
            (otieno.loan_count, otieno.loans_in_arrears, otieno.pledged), (2, 1, 35000)
        )
        self.assertAlmostEqual(otieno.exposure, float(share) + 5000, places=2)
        self.assertEqual(otieno.exposure_in_arrears, 5000)
        self.assertEqual(otieno.member_phone, self.other.phone)
        wizard = self._wizard("exposure")
        workbook = self._xlsx(wizard)
        header, body, footer = self._table(workbook["Guarantor Exposure"], "Guarantor")
        self.assertEqual(
            header[3:],
            (
                "Loans Guaranteed",
                "Loans in Arrears",
                "Total Pledged",
                "Outstanding Exposure",
                "Still Held",
                "Exposure in Arrears",
            ),
        )
        self.assertEqual(len(body), 2)
        self.assertEqual(footer[3:6], (3, 1, 65000))
        self.assertAlmostEqual(footer[6], 2 * float(share) + 5000, places=2)
        self.assertIn(self.other.phone, self._html(wizard))

    # ---------------------------------------------------------------- access

    def test_reports_are_read_only_and_follow_branches(self):
        for model in (
            "sacco.loan.portfolio.report",
            "sacco.loan.disbursement.report",
            "sacco.loan.collection.report",
            "sacco.loan.guarantor.exposure",
        ):
            Report = self.env[model].with_user(self.auditor)
            self.assertTrue(Report.search([]), model)
            self.assertFalse(Report.has_access("write"), model)
            self.assertFalse(Report.has_access("create"), model)
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.teller_a).search([])
        branch_b = self.env["sacco.loan.disbursement.report"].with_user(self.officer_b).search([])
        self.assertEqual(set(branch_b.branch_id.ids), {self.branch_b.id})
        # An accountant prints for the whole SACCO.
        wizard = self._wizard("par", user=self.accountant)
        self.assertEqual(wizard._sections()[0]["totals"][1], 5)
        self.assertEqual(self._xlsx(wizard).sheetnames[0], "PAR by Product")


def _money(value):
    return to_money(value, strict=False)


def _percent(part, whole):
    return float((_money(part) * 100 / _money(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP))
