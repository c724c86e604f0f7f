from datetime import timedelta

from odoo.tests import HttpCase, tagged

from .common import SaccoSasraCommon

RETURNS = "/odoo/action-sacco_sasra_reports.sacco_sasra_return_action"
DASHBOARD = "/odoo/action-sacco_sasra_reports.sacco_sasra_dashboard_action"


@tagged("post_install", "-at_install")
class TestSasraTours(HttpCase, SaccoSasraCommon):
    def test_accountant_computes_reviews_and_exports_then_manager_dashboard(self):
        """The accountant computes the month's returns, reviews the failed check (no override
        button for an accountant), exports a return that passes; the manager opens the
        dashboard."""
        # A loan entry the loan sub-ledger does not know: the Loans check fails.
        self._post(
            self.company.sacco_account_loan_portfolio_id,
            self.bank.default_account_id,
            1000,
            "Unexplained loan entry",
            self.month_end - timedelta(days=3),
        )
        self.start_tour(RETURNS, "sacco_sasra_accountant_month", login=self.accountant.login)
        returns = self.Return.search([("company_id", "=", self.company.id)])
        self.assertEqual(set(returns.mapped("state")), {"computed"})
        form4 = returns.filtered(lambda r: r.form == "4")
        self.assertIn("Loans", form4.check_ids.filtered(lambda c: not c.passed).mapped("label"))
        self.assertFalse(form4.xlsx_file)
        self.assertTrue(returns.filtered(lambda r: r.form == "7").xlsx_file)
        self.start_tour(DASHBOARD, "sacco_sasra_manager_dashboard", login=self.manager.login)
        self.start_tour(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
            "sacco_sasra_manager_spreadsheet_dashboard",
            login=self.manager.login,
        )
