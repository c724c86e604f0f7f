from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanWriteOff(SaccoLoansCommon):
    def _balance(self, field):
        account = self.company[field]
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return sum(lines.mapped("balance"))

    def _charge_arrears(self, loan, interest, penalty):
        """What the close of business books on an overdue installment: accrued interest
        and a penalty, in the GL and on the installment."""
        line = loan.installment_ids.sorted("number")[0]
        company = self.company
        self.env["sacco.ledger"].sudo()._post_entry(
            loan._general_journal(),
            self.today,
            "COB",
            [
                loan._line(company.sacco_account_interest_receivable_id, "Accrual", debit=interest),
                loan._line(company.sacco_account_interest_income_id, "Accrual", credit=interest),
                loan._line(company.sacco_account_penalty_receivable_id, "Penalty", debit=penalty),
                loan._line(company.sacco_account_penalty_income_id, "Penalty", credit=penalty),
            ],
        )
        line.sudo().write({"interest_receivable": interest, "penalty": penalty})

    def test_write_off_then_recoveries(self):
        loan = self._disbursed_loan(date=self.today - timedelta(days=40))
        self._charge_arrears(loan, 500.0, 200.0)
        provision = self._balance("sacco_account_provision_id")
        outstanding = loan.principal_outstanding
        wizard = (
            self.env["sacco.loan.write.off"]
            .with_user(self.committee)
            .create({"loan_id": loan.id, "reason": "Member absconded"})
        )
        wizard.action_write_off()
        self.assertEqual(loan.state, "written_off")
        self.assertEqual(loan.principal_written_off, outstanding)
        self.assertEqual(loan.charges_written_off, 700)
        self.assertEqual(loan.principal_outstanding, 0)
        self.assertAlmostEqual(
            self._balance("sacco_account_provision_id"), provision + outstanding, places=2
        )
        self.assertAlmostEqual(self._balance("sacco_account_interest_receivable_id"), 0, places=2)
        self.assertAlmostEqual(self._balance("sacco_account_penalty_receivable_id"), 0, places=2)
        self.assertEqual(sum(loan.installment_ids.mapped("interest_receivable")), 0)
        self.assertFalse(any(loan.guarantor_ids.mapped("held_amount")))
        self.assertLoanBookMatches()

        recovery = self.env["sacco.loan.recovery"].with_user(self.teller_a)
        recovery.create(
            {"loan_id": loan.id, "amount": 1000, "journal_id": self.cash.id}
        ).action_post()
        self.assertEqual(loan.recovered_amount, 1000)
        self.assertAlmostEqual(self._balance("sacco_account_recovery_income_id"), -1000, places=2)
        left = outstanding + 700 - 1000
        with self.assertRefused(UserError, "is left to recover"):
            loan.with_user(self.teller_a).receive_recovery(left + 0.01, journal=self.cash)
        loan.with_user(self.teller_a).receive_recovery(left, journal=self.cash)
        self.assertAlmostEqual(loan.recovered_amount, outstanding + 700, places=2)
        self.assertAlmostEqual(
            self._balance("sacco_account_recovery_income_id"), -(outstanding + 700), places=2
        )
        with self.assertRefused(UserError, "is recovered"):
            loan.with_user(self.teller_a).receive_recovery(1, journal=self.cash)
        self.assertEqual(loan.principal_outstanding, 0)
        self.assertLoanBookMatches()
        lines = loan._statement()["lines"]
        kinds = [line["kind"] for line in lines]
        self.assertEqual(kinds[-3:], ["write_off", "recovery", "recovery"])
        self.assertAlmostEqual(lines[-3]["principal"], outstanding, places=2)
        self.assertAlmostEqual(sum(line["recovered"] for line in lines), outstanding + 700, 2)
        self.assertEqual(lines[-1]["balance"], 0)

    def test_write_off_refusals_write_nothing(self):
        loan = self._disbursed_loan()
        moves = self.env["account.move"].search_count([])
        with self.assertRefused(UserError, "Only the credit committee or a manager"):
            loan.with_user(self.officer).write_off()
        with self.assertRefused(UserError, "only a written-off loan takes recoveries"):
            loan.with_user(self.teller_a).receive_recovery(100, journal=self.cash)
        with self.assertRefused(UserError, "greater than zero"):
            loan.with_user(self.teller_a).receive_recovery(0, journal=self.cash)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual((loan.state, loan.principal_written_off), ("active", 0))
        loan.settle(journal=self.cash)
        with self.assertRefused(UserError, "only an active loan is written off"):
            loan.with_user(self.manager).write_off()
        self.assertEqual(loan.state, "closed")
        self.assertLoanBookMatches()
