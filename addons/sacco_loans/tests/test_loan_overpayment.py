from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanOverpayment(SaccoLoansCommon):
    """12,000 over 4 installments, equal principal at 1 % a month: 3,000 principal each,
    interest 120, 90, 60, 30. Nothing is due yet, so the first installment is what is due."""

    def _loan(self, action):
        self.emergency.overpayment_action = action
        return self._disbursed_loan(
            member=self.other, product=self.emergency, amount=12000, term=4, guarantors=()
        )

    def _moves(self):
        return self.env["account.move"].search_count([])

    def test_default_refuses_an_overpayment(self):
        self.assertEqual(self.env["sacco.loan.product"].new({}).overpayment_action, "refuse")

    def test_reduce_term_prepays_the_last_installments(self):
        loan = self._loan("reduce_term")
        first, second, third, fourth = loan.installment_ids
        loan.repay(3120 + 4000, journal=self.cash)
        self.assertTrue(first.paid)
        self.assertTrue(fourth.paid)
        self.assertEqual(fourth.interest_waived, 30)
        self.assertEqual(third.principal_paid, 1000)
        self.assertFalse(second.principal_paid)
        self.assertEqual(loan.principal_outstanding, 5000)
        self.assertLoanBookMatches()
        moves = self._moves()
        with self.assertRefused(UserError, "settle the loan early instead"):
            loan.repay(3090 + 5001, journal=self.cash)
        self.assertEqual(self._moves(), moves)
        loan.repay(3090 + 2000, journal=self.cash)
        self.assertEqual(loan.state, "closed")
        self.assertEqual(loan.principal_outstanding, 0)
        self.assertLoanBookMatches()

    def test_reduce_installment_rebuilds_the_remaining_schedule(self):
        loan = self._loan("reduce_installment")
        due_dates = loan.installment_ids.mapped("due_date")
        loan.repay(3120 + 3000, journal=self.cash)
        first, second, third, fourth = loan.installment_ids
        self.assertEqual((first.principal, first.principal_paid), (6000, 6000))
        self.assertEqual([line.principal for line in (second, third, fourth)], [2000] * 3)
        self.assertEqual([line.interest for line in (second, third, fourth)], [60, 40, 20])
        self.assertEqual(loan.installment_ids.mapped("due_date"), due_dates)
        self.assertAlmostEqual(sum(loan.installment_ids.mapped("principal")), 12000, places=2)
        self.assertEqual(loan.principal_outstanding, 6000)
        self.assertLoanBookMatches()
        moves = self._moves()
        with self.assertRefused(UserError, "settle the loan early instead"):
            loan.repay(2060 + 4000, journal=self.cash)
        self.assertEqual(self._moves(), moves)
        self.assertEqual(second.principal, 2000)

    def test_credit_fosa_credits_the_excess(self):
        loan = self._loan("credit_fosa")
        fosa = self._account(self.other, self.fosa)
        before = fosa.balance
        loan.repay(3120 + 500, journal=self.cash)
        self.assertEqual(fosa.balance, before + 500)
        self.assertEqual(fosa.transaction_ids[0].kind, "transfer_in")
        self.assertTrue(loan.installment_ids[0].paid)
        self.assertFalse(loan.installment_ids[1].principal_paid)
        self.assertEqual(loan.principal_outstanding, 9000)
        self.assertLoanBookMatches()
        # From the FOSA account itself only what is due leaves it.
        loan.repay(3090 + 500, channel="fosa")
        self.assertEqual(fosa.balance, before + 500 - 3090)
        self.assertEqual(loan.principal_outstanding, 6000)
        self.assertLoanBookMatches()
