from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanStandingOrder(SaccoLoansCommon):
    def setUp(self):
        super().setUp()
        self.company.sacco_standing_order_retries = 0
        self.loan = self._disbursed_loan(
            member=self.member, product=self.emergency, amount=12000, term=6, guarantors=()
        )
        self.fosa_account = self._account(self.member, self.fosa)
        self.order = self._order(2120)

    def _order(self, amount, **vals):
        return self.env["sacco.savings.standing.order"].create(
            {
                "member_id": self.member.id,
                "source_account_id": self.fosa_account.id,
                "loan_id": self.loan.id,
                "amount": amount,
                "day_of_month": self.today.day,
                "start_date": self.today,
                **vals,
            }
        )

    def _run(self):
        return self.env["sacco.savings.standing.order"]._cron_run()

    def test_order_repays_the_loan_from_fosa_once_per_period(self):
        self.assertIn(self.loan.name, self.order.name)
        balance = self.fosa_account.balance
        self.assertEqual(self.order.due_date, self.today)
        self._run()
        self._run()  # a second run the same day changes nothing
        self.assertTrue(self.loan.installment_ids[0].paid)
        self.assertEqual(self.loan.principal_outstanding, 10000)
        self.assertEqual(self.fosa_account.balance, balance - 2120)
        self.assertEqual(self.fosa_account.transaction_ids[0].kind, "transfer_out")
        self.assertEqual(self.order.loan_paid_period, f"SO{self.order.id}/{self.today:%Y-%m}")
        self.assertGreater(self.order.due_date, self.today)
        # Back on the paid period (a duplicate run): it only moves on.
        next_due = self.order.due_date
        self.order.write({"due_date": self.today, "next_attempt_date": self.today})
        self._run()
        self.assertEqual(self.loan.principal_outstanding, 10000)
        self.assertEqual(self.order.due_date, next_due)
        self.assertNotIn("Skipped", self.order.message_ids[0].body)
        self.assertLoanBookMatches()

    def test_order_pays_at_most_what_is_owed_and_ends_with_the_loan(self):
        self.order.amount = 50000
        self.fosa_account.deposit(5000, journal=self.cash)
        self._run()
        self.assertEqual(self.loan.state, "closed")
        self.assertEqual(self.loan.principal_outstanding, 0)
        self.order.write({"next_attempt_date": self.today})
        self._run()
        self.assertEqual(self.order.state, "ended")
        self.assertLoanBookMatches()

    def test_insufficient_funds_skip_the_month(self):
        self.fosa_account.withdraw(self.fosa_account.balance - 1000, journal=self.cash)
        self._run()
        self.assertEqual(self.loan.principal_outstanding, 12000)
        self.assertGreater(self.order.due_date, self.today)
        self.assertIn("Skipped this month", self.order.message_ids[0].body)

    def test_bad_loan_orders_refused(self):
        other_loan = self._disbursed_loan(
            member=self.other, product=self.emergency, amount=3000, term=3, guarantors=()
        )
        with self.assertRefused(ValidationError, "own loans"):
            self.order.loan_id = other_loan
        deposit_account = self._account(self.member, self.deposits)
        with self.assertRefused(ValidationError, "not both"):
            self.order.destination_account_id = deposit_account
        with self.assertRefused(ValidationError, "greater than zero"):
            self.order.amount = 0
        with self.assertRefused(ValidationError, "account or the loan"):
            self._order(100, loan_id=False)
