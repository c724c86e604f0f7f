import io
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestStatement(SaccoSavingsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fosa_account = cls._account(cls.member, cls.fosa)
        cls.fosa_account.deposit(10000, date=date(2024, 1, 10))
        # 2,000 with a 50 charge and 10 excise duty: three transactions of one entry.
        cls.fosa_account.withdraw(2000, date=date(2024, 2, 5))
        cls.fosa_account.deposit(3000, date=date(2024, 3, 15))
        mistake = cls.fosa_account.deposit(500, date=date(2024, 3, 20))
        with freeze_time("2024-03-25"):
            mistake.action_reverse("Wrong account")
        cls.fosa_account.deposit(1000, date=date(2024, 4, 10))

    def _wizard(self, date_from, date_to, user=None):
        env = self.env(user=user) if user else self.env
        return env["sacco.savings.statement"].create(
            {"account_id": self.fosa_account.id, "date_from": date_from, "date_to": date_to}
        )

    def test_period_in_the_middle_of_the_history(self):
        statement = self.fosa_account._statement(date(2024, 2, 1), date(2024, 3, 31))
        self.assertEqual(statement["opening"], 10000)
        self.assertEqual(
            [
                (line["date"], line["debit"], line["credit"], line["balance"])
                for line in statement["lines"]
            ],
            [
                (date(2024, 2, 5), 2000, 0, 8000),
                (date(2024, 2, 5), 50, 0, 7950),
                (date(2024, 2, 5), 10, 0, 7940),
                (date(2024, 3, 15), 0, 3000, 10940),
                (date(2024, 3, 20), 0, 500, 11440),
                (date(2024, 3, 25), 500, 0, 10940),
            ],
        )
        self.assertEqual(statement["closing"], 10940)
        self.assertEqual(statement["total_debit"], 2560)
        self.assertEqual(statement["total_credit"], 3500)
        descriptions = [line["description"] for line in statement["lines"]]
        self.assertEqual(descriptions[0], "Withdrawal")
        self.assertEqual(descriptions[-1], "Reversal (Wrong account)")

    def test_closing_is_the_balance_at_the_end_date(self):
        for day in (date(2024, 1, 9), date(2024, 2, 5), date(2024, 3, 20), date(2030, 1, 1)):
            statement = self.fosa_account._statement(date(2024, 1, 1), day)
            held = self.fosa_account.transaction_ids.filtered(lambda txn, day=day: txn.date <= day)
            self.assertAlmostEqual(statement["closing"], sum(held.mapped("amount")), places=2)
        self.assertEqual(statement["closing"], self.fosa_account.balance)
        self.assertEqual(self.fosa_account.balance, 11940)
        self.assertLedgerMatches(self.fosa_account)

    def test_empty_period_and_bad_period(self):
        statement = self.fosa_account._statement(date(2024, 5, 1), date(2024, 5, 31))
        self.assertEqual((statement["opening"], statement["closing"]), (11940, 11940))
        self.assertEqual(statement["lines"], [])
        with self.assertRefused(UserError, "ends before it starts"):
            self.fosa_account._statement(date(2024, 5, 2), date(2024, 5, 1))

    def test_xlsx_has_the_statement_rows(self):
        wizard = self._wizard(date(2024, 2, 1), date(2024, 3, 31), user=self.teller_a)
        action = wizard.action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        self.assertTrue(action["url"].endswith("?download=true"))
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertEqual(attachment.res_model, "sacco.savings.account")
        self.assertEqual(attachment.res_id, self.fosa_account.id)
        workbook = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        rows = list(workbook.active.iter_rows(values_only=True))
        header_index = rows.index(
            ("Date", "Reference", "Description", "Debit", "Credit", "Balance")
        )
        table = rows[header_index + 1 :]
        statement = wizard._statement_data()
        self.assertEqual(table[0][2:], ("Opening balance", None, None, 10000))
        self.assertEqual(table[-1][2:], ("Closing balance", 2560, 3500, 10940))
        self.assertEqual(
            [(row[0].date(), row[1], row[2], row[3], row[4], row[5]) for row in table[1:-1]],
            [
                (
                    line["date"],
                    line["reference"],
                    line["description"],
                    line["debit"],
                    line["credit"],
                    line["balance"],
                )
                for line in statement["lines"]
            ],
        )

    def test_pdf_renders_the_statement(self):
        wizard = self._wizard(date(2024, 2, 1), date(2024, 3, 31), user=self.teller_a)
        action = wizard.action_print_pdf()
        self.assertEqual(action["report_name"], "sacco_savings.sacco_savings_statement_report")
        html, _kind = wizard.env["ir.actions.report"]._render_qweb_pdf(
            "sacco_savings.sacco_savings_statement_report_action", wizard.ids
        )
        html = html.decode()
        self.assertIn(self.fosa_account.name, html)
        self.assertIn("Opening balance", html)
        for amount in ("10,000.00", "7,940.00", "10,940.00", "2,560.00"):
            self.assertIn(amount, html)
        self.assertIn("Reversal (Wrong account)", html)
        self.assertNotIn("1,000.00", html, "the April deposit is after the period")

    def test_statement_button_and_branch_access(self):
        action = self.fosa_account.action_open_statement()
        self.assertEqual(action["res_model"], "sacco.savings.statement")
        self.assertEqual(action["context"]["default_account_id"], self.fosa_account.id)
        self._wizard(date(2024, 1, 1), date(2024, 12, 31), user=self.teller_a)._statement_data()
        other_branch = self._wizard(date(2024, 1, 1), date(2024, 12, 31), user=self.teller_b)
        with self.assertRefused(AccessError, "read' access"):
            other_branch._statement_data()
