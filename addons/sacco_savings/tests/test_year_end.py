import io
from datetime import date

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestYearEnd(SaccoSavingsCommon):
    """Financial year 2024 at 10 % interest on deposits and 12 % dividend on shares.

    Member deposits: 5,000 (Dec 2023), 12,000 (15 Jan), 6,000 (1 Apr), 1,200 (31 Oct), and
    99,999 in 2025, outside the year. Month-end balances: Jan-Mar 17,000, Apr-Sep 23,000,
    Oct-Dec 24,200 (sum 261,600); monthly minima: 5,000, 17,000 x 3, 23,000 x 6, 24,200 x 2
    (sum 242,400). Member shares: 10,000 (2023), 2,000 on 1 Jul 2024; other member's shares:
    5,000 on 31 Dec 2024.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.deposit_account = cls._account(cls.member, cls.deposits)
        cls.share_account = cls._account(cls.member, cls.shares)
        cls.fosa_account = cls._account(cls.member, cls.fosa)
        cls.other_shares = cls._account(cls.other, cls.shares)
        cls.other_fosa = cls._account(cls.other, cls.fosa)
        for amount, day in (
            (5000, date(2023, 12, 20)),
            (12000, date(2024, 1, 15)),
            (6000, date(2024, 4, 1)),
            (1200, date(2024, 10, 31)),
            (99999, date(2025, 1, 5)),
        ):
            cls.deposit_account.deposit(amount, date=day)
        cls.share_account.deposit(10000, date=date(2023, 6, 1))
        cls.share_account.deposit(2000, date=date(2024, 7, 1))
        cls.other_shares.deposit(5000, date=date(2024, 12, 31))

    def _year_end(self, **vals):
        return self.env["sacco.savings.year.end"].create(
            {
                "year": 2024,
                "product_ids": [Command.set((self.deposits | self.shares).ids)],
                "deposit_rate": 10.0,
                "dividend_rate": 12.0,
                **vals,
            }
        )

    def _line(self, year_end, account):
        return year_end.line_ids.filtered(lambda line: line.account_id == account)

    def _figures(self, line):
        return (line.base, line.gross, line.wht, line.net)

    def test_defaults(self):
        year_end = self._year_end()
        self.assertEqual(
            (year_end.date_from, year_end.date_to), (date(2024, 1, 1), date(2024, 12, 31))
        )
        self.assertEqual(year_end.accounting_date, date(2024, 12, 31))
        self.assertEqual((year_end.wht_interest_rate, year_end.wht_dividend_rate), (15.0, 5.0))
        self.assertEqual(year_end.name, "Year-end 2024")
        self.assertEqual(self.deposits.year_end_basis, "month_end")
        self.assertEqual(self.shares.dividend_basis, "weighted")

    def test_interest_on_month_end_balances(self):
        year_end = self._year_end()
        year_end.action_compute()
        self.assertEqual(year_end.state, "computed")
        line = self._line(year_end, self.deposit_account)
        # 261,600 x 10 % / 12 = 2,180.00; WHT 15 % = 327.00
        self.assertEqual(self._figures(line), (21800, 2180, 327, 1853))
        self.assertEqual(
            (line.kind, line.basis, line.member_id), ("interest", "month_end", self.member)
        )
        self.assertEqual(year_end.interest_gross, 2180)
        self.assertEqual(year_end.interest_wht, 327)
        self.assertEqual(year_end.interest_net, 1853)

    def test_interest_on_lowest_monthly_balance(self):
        self.deposits.year_end_basis = "minimum_monthly"
        year_end = self._year_end()
        year_end.action_compute()
        # 242,400 x 10 % / 12 = 2,020.00; WHT 303.00
        self.assertEqual(
            self._figures(self._line(year_end, self.deposit_account)), (20200, 2020, 303, 1717)
        )

    def test_dividends_on_weighted_balance(self):
        year_end = self._year_end()
        year_end.action_compute()
        # 6 x 10,000 + 6 x 12,000 = 132,000 x 12 % / 12 = 1,320.00; WHT 5 % = 66.00
        self.assertEqual(
            self._figures(self._line(year_end, self.share_account)), (11000, 1320, 66, 1254)
        )
        # 5,000 held at one month-end: 50.00, WHT 2.50
        self.assertEqual(
            self._figures(self._line(year_end, self.other_shares)), (416.67, 50, 2.5, 47.5)
        )
        self.assertEqual((year_end.dividend_gross, year_end.dividend_wht), (1370, 68.5))
        self.assertEqual(year_end.member_count, 2)

    def test_dividends_on_closing_balance(self):
        self.shares.dividend_basis = "closing"
        year_end = self._year_end()
        year_end.action_compute()
        self.assertEqual(
            self._figures(self._line(year_end, self.share_account)), (12000, 1440, 72, 1368)
        )
        self.assertEqual(
            self._figures(self._line(year_end, self.other_shares)), (5000, 600, 30, 570)
        )

    def test_withholding_tax_rates_are_settings(self):
        self.company.write({"sacco_wht_interest_rate": 10.0, "sacco_wht_dividend_rate": 0.0})
        year_end = self._year_end()
        year_end.action_compute()
        self.assertEqual(self._line(year_end, self.deposit_account).wht, 218)
        self.assertEqual(self._line(year_end, self.share_account).wht, 0)
        with self.assertRaises(ValidationError):
            year_end.wht_interest_rate = 101

    def test_post_books_payables_and_tax_once(self):
        year_end = self._year_end()
        year_end.action_compute()
        year_end.action_post()
        self.assertEqual(year_end.state, "posted")
        move = year_end.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.date, date(2024, 12, 31))
        self.assertAlmostEqual(
            sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit"))
        )
        company = self.company

        def total(account, partner=None):
            lines = move.line_ids.filtered(lambda line: line.account_id == account)
            if partner:
                lines = lines.filtered(lambda line: line.partner_id == partner)
            return sum(lines.mapped("balance"))

        self.assertEqual(total(company.sacco_account_deposit_interest_id), 2180)
        self.assertEqual(total(company.sacco_account_dividend_source_id), 1370)
        self.assertEqual(company.sacco_account_dividend_source_id.account_type, "equity")
        self.assertEqual(total(company.sacco_account_interest_payable_id), -1853)
        self.assertEqual(total(company.sacco_account_dividend_payable_id), -1301.5)
        self.assertEqual(total(company.sacco_account_wht_payable_id), -(327 + 68.5))
        self.assertEqual(total(company.sacco_account_wht_payable_id, self.other.partner_id), -2.5)
        self.assertTrue(all(line.partner_id for line in move.line_ids))
        with self.assertRefused(UserError, "Computed"):
            year_end.action_post()
        with self.assertRefused(UserError, "already posted"):
            year_end.deposit_rate = 11
        again = self._year_end()
        again.action_compute()
        with self.assertRefused(UserError, "already paid interest or dividends"):
            again.action_post()

    def test_pay_to_fosa_clears_the_payables(self):
        year_end = self._year_end()
        year_end.action_compute()
        year_end.action_post()
        year_end.action_pay()
        self.assertEqual(year_end.state, "paid")
        self.assertTrue(all(year_end.line_ids.mapped("paid")))
        self.assertEqual(self.fosa_account.balance, 1853 + 1254)
        self.assertEqual(self.other_fosa.balance, 47.5)
        self.assertEqual(self.deposit_account.balance, 5000 + 12000 + 6000 + 1200 + 99999)
        kinds = self.fosa_account.transaction_ids.mapped("kind")
        self.assertEqual(sorted(kinds), ["dividend", "interest"])
        self.assertEqual(len(year_end.payment_move_id), 1)
        company = self.company
        entries = year_end.move_id | year_end.payment_move_id
        for payable in (
            company.sacco_account_interest_payable_id,
            company.sacco_account_dividend_payable_id,
        ):
            lines = entries.line_ids.filtered(
                lambda line, payable=payable: line.account_id == payable
            )
            self.assertAlmostEqual(sum(lines.mapped("balance")), 0, places=2)
        self.assertLedgerMatches()
        with self.assertRefused(UserError, "Posted"):
            year_end.action_pay()

    def test_capitalise_credits_the_source_accounts(self):
        year_end = self._year_end(payout_method="capitalise")
        year_end.action_compute()
        self.assertEqual(
            self._line(year_end, self.share_account).payout_account_id, self.share_account
        )
        year_end.action_post()
        year_end.action_pay()
        self.assertEqual(self.deposit_account.balance, 5000 + 12000 + 6000 + 1200 + 99999 + 1853)
        self.assertEqual(self.share_account.balance, 12000 + 1254)
        self.assertEqual(self.other_shares.balance, 5047.5)
        self.assertEqual(self.fosa_account.balance, 0)
        self.assertLedgerMatches()

    def test_offset_loans_needs_the_loans_module(self):
        year_end = self._year_end(payout_method="offset_loans")
        year_end.action_compute()
        year_end.action_post()
        with self.assertRefused(UserError, "Install the SACCO Loans module"):
            year_end.action_pay()
        self.assertEqual(year_end.state, "posted")

    def test_missing_fosa_account_is_named(self):
        year_end = self._year_end()
        year_end.action_compute()
        year_end.action_post()
        self.other_fosa.action_close()
        with self.assertRefused(UserError, "No open account to pay into for: .*Otieno"):
            year_end.action_pay()

    def test_changes_after_compute_and_recompute(self):
        year_end = self._year_end(deposit_rate=0.0)
        year_end.action_compute()
        self.assertFalse(year_end.line_ids.filtered(lambda line: line.kind == "interest"))
        year_end.deposit_rate = 10.0
        year_end.action_compute()
        self.assertEqual(self._line(year_end, self.deposit_account).gross, 2180)
        year_end.action_reset()
        self.assertEqual((year_end.state, len(year_end.line_ids)), ("draft", 0))
        with self.assertRaises(ValidationError):
            year_end.date_from = date(2024, 1, 2)

    def test_xlsx_per_member_report(self):
        year_end = self._year_end()
        year_end.action_compute()
        action = year_end.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        self.assertEqual((attachment.res_model, attachment.res_id), (year_end._name, year_end.id))
        rows = list(
            openpyxl.load_workbook(io.BytesIO(attachment.raw)).active.iter_rows(values_only=True)
        )
        header = next(index for index, row in enumerate(rows) if row[0] == "Member No.")
        by_name = {row[1]: row for row in rows[header + 1 :]}
        self.assertEqual(
            by_name[self.member.name][2:11], (21800, 2180, 327, 1853, 11000, 1320, 66, 1254, 3107)
        )
        self.assertEqual(by_name[self.other.name][6:11], (416.67, 50, 2.5, 47.5, 47.5))
        self.assertEqual(
            by_name["Total"][2:11], (21800, 2180, 327, 1853, 11416.67, 1370, 68.5, 1301.5, 3154.5)
        )

    def test_accountant_runs_it_auditor_reads_it(self):
        year_end = self._year_end().with_user(self.accountant)
        year_end.action_compute()
        year_end.action_post()
        year_end.action_pay()
        self.assertEqual(year_end.with_user(self.auditor).state, "paid")
        with self.assertRefused(AccessError, "not allowed"):
            self.env["sacco.savings.year.end"].with_user(self.auditor).create({"year": 2023})
