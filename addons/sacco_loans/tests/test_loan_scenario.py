from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanScenario(SaccoLoansCommon):
    def test_application_to_early_settlement(self):
        self.product.overpayment_action = "reduce_term"
        fosa = self._account(self.member, self.fosa)
        other_deposits = self._account(self.other, self.deposits)
        app = self._application()
        app.action_submit()
        app.with_user(self.officer).action_appraise()
        self.assertEqual(app.state, "appraised")
        app.with_user(self.officer).action_approve()
        self.assertEqual(other_deposits.held_amount, 30000)
        self.assertLoanBookMatches()

        loan = app.with_user(self.officer)._disburse(date=self.today)
        self.assertEqual(app.state, "disbursed")
        self.assertEqual(loan.name[:3], "LN/")
        # 1 % processing and 0.5 % insurance, 20 % excise on both.
        self.assertEqual(
            (loan.processing_fee, loan.insurance_fee, loan.excise_duty), (1000, 500, 300)
        )
        self.assertEqual(fosa.balance, 98200)
        self.assertEqual(len(loan.installment_ids), 12)
        self.assertAlmostEqual(sum(loan.installment_ids.mapped("principal")), 100000, 2)
        self.assertEqual(loan.guarantor_ids, app.guarantor_ids)
        self.assertLoanBookMatches()

        first = loan.installment_ids[0]
        loan.repay(first.total, channel="fosa")
        self.assertTrue(first.paid)
        self.assertLoanBookMatches()
        self.assertLess(other_deposits.held_amount, 30000)

        loan.repay(5000, journal=self.cash)  # partial: second installment's interest first
        second = loan.installment_ids[1]
        self.assertFalse(second.paid)
        self.assertEqual(second.interest_paid, second.interest)
        self.assertLoanBookMatches()

        # Overpayment: the rest of the second installment, then 10,000 prepaying the last ones.
        outstanding = loan.principal_outstanding
        principal_due = second.principal - second.principal_paid
        loan.repay(second.amount_due + 10000, journal=self.cash)
        self.assertTrue(second.paid)
        self.assertAlmostEqual(loan.principal_outstanding, outstanding - principal_due - 10000, 2)
        self.assertTrue(loan.installment_ids[-1].paid)
        self.assertLoanBookMatches()

        moves = self.env["account.move"].search_count([])
        with self.assertRefused(UserError, "settle the loan early instead"):
            loan.repay(loan.principal_outstanding + 50000, journal=self.cash)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertLoanBookMatches()

        as_of = self.today + timedelta(days=45)
        quote = loan.settlement_quote(as_of)
        self.assertEqual(float(quote["principal"]), loan.principal_outstanding)
        loan.settle(journal=self.cash, date=as_of)
        self.assertEqual(loan.state, "closed")
        self.assertEqual(loan.principal_outstanding, 0)
        self.assertTrue(all(loan.installment_ids.mapped("paid")))
        self.assertEqual(other_deposits.held_amount, 0)
        self.assertEqual(self._account(self.guarantor, self.deposits).held_amount, 0)
        self.assertLoanBookMatches()
        templates = self.env.ref("sacco_loans.sacco_sms_template_loan_disbursed") | self.env.ref(
            "sacco_loans.sacco_sms_template_loan_closed"
        )
        sms = self.env["sacco.sms.message"].search(
            [("member_id", "=", self.member.id), ("template_id", "in", templates.ids)]
        )
        self.assertEqual(sms.template_id, templates)
