from datetime import timedelta
from decimal import Decimal

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from sacco_core.portfolio import add_months, penalty_charge, round_half_up

from .cob_common import SaccoLoanCobCommon, _money


@tagged("post_install", "-at_install")
class TestLoanCobAccrual(SaccoLoanCobCommon):
    def _charges(self, kind):
        return self.env["sacco.loan.cob.charge"].search(
            [("kind", "=", kind), ("company_id", "=", self.company.id)]
        )

    def test_accrual_on_due_date_consumed_by_repayment(self):
        loan = self._loan(self.borrowers[0], self.today - timedelta(days=70))
        first = loan.installment_ids[0]
        run = self._run(first.due_date)
        self.assertEqual(first.interest_receivable, first.interest)
        self.assertEqual((run.accrual_line_count, run.accrual_amount), (1, first.interest))
        receivable = self.company.sacco_account_interest_receivable_id
        income = self.company.sacco_account_interest_income_id
        # Per loan on the receivable (the sub-ledger), in total on income.
        self.assertEqual(
            [
                (line.account_id, line.debit, line.credit, line.sacco_loan_id, line.partner_id)
                for line in run.move_ids.line_ids.sorted("debit")
            ],
            [
                (income, 0.0, first.interest, loan.browse(), loan.partner_id.browse()),
                (receivable, first.interest, 0.0, loan, loan.partner_id),
            ],
        )
        self.assertEqual(run.move_ids.state, "posted")
        self.assertEqual(run.move_ids.journal_id.code, "LCOB")
        self.assertEqual(self._gl(receivable), _money(first.interest))
        loan.repay(first.amount_due, journal=self.cash, date=first.due_date)
        self.assertEqual(first.interest_receivable, 0)
        self.assertEqual(self._gl(receivable), 0)
        self.assertLoanBookMatches()
        # The accrual is internal to the books: the statement shows the payment only.
        lines = loan._statement()["lines"]
        self.assertEqual([line["kind"] for line in lines], ["disbursement", "repayment"])
        self.assertEqual(lines[1]["interest"], first.interest)

    def test_cash_basis_skips_accrual(self):
        self.emergency.accounting_basis = "cash"
        loan = self._loan(self.borrowers[0], self.today - timedelta(days=70))
        run = self._run(loan.installment_ids[0].due_date)
        self.assertEqual(run.accrual_line_count, 0)
        self.assertFalse(self._charges("accrual"))
        self.assertEqual(
            _money(loan.interest_in_suspense),
            _money(
                sum(line.interest for line in loan.installment_ids if line.due_date <= self.today)
            ),
        )

    def test_stop_accrual_on_doubtful_and_loss(self):
        loan = self._loan(self.borrowers[0], self.today - timedelta(days=300))
        late = loan.installment_ids.filtered(
            lambda line: (
                line.due_date <= self.today
                and (line.due_date - loan.installment_ids[0].due_date).days > 180
            )
        )[0]
        self._run(late.due_date)
        self.assertEqual(loan.sasra_class, "doubtful")
        self.assertEqual(late.interest_receivable, 0)
        self.assertGreaterEqual(loan.interest_in_suspense, late.interest)
        self.company.sacco_cob_stop_accrual = False
        following = loan.installment_ids.filtered(lambda line: line.number == late.number + 1)
        self._run(following.due_date)
        self.assertEqual(loan.sasra_class, "doubtful")
        self.assertEqual(following.interest_receivable, following.interest)


