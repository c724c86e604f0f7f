from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanTopup(SaccoLoansCommon):
    def _topup_application(self, old, amount, **kwargs):
        app = self._application(member=old.member_id, amount=amount, **kwargs)
        app.topup_loan_id = old
        app.action_submit()
        return app

    def _approve(self, app):
        app.action_appraise()
        app.with_user(self.committee).action_approve()
        return app

    def test_topup_pays_off_the_old_loan_from_the_new_principal(self):
        self.product.topup_after_percent = 5.0
        old = self._disbursed_loan(date=self.today - timedelta(days=40))
        old.repay(old.installment_ids[0].total, journal=self.cash)
        quote = old.settlement_quote(self.today)
        self.assertGreater(quote["interest"], 0)
        fosa = self._account(self.member, self.fosa)
        before = fosa.balance
        app = self._approve(self._topup_application(old, 100000))
        new = app._disburse(date=self.today)
        self.assertEqual(new.topup_loan_id, old)
        self.assertEqual(old.state, "closed")
        self.assertEqual(old.principal_outstanding, 0)
        self.assertFalse(any(old.guarantor_ids.mapped("held_amount")))
        fees = new.processing_fee + new.insurance_fee + new.excise_duty
        self.assertAlmostEqual(new.net_disbursed, 100000 - fees - float(quote["total"]), 2)
        self.assertAlmostEqual(fosa.balance, before + new.net_disbursed, places=2)
        # One entry: the new loan's portfolio pays the old one's principal and interest.
        entry = new.sudo().move_line_ids.move_id
        self.assertEqual(len(entry), 1)
        self.assertIn(entry, old.sudo().move_line_ids.move_id)
        income = entry.line_ids.filtered(
            lambda line: line.account_id == self.company.sacco_account_interest_income_id
        )
        self.assertAlmostEqual(sum(income.mapped("credit")), float(quote["interest"]), 2)
        self.assertEqual(old._statement()["lines"][-1]["kind"], "settlement")
        self.assertEqual(new.principal_outstanding, 100000)
        self.assertLoanBookMatches()

    def test_topup_refused_below_the_repaid_share(self):
        old = self._disbursed_loan(
            member=self.other, product=self.emergency, amount=10000, term=4, guarantors=()
        )
        app = self._topup_application(old, 20000, product=self.emergency, term=6, guarantors=())
        with self.assertRefused(UserError, r"0.00% of its principal repaid; a top-up needs 50.00%"):
            app.action_appraise()
        self.assertEqual(app.state, "submitted")
        self.assertEqual(old.state, "active")

    def test_bad_topups(self):
        self.emergency.topup_after_percent = 0
        old = self._disbursed_loan(
            member=self.other, product=self.emergency, amount=10000, term=4, guarantors=()
        )
        with self.assertRefused(ValidationError, "same member"):
            self._application(member=self.guarantor, product=self.emergency, guarantors=()).write(
                {"topup_loan_id": old.id}
            )
        with self.assertRefused(ValidationError, "is a percentage"):
            self.emergency.topup_after_percent = 120
        app = self._approve(
            self._topup_application(old, 5000, product=self.emergency, term=6, guarantors=())
        )
        moves = self.env["account.move"].search_count([])
        with self.assertRefused(UserError, f"payoff of {old.name} would take the whole loan"):
            app._disburse(date=self.today)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual((app.state, old.state), ("approved", "active"))
        old.settle(journal=self.cash)
        with self.assertRefused(UserError, "is closed"):
            app._disburse(date=self.today)
        self.assertLoanBookMatches()
