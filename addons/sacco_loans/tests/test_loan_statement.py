import io
import re

import openpyxl

from odoo.tests import tagged

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanStatement(SaccoLoansCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loan = cls._disbursed_loan(
            member=cls.other, product=cls.emergency, amount=12000, term=3, guarantors=()
        )
        cls.loan.repay(4200, journal=cls.cash)
        cls.loan.settle(journal=cls.cash)

    def test_statement_lists_every_transaction_and_the_schedule(self):
        statement = self.loan._statement()
        lines = statement["lines"]
        self.assertEqual(
            [line["kind"] for line in lines], ["disbursement", "repayment", "settlement"]
        )
        self.assertEqual(lines[0]["disbursed"], 12000)
        self.assertEqual(lines[0]["balance"], 12000)
        self.assertEqual((lines[1]["principal"], lines[1]["interest"]), (4000, 200))
        self.assertEqual(lines[1]["balance"], 8000)
        self.assertEqual(lines[2]["principal"], 8000)
        self.assertEqual(lines[2]["balance"], 0)
        totals = statement["totals"]
        self.assertEqual(totals["disbursed"], 12000)
        self.assertEqual(totals["principal"], 12000)
        self.assertAlmostEqual(totals["interest"], self.loan.interest_paid, places=2)
        self.assertEqual(totals["balance"], self.loan.principal_outstanding)
        schedule = statement["schedule"]
        self.assertEqual([row["number"] for row in schedule], [1, 2, 3])
        self.assertAlmostEqual(sum(row["principal"] for row in schedule), 12000, places=2)
        self.assertEqual(sum(row["amount_due"] for row in schedule), 0)

    def test_statement_pdf_renders(self):
        content, kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "sacco_loans.sacco_loan_statement_report_action", self.loan.ids
        )
        self.assertEqual(kind, "html")  # Test mode renders HTML, not a PDF.
        html = content.decode()
        self.assertIn(self.loan.name, html)
        self.assertIn("Early settlement", html)
        self.assertIn("o_sacco_loan_schedule", html)
        action = self.loan.action_statement_pdf()
        self.assertEqual(action["report_name"], "sacco_loans.sacco_loan_statement_report")

    def test_statement_xlsx_reads_back(self):
        action = self.loan.action_statement_xlsx()
        attachment_id = int(re.search(r"/web/content/(\d+)", action["url"]).group(1))
        raw = self.env["ir.attachment"].browse(attachment_id).raw
        workbook = openpyxl.load_workbook(io.BytesIO(raw))
        self.assertEqual(workbook.sheetnames, ["Transactions", "Schedule"])
        rows = list(workbook["Transactions"].iter_rows(values_only=True))
        self.assertEqual(rows[0][:2], ("Loan", self.loan.name))
        header = rows.index(next(row for row in rows if row and row[0] == "Date"))
        body = rows[header + 1 :]
        self.assertEqual(
            [row[2] for row in body], ["Disbursement", "Repayment", "Early settlement"]
        )
        self.assertEqual(sum(row[4] for row in body), 12000)
        self.assertEqual(body[-1][9], 0)
        schedule = list(workbook["Schedule"].iter_rows(values_only=True))
        self.assertEqual(len(schedule), 5 + 1 + 3)
        self.assertAlmostEqual(sum(row[2] for row in schedule[6:]), 12000, places=2)