@tagged("post_install", "-at_install")
class TestLoanCobPenalties(SaccoLoanCobCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emergency.write(
            {"penalty_rate": 5.0, "penalty_grace_days": 5, "penalty_cap_percent": 10.0}
        )

    def test_monthly_penalty_after_grace_with_cap(self):
        loan = self._loan(self.borrowers[0], self.today - timedelta(days=160))
        first = loan.installment_ids[0]
        start = first.due_date + timedelta(days=5)
        self._run(start)
        self.assertEqual(first.penalty, 0)
        run = self._run(add_months(start, 1))
        expected = penalty_charge(
            _money(first.total), Decimal(5), _money(first.total), Decimal(0), Decimal(10)
        )
        self.assertEqual(_money(first.penalty), expected)
        self.assertEqual(run.penalty_line_count, 1)
        receivable = self.company.sacco_account_penalty_receivable_id
        lines = run.move_ids.line_ids.filtered(lambda line: line.account_id == receivable)
        self.assertEqual((lines.sacco_loan_id, _money(lines.debit)), (loan, expected))
        self.assertEqual(_money(loan.arrears_penalty), expected)
        # The penalty is added to the arrears as the standing would recompute them.
        self.assertStanding(loan, add_months(start, 1))
        self._run(add_months(start, 2))
        self._run(add_months(start, 3))
        # The cap: 10 % of the installment in all, i.e. two months at 5 %.
        self.assertEqual(_money(first.penalty), round_half_up(_money(first.total) / 10))
        self.assertEqual(
            len(self.env["sacco.loan.cob.charge"].search([("installment_id", "=", first.id)])), 2
        )
        self.assertEqual(self._gl(receivable), self._penalties_unpaid(loan))
        loan.repay(first.amount_due, journal=self.cash, date=add_months(start, 3))
        self.assertEqual(first.penalty_paid, first.penalty)
        self.assertEqual(self._gl(receivable), self._penalties_unpaid(loan))
        self.assertLoanBookMatches()
        lines = loan._statement()["lines"]
        kinds = [line["kind"] for line in lines]
        self.assertEqual(
            (kinds[0], set(kinds[1:-1]), kinds[-1]), ("disbursement", {"penalty"}, "repayment")
        )
        self.assertAlmostEqual(
            sum(line["penalty_charged"] for line in lines),
            sum(loan.installment_ids.mapped("penalty")),
            places=2,
        )
        self.assertEqual(lines[-1]["charges"], first.penalty)

    def _penalties_unpaid(self, loan):
        return _money(sum(line.penalty - line.penalty_paid for line in loan.installment_ids))

    def test_in_duplum_caps_penalties_of_non_performing_loans(self):
        self.emergency.write({"penalty_rate": 2000.0, "penalty_cap_percent": 0.0})
        loan = self._loan(self.borrowers[0], self.today - timedelta(days=160))
        first = loan.installment_ids[0]
        as_of = add_months(first.due_date + timedelta(days=5), 1)
        self._run(as_of)
        self.assertEqual(loan.sasra_class, "substandard")
        self.assertEqual(
            _money(loan.arrears_interest + loan.arrears_penalty), _money(loan.principal_outstanding)
        )
        self.assertLess(first.penalty, first.total * 20)

    def test_penalty_settings_validated(self):
        with self.assertRefused(ValidationError, "cannot be negative"):
            self.emergency.penalty_grace_days = -1
        with self.assertRefused(ValidationError, "cap is a percentage"):
            self.emergency.penalty_cap_percent = 150


@tagged("post_install", "-at_install")
class TestLoanCobLedger(SaccoLoanCobCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emergency.write({"penalty_rate": 3.0})
        # Month ends before today: the close of business cannot run in the future.
        cls.month_end = cls.today.replace(day=1) - timedelta(days=1)
        cls.previous_end = cls.month_end.replace(day=1) - timedelta(days=1)

    def test_month_end_provision_and_ledgers(self):
        loans = self._class_loans(self.month_end)
        run = self._run(self.previous_end)
        provision = self.company.sacco_account_provision_id
        self.assertEqual(-self._gl(provision), _money(run.provision_amount))
        day = self.previous_end + timedelta(days=1)
        while day <= self.month_end:
            self._run(day)
            day += timedelta(days=1)
        run = self.Run.search([("date", "=", self.month_end), ("company_id", "=", self.company.id)])
        for name, loan in loans.items():
            self.assertEqual(loan.sasra_class, name)
            self.assertStanding(loan, self.month_end)
        self.assertTrue(run.provision_change)
        charges = self.env["sacco.loan.cob.charge"].search([("company_id", "=", self.company.id)])
        self.assertTrue(charges.filtered(lambda charge: charge.kind == "penalty"))
        self.assertTrue(charges.filtered(lambda charge: charge.kind == "accrual"))
        self.assertSubLedgersMatch()
        self.assertLoanBookMatches()

    def test_provision_released_when_it_falls(self):
        self._class_loans(self.month_end)
        self._run(self.previous_end)
        classes = ("watch", "substandard", "doubtful", "loss")
        self.company.write({f"sacco_provision_{name}": 0.5 for name in classes})
        run = self._run(self.month_end)
        self.assertLess(run.provision_change, 0)
        provision = self.company.sacco_account_provision_id
        released = run.move_ids.line_ids.filtered(lambda line: line.account_id == provision)
        self.assertEqual(_money(released.debit), _money(-run.provision_change))
        self.assertSubLedgersMatch()

    def test_no_provision_move_mid_month(self):
        self._class_loans(self.month_end)
        run = self._run(self.month_end - timedelta(days=1))
        self.assertFalse(run.provision_change)
        self.assertTrue(run.provision_amount)


@tagged("post_install", "-at_install")
class TestLoanCobRestart(SaccoLoanCobCommon):
    def test_crash_mid_run_resumes_without_double_posting(self):
        loan = self._loan(self.borrowers[0], self.today - timedelta(days=70))
        first = loan.installment_ids[0]
        as_of = first.due_date
        run = self.Run.create({"company_id": self.company.id, "date": as_of})
        run._phase_standing()
        run._phase_accrual()
        run.phases_done = "standing"  # the marker of the accrual phase was lost in the crash
        self.assertEqual(run.state, "running")
        resumed = self._run(as_of)
        self.assertEqual(resumed, run)
        self.assertEqual(run.state, "done")
        self.assertEqual(first.interest_receivable, first.interest)
        charges = self.env["sacco.loan.cob.charge"].search([("loan_id", "=", loan.id)])
        self.assertEqual(len(charges), 1)
        self.assertEqual(len(charges.move_id), 1)
        receivable = self.company.sacco_account_interest_receivable_id
        self.assertEqual(self._gl(receivable), _money(first.interest))

    def test_resume_button(self):
        run = self.Run.create({"company_id": self.company.id, "date": self.today})
        run.action_resume()
        self.assertEqual(run.state, "done")
