from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from sacco_core.portfolio import add_months

from .cob_common import SaccoLoanCobCommon

# The installment fields a repayment changes and its reversal restores.
PAID_FIELDS = (
    "principal_paid",
    "interest_paid",
    "fee_paid",
    "penalty_paid",
    "interest_receivable",
    "interest_waived",
    "paid",
)


@tagged("post_install", "-at_install")
class TestLoanRepaymentReversal(SaccoLoanCobCommon):
    def _paid_state(self, loan):
        loan.invalidate_recordset()
        return [tuple(line[f] for f in PAID_FIELDS) for line in loan.installment_ids]

    def _small_loan(self, member=None, action="refuse"):
        """12,000 over 4 installments, equal principal, interest 120, 90, 60, 30."""
        self.emergency.overpayment_action = action
        return self._disbursed_loan(
            member=member or self.other,
            product=self.emergency,
            amount=12000,
            term=4,
            guarantors=(),
        )

    def _reverse(self, repayment, reason="Posted to the wrong loan"):
        return repayment.with_user(self.officer).action_reverse(reason)

    def assertBooksMatch(self):
        self.assertLoanBookMatches()
        self.assertSubLedgersMatch(provision=False)

    def test_reverse_a_repayment(self):
        loan = self._disbursed_loan()
        before = self._paid_state(loan)
        holds = loan.guarantor_ids.mapped("held_amount")
        loan.with_user(self.teller_a).repay(5000, journal=self.cash)
        repayment = loan.repayment_ids
        self.assertEqual((repayment.amount, repayment.state), (5000, "posted"))
        self.assertEqual(sum(repayment.line_ids.mapped("total")), 5000)
        self.assertLess(loan.guarantor_ids[0].held_amount, holds[0])
        with self.assertRefused(AccessError, "loan officers and accountants"):
            repayment.with_user(self.teller_a).action_reverse("Wrong loan")
        with self.assertRefused(UserError, "Say why"):
            self._reverse(repayment, " ")
        self._reverse(repayment)
        self.assertEqual(repayment.state, "reversed")
        self.assertEqual(self._paid_state(loan), before)
        self.assertEqual(loan.principal_outstanding, loan.principal)
        self.assertEqual(loan.guarantor_ids.mapped("held_amount"), holds)
        reversal = repayment.sudo().reversal_move_id
        self.assertEqual(reversal.reversed_entry_id, repayment.move_id)
        self.assertEqual(reversal.line_ids.sacco_loan_id, loan)
        self.assertBooksMatch()
        with self.assertRefused(UserError, "already reversed"):
            self._reverse(repayment)

    def test_latest_repayment_first(self):
        loan = self._small_loan()
        loan.repay(1000, journal=self.cash)
        loan.repay(2000, channel="fosa")
        first, second = loan.repayment_ids.sorted("id")
        with self.assertRefused(UserError, "reverse the latest first"):
            self._reverse(first)
        fosa = self._account(self.other, self.fosa)
        balance = fosa.balance
        self.env["sacco.loan.repayment.reverse"].with_user(self.officer).create(
            {"repayment_id": second.id, "reason": "Member asked"}
        ).action_reverse()
        self.assertEqual(fosa.balance, balance + 2000)
        self.assertEqual(fosa.transaction_ids[0].kind, "reversal")
        self.repayment_reversed_by_accountant(first)
        self.assertEqual(loan.principal_outstanding, 12000)
        self.assertFalse(any(loan.installment_ids.mapped("interest_paid")))
        self.assertBooksMatch()

    def repayment_reversed_by_accountant(self, repayment):
        repayment.with_user(self.accountant).action_reverse("Cheque bounced")
        self.assertEqual(repayment.reversed_by_id, self.accountant)

    def test_reverse_the_repayment_that_closed_the_loan(self):
        loan = self._disbursed_loan(amount=12000, term=3)
        holds = loan.guarantor_ids.mapped("held_amount")
        loan.repay(sum(loan.installment_ids.mapped("amount_due")), journal=self.cash)
        self.assertEqual(loan.state, "closed")
        self.assertFalse(any(loan.guarantor_ids.mapped("held_amount")))
        repayment = loan.repayment_ids
        self.assertTrue(repayment.closed_loan)
        self._reverse(repayment)
        self.assertEqual((loan.state, loan.closed_on), ("active", False))
        self.assertEqual(loan.guarantor_ids.mapped("held_amount"), holds)
        self.assertFalse(any(loan.installment_ids.mapped("paid")))
        self.assertBooksMatch()
        # The loan takes payments again.
        loan.repay(1000, journal=self.cash)
        self.assertBooksMatch()

    def test_reverse_a_repayment_of_penalty_fee_and_accrued_interest(self):
        self.emergency.write(
            {
                "processing_fee": 1.0,
                "insurance_rate": 0.5,
                "fee_collection": "spread",
                "penalty_rate": 5.0,
                "penalty_grace_days": 5,
                "penalty_cap_percent": 10.0,
            }
        )
        loan = self._loan(self.borrowers[0], self.today - timedelta(days=160), term=6)
        first = loan.installment_ids[0]
        start = first.due_date + timedelta(days=5)
        self._run(first.due_date)
        self._run(start)
        self._run(add_months(start, 1))
        self.assertGreater(first.penalty, 0)
        before = self._paid_state(loan)
        loan.repay(first.amount_due + 100, journal=self.cash, date=add_months(start, 1))
        lines = loan.repayment_ids.line_ids
        for part in ("penalty", "fee", "interest", "principal", "interest_receivable"):
            self.assertGreater(sum(lines.mapped(part)), 0, part)
        self.assertBooksMatch()
        self._reverse(loan.repayment_ids)
        self.assertEqual(self._paid_state(loan), before)
        self.assertGreater(loan.days_past_due, 0)
        self.assertBooksMatch()

    def test_reverse_a_prepayment_that_shortened_the_term(self):
        loan = self._small_loan(action="reduce_term")
        before = self._paid_state(loan)
        loan.repay(3120 + 4000, journal=self.cash)
        self.assertEqual(loan.installment_ids[3].interest_waived, 30)
        self.assertEqual(loan.repayment_ids.prepaid, 4000)
        self._reverse(loan.repayment_ids)
        self.assertEqual(self._paid_state(loan), before)
        self.assertBooksMatch()

    def test_reverse_an_early_settlement(self):
        loan = self._small_loan()
        before = self._paid_state(loan)
        loan.settle(journal=self.cash)
        self.assertEqual(loan.state, "closed")
        settlement = loan.repayment_ids
        self.assertEqual(settlement.kind, "settlement")
        self._reverse(settlement)
        self.assertEqual(loan.state, "active")
        self.assertEqual(self._paid_state(loan), before)
        self.assertBooksMatch()

    def test_refuses_a_repayment_that_rescheduled_the_installments(self):
        loan = self._small_loan(action="reduce_installment")
        loan.repay(3120 + 3000, journal=self.cash)
        self.assertTrue(loan.repayment_ids.rescheduled)
        with self.assertRefused(UserError, "lowered the remaining installments"):
            self._reverse(loan.repayment_ids)

    def test_refuses_a_repayment_made_before_a_reschedule(self):
        loan = self._small_loan()
        loan.repay(1000, journal=self.cash)
        loan.with_user(self.committee).reschedule(6, 12.0, "annuity")
        with self.assertRefused(UserError, "rescheduled after this repayment"):
            self._reverse(loan.repayment_ids)

    def test_refuses_when_the_fosa_credit_was_withdrawn(self):
        loan = self._small_loan(action="credit_fosa")
        fosa = self._account(self.other, self.fosa)
        fosa.deposit(1000, journal=self.cash)
        loan.repay(3120 + 500, journal=self.cash)
        repayment = loan.repayment_ids
        self.assertEqual(repayment.credit_amount, 500)
        fosa.withdraw(fosa.available_balance - 400, journal=self.cash)
        with self.assertRefused(UserError, "has since been withdrawn"):
            self._reverse(repayment)
        fosa.deposit(1000, journal=self.cash)
        self._reverse(repayment)
        self.assertEqual(fosa.transaction_ids[0].kind, "reversal")
        self.assertBooksMatch()
