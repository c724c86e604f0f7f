import io
from datetime import timedelta

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.sacco_savings.tests.test_checkoff import CheckoffCommon

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanCheckoff(SaccoLoansCommon, CheckoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Disbursed on the 10th of last month: the first installment falls in this period.
        cls.loan = cls._disbursed_loan(
            date=cls.period - relativedelta(months=1) + timedelta(days=9),
            member=cls.member,
            product=cls.emergency,
            amount=12000,
            term=6,
            guarantors=(),
        )
        cls.first = cls.loan.installment_ids[0]
        cls.deposits_before = cls._account(cls.member, cls.deposits).balance

    def _posted_batch(self, *rows):
        batch = self._batch(self._csv(*rows))
        batch.action_validate()
        self.assertEqual(batch.state, "validated", batch.error_message)
        batch.action_post()
        return batch

    def _loan_allocation(self, batch):
        return batch.allocation_ids.filtered(lambda alloc: alloc.loan_id == self.loan)

    def test_expectation_is_the_installment_due_in_the_period_plus_arrears(self):
        self.assertEqual((self.first.principal, self.first.interest), (2000, 120))
        loan_key = f"loan:{self.loan.id}"
        expected = {e.key: e for e in self.member._checkoff_expectations(self.period)}
        self.assertEqual(expected[loan_key].amount, 2120)
        self.assertLess(expected[loan_key].priority, self.shares.checkoff_priority)
        later = self.member._checkoff_expectations(self.period + relativedelta(months=1))
        amounts = {e.key: e.amount for e in later}
        second = self.loan.installment_ids[1]
        self.assertAlmostEqual(float(amounts[loan_key]), 2120 + second.total, places=2)
        earlier = self.member._checkoff_expectations(self.period - relativedelta(months=1))
        self.assertNotIn(loan_key, {e.key for e in earlier})

    def test_advice_lists_the_loan_installment_column(self):
        wizard = self.env["sacco.checkoff.advice"].create(
            {"employer_id": self.employer.id, "period": self.period}
        )
        content = self._attachment(wizard.action_export()).raw
        header, *rows = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].values
        self.assertEqual(
            header[3:], ("Test Emergency Loan", "Test Shares", "Test Deposits", "Amount")
        )
        row = next(row for row in rows if row[0] == "KP001")
        self.assertEqual(row[3:], (2120, 500, 2000, 4620))

    def test_remittance_with_deposits_and_installment_posts_one_balanced_entry(self):
        moves = self.env["account.move"].search_count([])
        batch = self._posted_batch(("KP001", 4620), ("KP002", 2500))
        self.assertEqual(self.env["account.move"].search_count([]), moves + 1)
        self.assertFalse(batch.variance_ids)
        self.assertEqual(self._loan_allocation(batch).amount, 2120)
        move = batch.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(sum(move.line_ids.mapped("debit")), 7120)
        self.assertEqual(sum(move.line_ids.mapped("credit")), 7120)
        loan_lines = move.line_ids.filtered(lambda line: line.sacco_loan_id == self.loan)
        self.assertEqual(sorted(loan_lines.mapped("credit")), [120, 2000])
        self.assertTrue(self.first.paid)
        self.assertFalse(self.loan.installment_ids[1].paid)
        self.assertEqual(self.loan.principal_outstanding, 10000)
        self.assertEqual(self._balance(self.member, self.shares), 500)
        self.assertEqual(self._balance(self.member, self.deposits), self.deposits_before + 2000)
        self.assertLoanBookMatches()

    def test_short_remittance_pays_the_loan_first_and_shows_a_variance(self):
        batch = self._posted_batch(("KP001", 3000), ("KP002", 2500))
        self.assertTrue(self.first.paid)
        self.assertEqual(self._balance(self.member, self.shares), 500)
        self.assertEqual(self._balance(self.member, self.deposits), self.deposits_before + 380)
        variance = batch.variance_ids
        self.assertEqual(variance.member_id, self.member)
        self.assertEqual((variance.expected, variance.received), (4620, 3000))
        self.assertEqual((variance.difference, variance.status), (-1620, "short"))
        self.assertLoanBookMatches()

    def test_partial_installment_follows_the_allocation_order(self):
        self._posted_batch(("KP001", 1000), ("KP002", 2500))
        self.assertEqual((self.first.interest_paid, self.first.principal_paid), (120, 880))
        self.assertFalse(self.first.paid)
        self.assertEqual(self.loan.principal_outstanding, 11120)
        self.assertEqual(self._balance(self.member, self.shares), 0)
        self.assertLoanBookMatches()

    def test_loan_repaid_after_validation_is_refused_at_posting(self):
        batch = self._batch(self._csv(("KP001", 4620), ("KP002", 2500)))
        batch.action_validate()
        self.loan.settle(journal=self.cash)
        with self.assertRefused(UserError, "is closed"):
            batch.action_post()
        self.assertEqual(batch.state, "validated")

    def test_checkoff_repayment_is_recorded_and_reversible(self):
        """A check-off installment is a loan repayment like any other: reversed, the loan
        and its installments are as before and its money waits in check-off suspense; the
        member's deposits of the same remittance stay."""
        before = [
            (line.principal_paid, line.interest_paid, line.paid) for line in self._loan_lines()
        ]
        suspense = self._suspense_gl_balance()
        batch = self._posted_batch(("KP001", 4620), ("KP002", 2500))
        repayment = self.loan.repayment_ids
        self.assertEqual(
            (repayment.channel, repayment.amount, repayment.checkoff_batch_id, repayment.move_id),
            ("checkoff", 2120, batch, batch.move_id),
        )
        self.assertEqual(repayment.line_ids.mapped("installment_number"), [1])
        self.assertEqual((repayment.line_ids.principal, repayment.line_ids.interest), (2000, 120))

        repayment.with_user(self.officer).action_reverse("Deducted for the wrong loan")
        self.assertEqual(repayment.state, "reversed")
        self.assertEqual(
            [(line.principal_paid, line.interest_paid, line.paid) for line in self._loan_lines()],
            before,
        )
        self.assertEqual(self.loan.principal_outstanding, 12000)
        reversal = repayment.sudo().reversal_move_id
        self.assertEqual(reversal.line_ids.filtered("sacco_loan_id").sacco_loan_id, self.loan)
        self.assertEqual(
            sorted(reversal.line_ids.filtered("sacco_loan_id").mapped("debit")), [120, 2000]
        )
        item = batch.suspense_ids.filtered(lambda item: item.member_id == self.member)
        self.assertEqual((item.amount, item.state), (2120, "open"))
        self.assertAlmostEqual(self._suspense_gl_balance(), suspense + 2120, 2)
        self.assertSuspenseMatchesQueue()
        self.assertEqual(self._balance(self.member, self.deposits), self.deposits_before + 2000)
        self.assertLoanBookMatches()

    def _loan_lines(self):
        self.loan.invalidate_recordset()
        return self.loan.installment_ids.sorted("number")
