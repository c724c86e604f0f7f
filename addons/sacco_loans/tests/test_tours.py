from datetime import timedelta

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.sacco_base.tests.common import ACCOUNTANT, MANAGER

from .common import SaccoLoansCommon

APPLICATIONS = "/odoo/action-sacco_loans.sacco_loan_application_action"


@tagged("post_install", "-at_install")
class TestLoanTours(HttpCase, SaccoLoansCommon):
    def test_application_approval_disbursement_and_teller_repayment(self):
        """Loan officer applies with guarantors, the committee approves above the officers'
        limit, the officer disburses, a teller takes a repayment: each in the web client."""
        self.start_tour("/odoo", "sacco_loan_officer_application", login=self.officer.login)
        app = self.env["sacco.loan.application"].search([("member_id", "=", self.member.id)])
        self.assertEqual((app.state, app.amount, app.term), ("appraised", 110000, 12))
        self.assertEqual(
            sorted(app.guarantor_ids.mapped("member_id.name")),
            ["Achieng Atieno", "Otieno Odhiambo"],
        )
        self.assertEqual(app.appraised_by_id, self.officer)

        self.start_tour(
            f"{APPLICATIONS}/{app.id}", "sacco_loan_committee_approval", login=self.committee.login
        )
        self.assertEqual((app.state, app.approved_by_id), ("approved", self.committee))
        self.assertEqual(app.guarantor_ids.mapped("held_amount"), [55000, 55000])

        self.start_tour(
            f"{APPLICATIONS}/{app.id}", "sacco_loan_officer_disbursement", login=self.officer.login
        )
        loan = app.loan_id
        self.assertEqual((app.state, loan.state, loan.principal), ("disbursed", "active", 110000))
        self.assertAlmostEqual(
            self._account(self.member, self.fosa).balance, loan.net_disbursed, places=2
        )

        self.start_tour(
            f"/odoo/action-sacco_loans.sacco_loan_action/{loan.id}",
            "sacco_loan_teller_repayment",
            login=self.teller_a.login,
        )
        repaid = loan.interest_paid + loan.principal - loan.principal_outstanding
        self.assertAlmostEqual(repaid, 5000, places=2)
        self.assertTrue(loan.installment_ids[0].interest_paid)
        self.assertLoanBookMatches()


# Portfolio screens and the views each opens with, as a loan manager sees them.
PORTFOLIO_SCREENS = {
    "sacco_loan_portfolio_report_action": ("pivot", "graph", "list"),
    "sacco_loan_aging_report_action": ("pivot", "graph", "list"),
    "sacco_loan_arrears_report_action": ("list", "pivot"),
    "sacco_loan_disbursement_report_action": ("list", "pivot"),
    "sacco_loan_collection_report_action": ("list", "pivot", "graph"),
    "sacco_loan_guarantor_exposure_action": ("list",),
    "sacco_loan_cob_run_action": ("list", "form"),
    "sacco_loan_import_action": ("list", "form"),
    "sacco_loan_report_print_action": ("form",),
}


@tagged("post_install", "-at_install")
class TestLoanScreens(HttpCase, SaccoLoansCommon):
    def test_portfolio_screens_render_in_the_web_client(self):
        loan = self._disbursed_loan(date=self.today - timedelta(days=45))
        self.env["sacco.loan.cob.run"].run_close_of_business(self.today, self.company)
        self.assertEqual(loan.sasra_class, "watch")
        manager = new_test_user(
            self.env,
            "sacco.loans.manager",
            groups=",".join((MANAGER, ACCOUNTANT)),
        )
        # The import form opens on a saved draft: a new record the browser closes on would
        # be saved on the way out, after the test, and that request refused with an error.
        draft_import = self.env["sacco.loan.import"].create({})
        for action, view_types in PORTFOLIO_SCREENS.items():
            for view_type in view_types:
                url = f"/odoo/action-sacco_loans.{action}?view_type={view_type}"
                if action == "sacco_loan_import_action" and view_type == "form":
                    url = f"/odoo/action-sacco_loans.{action}/{draft_import.id}"
                with self.subTest(action=action, view_type=view_type):
                    self.start_tour(url, "sacco_loans_view_renders", login=manager.login)
