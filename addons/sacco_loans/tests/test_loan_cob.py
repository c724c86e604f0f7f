from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..models.sacco_loan_cob_run import PHASES
from .cob_common import SaccoLoanCobCommon


@tagged("post_install", "-at_install")
class TestLoanCobStanding(SaccoLoanCobCommon):
    def test_every_sasra_class_as_of_a_date(self):
        loans = self._class_loans(self.today)
        run = self._run(self.today)
        self.assertEqual((run.state, run.company_id, run.date), ("done", self.company, self.today))
        self.assertEqual(run._done_phases(), list(PHASES))
        self.assertEqual(run.loan_count, 5)
        for name, loan in loans.items():
            self.assertEqual(loan.sasra_class, name)
            self.assertStanding(loan, self.today)
        self.assertEqual(loans["performing"].days_past_due, 0)
        self.assertGreater(loans["loss"].days_past_due, 360)
        # Nothing repaid: a loss loan needs all of its principal outstanding provided for.
        self.assertEqual(loans["loss"].provision_required, loans["loss"].principal_outstanding)
        self.assertAlmostEqual(
            run.provision_amount, sum(loan.provision_required for loan in loans.values()), 2
        )

    def test_bands_and_rates_from_settings(self):
        loans = self._class_loans(self.today)
        self.company.write({"sacco_cob_watch_days": 10, "sacco_provision_watch": 10.0})
        self._run(self.today)
        watch = loans["watch"]
        expected = "watch" if watch.days_past_due <= 10 else "substandard"
        self.assertEqual(watch.sasra_class, expected)
        for loan in loans.values():
            self.assertStanding(loan, self.today)
        with self.assertRefused(ValidationError, "SASRA bands must rise"):
            self.company.sacco_cob_substandard_days = 5
        with self.assertRefused(ValidationError, "percentages between 0 and 100"):
            self.company.sacco_provision_loss = 120

    def test_settings_view_fields(self):
        settings = self.env["res.config.settings"].create({"sacco_cob_doubtful_days": 400})
        settings.execute()
        self.assertEqual(self.company.sacco_cob_doubtful_days, 400)
        self.assertTrue(self.company.sacco_cob_stop_accrual)

    def test_run_twice_is_a_no_op(self):
        self._class_loans(self.today)
        first = self._run(self.today)
        counts = {
            model: self.env[model].search_count([])
            for model in ("account.move", "sacco.loan.cob.charge", "sacco.sms.message")
        }
        loans = self.env["sacco.loan"].search([("company_id", "=", self.company.id)])
        standing = loans.read(["days_past_due", "arrears_total", "provision_required"])
        again = self._run(self.today)
        self.assertEqual(again, first)
        for model, count in counts.items():
            self.assertEqual(self.env[model].search_count([]), count, model)
        self.assertEqual(
            loans.read(["days_past_due", "arrears_total", "provision_required"]), standing
        )

    def test_future_date_refused(self):
        with self.assertRefused(UserError, "future date"):
            self._run(self.today + timedelta(days=1))
        self.assertFalse(self.Run.search([("company_id", "=", self.company.id)]))

    def test_back_dated_repayment_recomputes_standing(self):
        loan = self._loan(self.borrowers[1], self.today - timedelta(days=45))
        self._run(self.today)
        self.assertEqual(loan.sasra_class, "watch")
        first = loan.installment_ids[0]
        loan.repay(first.amount_due, journal=self.cash, date=self.today - timedelta(days=1))
        self.assertEqual((loan.sasra_class, loan.days_past_due), ("performing", 0))
        self.assertStanding(loan, self.today)

    def test_closed_loans_leave_the_standing(self):
        loan = self._loan(self.borrowers[1], self.today - timedelta(days=45))
        self._run(self.today - timedelta(days=1))
        self.assertTrue(loan.provision_required)
        loan.settle(journal=self.cash, date=self.today)
        self._run(self.today)
        self.assertEqual(
            (loan.state, loan.provision_required, loan.arrears_total), ("closed", 0, 0)
        )

    def test_catch_up_cron_closes_missed_days(self):
        self._class_loans(self.today)
        self._run(self.today - timedelta(days=3))
        self.Run._cron_close_of_business()
        runs = self.Run.search([("company_id", "=", self.company.id)])
        self.assertEqual(
            sorted(runs.mapped("date")),
            [self.today - timedelta(days=days) for days in (3, 2, 1, 0)],
        )
        self.assertEqual(set(runs.mapped("state")), {"done"})


@tagged("post_install", "-at_install")
class TestLoanCobReminders(SaccoLoanCobCommon):
    def _sms(self, xmlid):
        return self.env["sacco.sms.message"].search(
            [
                ("template_id", "=", self.env.ref(f"sacco_loans.{xmlid}").id),
                ("company_id", "=", self.company.id),
            ]
        )

    def test_reminder_before_due_date(self):
        loan = self._loan(self.borrowers[0], self.today - timedelta(days=60))
        as_of = loan.installment_ids[0].due_date - timedelta(days=3)
        run = self._run(as_of)
        sms = self._sms("sacco_sms_template_loan_installment_reminder")
        self.assertEqual(sms.member_id, loan.member_id)
        self.assertEqual((sms.phone, sms.state), (loan.member_id.phone, "queued"))
        self.assertIn(loan.name, sms.body)
        self.assertIn(loan.member_id.name.split(" ")[0], sms.body)
        self.assertEqual(run.reminder_count, len(sms))
        self._run(as_of)
        self.assertEqual(self._sms("sacco_sms_template_loan_installment_reminder"), sms)

    def test_arrears_reminders_first_day_and_monthly(self):
        loan = self._loan(self.borrowers[0], self.today - timedelta(days=130))
        first_due = loan.installment_ids[0].due_date
        for days, expected in ((1, 1), (2, 1), (30, 2), (31, 2), (60, 3)):
            self._run(first_due + timedelta(days=days))
            sms = self._sms("sacco_sms_template_loan_arrears")
            self.assertEqual(len(sms), expected, days)
        self.assertIn("60 days in arrears", sms.sorted("id")[-1].body)
