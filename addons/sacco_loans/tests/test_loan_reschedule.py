from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanReschedule(SaccoLoansCommon):
    def _unpaid_principal(self, loan):
        return sum(line.principal - line.principal_paid for line in loan.installment_ids)

    def test_reschedule_keeps_history_and_the_ledger(self):
        loan = self._disbursed_loan(date=self.today - timedelta(days=100))
        first = loan.installment_ids.sorted("number")[0]
        loan.repay(first.total + 1000, journal=self.cash)
        second = loan.installment_ids.sorted("number")[1]
        second_interest_due = second.interest - second.interest_paid
        third_interest = loan.installment_ids.sorted("number")[2].interest
        outstanding = loan.principal_outstanding
        moves = self.env["account.move"].search_count([])
        wizard = (
            self.env["sacco.loan.reschedule.wizard"]
            .with_user(self.officer)
            .with_context(default_loan_id=loan.id)
            .create({"reason": "Salary cut"})
        )
        self.assertEqual((wizard.term, wizard.method), (11, "annuity"))
        wizard.write({"term": 18, "rate": 10.0, "method": "equal_principal"})
        wizard.action_reschedule()
        record = loan.reschedule_ids
        self.assertEqual(len(record), 1)
        self.assertEqual((record.old_term, record.new_term), (11, 18))
        self.assertEqual((record.old_rate, record.new_rate), (12.0, 10.0))
        self.assertEqual((record.old_method, record.new_method), ("annuity", "equal_principal"))
        self.assertEqual(record.principal, outstanding)
        self.assertEqual(record.approved_by_id, self.officer)
        self.assertEqual(record.line_ids.mapped("number"), list(range(2, 13)))
        self.assertAlmostEqual(
            sum(record.line_ids.mapped("principal")), 100000 - first.principal, 2
        )
        # No money moved: no entry, the same principal outstanding, now on the new schedule.
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertTrue(loan.rescheduled)
        self.assertEqual((loan.interest_rate, loan.term), (10.0, 20))
        self.assertEqual(loan.principal_outstanding, outstanding)
        self.assertAlmostEqual(self._unpaid_principal(loan), outstanding, places=2)
        lines = loan.installment_ids.sorted("number")
        self.assertEqual(lines.mapped("number"), list(range(1, 21)))
        self.assertTrue(lines[1].paid, "the partly paid installment is closed at what it got")
        self.assertEqual(lines[1].principal, lines[1].principal_paid)
        new = lines[2:]
        self.assertFalse(any(new.mapped("paid")))
        self.assertEqual(new[0].due_date, self.today + relativedelta(months=1))
        self.assertAlmostEqual(sum(new.mapped("principal")), outstanding, places=2)
        carried = second_interest_due + third_interest
        self.assertAlmostEqual(record.carried_interest, carried, places=2)
        own_interest = round(outstanding * 10 / 1200, 2)
        self.assertAlmostEqual(new[0].interest, carried + own_interest, delta=0.01)
        self.assertLoanBookMatches()
        loan.repay(new[0].amount_due, journal=self.cash)
        self.assertTrue(new[0].paid)
        self.assertLoanBookMatches()

    def test_reschedule_refusals_write_nothing(self):
        loan = self._disbursed_loan()
        before = loan.installment_ids.read(["number", "principal", "interest"])
        self.company.sacco_loan_officer_limit = 50000
        for user, args, pattern in (
            (self.officer, (12, 12.0, "annuity"), "the credit committee decides"),
            (self.committee, (0, 12.0, "annuity"), "at least one installment"),
            (self.committee, (12, -1.0, "annuity"), "cannot be negative"),
        ):
            with self.assertRefused(UserError, pattern):
                loan.with_user(user).reschedule(*args)
        self.assertFalse(loan.rescheduled)
        self.assertFalse(
            self.env["sacco.loan.reschedule"].search([("company_id", "=", self.company.id)])
        )
        self.assertEqual(loan.installment_ids.read(["number", "principal", "interest"]), before)
        loan.with_user(self.committee).reschedule(6, 12.0, "annuity")
        self.assertEqual(len(loan.installment_ids), 6)
        loan.settle(journal=self.cash)
        with self.assertRefused(UserError, "only an active loan is rescheduled"):
            loan.with_user(self.committee).reschedule(12, 12.0, "annuity")
        self.assertEqual(len(loan.reschedule_ids), 1)
        self.assertLoanBookMatches()
