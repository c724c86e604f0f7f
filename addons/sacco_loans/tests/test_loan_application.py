from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanApplication(SaccoLoansCommon):
    def test_product_shows_the_monthly_rate_and_defaults_to_company_accounts(self):
        self.assertAlmostEqual(self.product.monthly_rate, 1.0)
        self.assertEqual(
            self.product._portfolio_account(), self.company.sacco_account_loan_portfolio_id
        )
        self.assertEqual(self.product.deposit_multiplier, 3.0)

    def test_appraisal_records_the_figures(self):
        app = self._application()
        app.action_submit()
        app.action_appraise()
        self.assertEqual(app.state, "appraised")
        self.assertEqual(app.free_deposits, 40000)
        self.assertEqual(app.eligible_amount, 120000)
        self.assertEqual(app.required_cover, 100000)
        self.assertEqual(app.self_guarantee, 40000)
        self.assertEqual(app.appraised_by_id, self.officer)

    def test_amount_and_term_outside_the_product_limits(self):
        with self.assertRefused(ValidationError, "lends between"):
            self._application(amount=500)
        with self.assertRefused(ValidationError, "lends between"):
            self._application(amount=1000001)
        with self.assertRefused(ValidationError, "1 to 24 installments"):
            self._application(term=30)
        with self.assertRefused(ValidationError, "greater than zero"):
            self._application(amount=-100)
        self.assertFalse(
            self.env["sacco.loan.application"].search([("company_id", "=", self.company.id)])
        )

    def test_ineligible_member_by_deposits_and_membership(self):
        app = self._application(amount=130000)
        app.action_submit()
        with self.assertRefused(UserError, "not eligible: at most"):
            app.action_appraise()
        self.assertEqual(app.state, "submitted")
        self.product.min_membership_months = 6
        app.amount = 100000
        with self.assertRefused(UserError, "needs 6 months of membership"):
            app.action_appraise()
        self.assertEqual(app.state, "submitted")

    def test_one_third_rule(self):
        app = self._application()
        app.total_deductions = 60000
        app.action_submit()
        with self.assertRefused(UserError, "less than a third of the basic pay"):
            app.action_appraise()
        self.assertEqual(app.state, "submitted")

    def test_guarantor_over_pledging(self):
        app = self._application(guarantors=((self.other, 70000), (self.guarantor, 30000)))
        app.action_submit()
        with self.assertRefused(UserError, "Otieno Odhiambo pledges .* only .* free deposits"):
            app.action_appraise()
        self.assertEqual(app.state, "submitted")

    def test_guarantees_short_of_the_cover_and_too_few_guarantors(self):
        app = self._application(guarantors=((self.other, 10000), (self.guarantor, 10000)))
        app.action_submit()
        with self.assertRefused(UserError, "short of the"):
            app.action_appraise()
        app2 = self._application(guarantors=((self.other, 60000),))
        app2.action_submit()
        with self.assertRefused(UserError, "at least 2 guarantors"):
            app2.action_appraise()

    def test_guarantor_in_arrears(self):
        self._back_dated_loan(self.other)
        self.assertTrue(self.other._in_loan_arrears(self.today))
        app = self._application()
        app.action_submit()
        with self.assertRefused(UserError, "Guarantor Otieno Odhiambo has a loan in arrears"):
            app.action_appraise()
        self.assertEqual(app.state, "submitted")

    def test_approval_limits_by_role(self):
        self.company.sacco_loan_officer_limit = 50000
        app = self._application()
        app.action_submit()
        app.action_appraise()
        with self.assertRefused(UserError, "need the credit committee"):
            app.with_user(self.officer).action_approve()
        self.assertEqual(app.state, "appraised")
        self.assertFalse(app.guarantor_ids.hold_id)
        with self.assertRefused(UserError, "Only loan officers"):
            app.with_user(self.teller_a).action_approve()
        app.with_user(self.committee).action_approve()
        self.assertEqual(app.state, "approved")
        self.assertEqual(app.approved_by_id, self.committee)

    def test_officer_approves_within_limit_and_holds_are_placed(self):
        app = self._application()
        app.action_submit()
        app.action_appraise()
        app.with_user(self.officer).action_approve()
        deposits = self._account(self.other, self.deposits)
        self.assertEqual(deposits.held_amount, 30000)
        self.assertEqual(deposits.available_balance, 30000)
        self.assertHoldsMatchPledges()

    def test_cancel_releases_holds_and_terms_freeze_after_appraisal(self):
        app = self._application()
        app.action_submit()
        app.action_appraise()
        with self.assertRefused(UserError, "terms cannot be changed"):
            app.amount = 90000
        app.with_user(self.officer).action_approve()
        app.action_cancel()
        self.assertEqual(app.state, "cancelled")
        self.assertEqual(self._account(self.other, self.deposits).held_amount, 0)
        with self.assertRefused(UserError, "this step needs it approved"):
            app._disburse()

    def test_branch_staff_see_their_branch_only(self):
        app = self._application()
        self.assertEqual(
            self.env["sacco.loan.application"].with_user(self.teller_b).search([]).ids, []
        )
        self.assertEqual(
            self.env["sacco.loan.application"].with_user(self.teller_a).search([]), app
        )
        self.assertEqual(self.env["sacco.loan.application"].with_user(self.auditor).search([]), app)

    def test_guarantors_are_fixed_once_appraised(self):
        app = self._application()
        app.action_submit()
        app.action_appraise()
        with self.assertRefused(UserError, "Guarantors cannot change"):
            app.guarantor_ids[0].amount = 1
        with self.assertRefused(UserError, "Guarantors cannot change"):
            self.env["sacco.loan.guarantor"].create(
                {"application_id": app.id, "member_id": self._create_member().id, "amount": 5}
            )
        with self.assertRefused(ValidationError, "self-guarantee"):
            self._application(guarantors=((self.member, 1000),))

    def test_concurrent_loans_and_own_arrears_make_a_member_ineligible(self):
        self._back_dated_loan(self.other)
        app = self._application(
            member=self.other, product=self.emergency, amount=5000, guarantors=()
        )
        app.action_submit()
        with self.assertRefused(UserError, "already 1 active Test Emergency Loan"):
            app.action_appraise()
        self.emergency.max_concurrent_loans = 0
        with self.assertRefused(UserError, "a loan is in arrears"):
            app.action_appraise()
        self.assertEqual(app.state, "submitted")

    def test_disburse_button_opens_the_loan_and_branches_stay_apart(self):
        app = self._application()
        app.action_submit()
        app.action_appraise()
        app.with_user(self.officer).action_approve()
        action = app.with_user(self.officer).action_disburse()
        self.assertEqual(action["res_model"], "sacco.loan")
        self.assertEqual(action["res_id"], app.loan_id.id)
        self.assertEqual(app.loan_id.name[:3], "LN/")
        Loan = self.env["sacco.loan"]
        self.assertFalse(Loan.with_user(self.teller_b).search([]))
        self.assertEqual(Loan.with_user(self.teller_a).search([]), app.loan_id)
        self.assertEqual(Loan.with_user(self.auditor).search([]), app.loan_id)
        self.assertFalse(self.env["sacco.loan.installment"].with_user(self.teller_b).search([]))
