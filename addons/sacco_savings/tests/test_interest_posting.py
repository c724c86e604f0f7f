from datetime import date

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.sacco_savings_interest_run import last_complete_period
from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestPeriodicInterest(SaccoSavingsCommon):
    def test_last_complete_period(self):
        today = date(2026, 11, 21)
        self.assertEqual(last_complete_period(1, today), (date(2026, 10, 1), date(2026, 10, 31)))
        self.assertEqual(last_complete_period(3, today), (date(2026, 7, 1), date(2026, 9, 30)))
        self.assertEqual(last_complete_period(12, today), (date(2025, 1, 1), date(2025, 12, 31)))
        self.assertEqual(
            last_complete_period(1, date(2026, 1, 5)), (date(2025, 12, 1), date(2025, 12, 31))
        )

    def test_monthly_interest_posts_once_per_period(self):
        self.fosa.write(
            {
                "interest_rate": 3.65,
                "interest_method": "daily_balance",
                "interest_posting": "monthly",
            }
        )
        fosa = self._account(self.member, self.fosa)
        other = self._account(self.other, self.fosa)
        fosa.deposit(10000, date=date(2025, 12, 20))
        other.deposit(20000, date=date(2026, 1, 16))  # earns for 16 of January's 31 days
        Run = self.env["sacco.savings.interest.run"]
        Run._cron_post_interest(today=date(2026, 2, 3))
        Run._cron_post_interest(today=date(2026, 2, 4))  # the same period: nothing more
        # 10,000 × 3.65 % / 365 = 1.00 a day, for 31 days; 20,000 → 2.00 a day, for 16 days.
        self.assertEqual(fosa.transaction_ids.filtered(lambda t: t.kind == "interest").amount, 31.0)
        self.assertEqual(
            other.transaction_ids.filtered(lambda t: t.kind == "interest").amount, 32.0
        )
        interest = (fosa | other).transaction_ids.filtered(lambda t: t.kind == "interest")
        self.assertEqual(len(interest.move_id), 1, "one entry for the product and period")
        self.assertEqual(interest.mapped("date"), [date(2026, 1, 31)] * 2)
        expense = interest.move_id.line_ids.filtered(
            lambda line: line.account_id == self.company.sacco_account_deposit_interest_id
        )
        self.assertEqual(expense.debit, 63.0)
        self.assertLedgerMatches()

    def test_deposits_and_shares_earn_at_year_end_not_periodically(self):
        self.deposits.interest_rate = 10
        self._account(self.member, self.deposits).deposit(10000, date=date(2025, 1, 1))
        self.env["sacco.savings.interest.run"]._cron_post_interest(today=date(2026, 2, 3))
        self.assertFalse(
            self._account(self.member, self.deposits).transaction_ids.filtered(
                lambda t: t.kind == "interest"
            )
        )


@tagged("post_install", "-at_install")
class TestFixedDeposits(SaccoSavingsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fixed = cls.env["sacco.savings.product"].create(
            {
                "name": "Test FD 12",
                "code": "T-FD12",
                "kind": "fixed_deposit",
                "account_prefix": "TFD",
                "term_months": 12,
                "interest_rate": 5,
                "interest_posting": "quarterly",
                "early_withdrawal_penalty": 50,
            }
        )

    def _open(self, opened_on, action="rollover"):
        self.fixed.maturity_action = action
        account = self.env["sacco.savings.account"].create(
            {"member_id": self.member.id, "product_id": self.fixed.id, "opened_on": opened_on}
        )
        account.deposit(10000, date=opened_on)
        return account

    def test_matures_with_quarterly_compounding_and_rolls_over(self):
        account = self._open(date(2025, 1, 1))
        self.assertEqual(account.locked_until, date(2026, 1, 1))
        Run = self.env["sacco.savings.interest.run"]
        self.assertFalse(Run._cron_mature_fixed_deposits(today=date(2025, 12, 31)))
        Run._cron_mature_fixed_deposits(today=date(2026, 1, 1))
        Run._cron_mature_fixed_deposits(today=date(2026, 1, 1))
        self.assertEqual(account.balance, 10509.45)  # the published reference
        self.assertEqual(account.locked_until, date(2027, 1, 1))
        self.assertLedgerMatches()

    def test_matured_deposit_moves_to_fosa_when_so_set(self):
        account = self._open(date(2025, 1, 1), action="transfer_fosa")
        self.env["sacco.savings.interest.run"]._cron_mature_fixed_deposits(today=date(2026, 1, 2))
        self.assertEqual(account.state, "closed")
        self.assertEqual(self._account(self.member, self.fosa).balance, 10509.45)
        self.assertLedgerMatches()

    def test_locked_until_maturity_and_broken_early_with_penalty(self):
        account = self._open(date.today().replace(day=1) - relativedelta(months=6))
        with self.assertRefused(UserError, "locked until"):
            account.withdraw(100)
        account.action_break_fixed_deposit()
        # Six months at 5 % compounded quarterly: 10,000 × 1.0125² − 10,000 = 251.56; half lost.
        self.assertEqual(self._account(self.member, self.fosa).balance, 10000 + 125.78)
        self.assertEqual(account.state, "closed")
        self.assertLedgerMatches()
