from odoo.tests import HttpCase, tagged

SASRA_CLASSES = ("performing", "watch", "substandard", "doubtful", "loss")


@tagged("post_install", "-at_install")
class TestDemoSacco(HttpCase):
    """The one test that reads demo data: the demo SACCO, as its administrator first opens
    it, shows data on every main screen. The suite always installs with demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("sacco_base.res_company_sacco_demo", raise_if_not_found=False)

    def _demo(self, model, domain=()):
        return self.env[model].search([("company_id", "=", self.company.id), *domain])

    def _open(self, action, tour, record=None, view_type=None):
        url = f"/odoo/action-{action}" + (f"/{record.id}" if record else "")
        if view_type:
            url += f"?view_type={view_type}"
        self.start_tour(url, tour, login="admin")

    def test_demo_sacco_shows_its_year(self):
        self.assertTrue(self.company, "the demo SACCO company is missing: install with demo data")
        self.assertEqual(self.company.currency_id.name, "KES")
        self.assertEqual(self.company.chart_template, "ke")
        self.assertEqual(self.env.ref("base.user_admin").company_id, self.company)

        loans = self._demo("sacco.loan", [("state", "=", "active")])
        self.assertEqual(set(loans.mapped("sasra_class")), set(SASRA_CLASSES))
        self.assertTrue(self._demo("sacco.loan", [("state", "=", "written_off")]))
        self.assertTrue(self._demo("sacco.loan", [("state", "=", "closed")]))
        self.assertTrue(self._demo("sacco.loan.reschedule"))
        self.assertTrue(self._demo("sacco.loan.repayment", [("state", "=", "reversed")]))
        self.assertGreaterEqual(len(self._demo("sacco.loan.cob.run")), 300)
        self.assertGreaterEqual(
            len(self._demo("sacco.checkoff.batch", [("state", "=", "posted")])), 33
        )
        self.assertTrue(self._demo("sacco.checkoff.suspense"))
        self.assertTrue(self._demo("sacco.savings.year.end", [("state", "=", "paid")]))
        self.assertTrue(self._demo("sacco.member.exit", [("state", "=", "settled")]))
        self.assertTrue(self._demo("sacco.sms.message", [("state", "=", "queued")]))
        # Mobile channels: an instant loan paid out by the system, a guarantee still asked.
        instant = self._demo("sacco.loan.application", [("channel", "=", "ussd")])
        self.assertEqual(instant.mapped("state"), ["disbursed"])
        asked = self._demo("sacco.loan.guarantor", [("consent_state", "=", "requested")])
        self.assertEqual(asked.member_id, self.env.ref("sacco_base.sacco_member_demo_16"))
        self.assertEqual(asked.member_id._sacco_guarantee_requests(), asked)

        self._open("sacco_base.sacco_member_action", "sacco_demo_members")
        in_arrears = loans.filtered(lambda loan: loan.sasra_class == "substandard")[:1]
        self._open("sacco_loans.sacco_loan_action", "sacco_demo_loan_in_arrears", in_arrears)
        self._open("sacco_loans.sacco_loan_portfolio_report_action", "sacco_demo_par_by_product")
        self._open("sacco_loans.sacco_loan_aging_report_action", "sacco_demo_aging_by_class")
        self._open("sacco_loans.sacco_loan_arrears_report_action", "sacco_demo_list_has_rows")
        member = self.env.ref("sacco_base.sacco_member_demo_01")
        deposits = member.savings_account_ids.filtered(lambda a: a.kind == "bosa_deposit")
        self._open(
            "sacco_savings.sacco_savings_account_action", "sacco_demo_account_statement", deposits
        )
        self._open_integrity_report()

    def test_demo_member_statement_prints_the_year(self):
        self.assertTrue(self.company, "the demo SACCO company is missing: install with demo data")
        member = self.env.ref("sacco_base.sacco_member_demo_01")
        deposits = member.savings_account_ids.filtered(lambda a: a.kind == "bosa_deposit")
        admin = self.env.ref("base.user_admin")
        statement = (
            self.env["sacco.savings.statement"]
            .with_user(admin)
            .create({"account_id": deposits.id, "date_from": "2000-01-01"})
        )
        self.authenticate("admin", "admin")
        html = self.url_open(
            f"/report/html/sacco_savings.sacco_savings_statement_report/{statement.id}"
        ).text
        self.assertIn("Balance brought forward", html)
        self.assertIn(deposits.name, html)

    def _open_integrity_report(self):
        """The ledger-integrity report, where the add-on providing it is installed."""
        model = self.env["ir.model"].search([("model", "like", "sacco.%integrity%")], limit=1)
        action = self.env["ir.actions.act_window"].search(
            [("res_model", "=", model.model)], limit=1
        )
        if model and action:
            self.start_tour(f"/odoo/action-{action.id}", "sacco_loans_view_renders", login="admin")
