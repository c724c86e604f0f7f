from datetime import timedelta

from odoo.tests import TransactionCase, tagged

from .cob_common import SaccoLoanCobCommon


@tagged("post_install", "-at_install")
class TestIntegrityAfterInstall(TransactionCase):
    def test_books_after_install_are_clean(self):
        """Whatever the database holds (demo data included), its books prove out."""
        Run = self.env["sacco.integrity.run"]
        for company in self.env["res.company"].search([]):
            run = Run._run_for(company, "manual")
            self.assertEqual(run.state, "clean", run.finding_ids.mapped("name"))


@tagged("post_install", "-at_install")
class TestLoanIntegrity(SaccoLoanCobCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Interest accrued on a due date, then a loan in every SASRA class closed for
        # yesterday (penalties, provisioning): the close of business splits items per loan.
        borrower = cls._create_member(
            name="Borrower Accruing", join_date=cls.today - timedelta(days=400)
        )
        cls._account(borrower, cls.deposits).deposit(20000, journal=cls.cash)
        cls.accruing = cls._loan(borrower, cls.today - timedelta(days=70))
        cls.Run.run_close_of_business(cls.accruing.installment_ids[0].due_date, cls.company)
        cls.loans = cls._class_loans(cls.today - timedelta(days=1))
        cls.Run.run_close_of_business(cls.today - timedelta(days=1), cls.company)
        cls.loans["watch"].repay(1500, journal=cls.cash, date=cls.today)

    def _check(self):
        return self.env["sacco.integrity.run"]._run_for(self.company, "manual")

    def _found(self, run, check):
        return run.finding_ids.filtered(lambda finding: finding.check == check)

    def test_engine_postings_and_close_of_business_leave_the_books_clean(self):
        installments = self.env["sacco.loan"].search([]).installment_ids
        self.assertTrue(sum(installments.mapped("interest_receivable")), "accruals posted")
        run = self._check()
        self.assertEqual(run.state, "clean", run.finding_ids.mapped("name"))

    def test_corrupted_interest_receivable_is_found(self):
        loan = self.accruing
        line = loan.installment_ids.filtered("interest_receivable")[:1]
        self.assertTrue(line)
        self.env.cr.execute(
            "UPDATE sacco_loan_installment SET interest_receivable = interest_receivable + 10 "
            "WHERE id = %s",
            [line.id],
        )
        run = self._check()
        found = self._found(run, "loan_gl")
        self.assertEqual(found._record(), loan)
        self.assertIn("interest receivable", found.name)
        receivable = self.emergency._interest_receivable_account()
        self.assertEqual(found.account_id, receivable)
        self.assertAlmostEqual(found.difference, -10)
        items = self.env["account.move.line"].search(found._journal_items_domain())
        self.assertTrue(items)
        self.assertEqual((items.sacco_loan_id, items.account_id), (loan, receivable))
        control = self._found(run, "loan_control_account")
        self.assertEqual(control.account_id, receivable)
        self.assertAlmostEqual(control.difference, -10)

    def test_principal_moved_between_loans_is_found(self):
        """A posted item re-pointed to another loan keeps entries balanced, sealed and the
        portfolio total right; the two loans' sub-ledgers no longer equal their items."""
        first, second = self.loans["doubtful"], self.loans["loss"]
        disbursement = first.sudo().move_line_ids.filtered(
            lambda line: line.account_id == self.emergency._portfolio_account()
        )[:1]
        self.env.cr.execute(
            "UPDATE account_move_line SET sacco_loan_id = %s WHERE id = %s",
            [second.id, disbursement.id],
        )
        run = self._check()
        found = self._found(run, "loan_gl")
        self.assertEqual(set(found.mapped("res_id")), {first.id, second.id})
        self.assertFalse(self._found(run, "loan_control_account"))
        self.assertFalse(self._found(run, "move_edited"))
