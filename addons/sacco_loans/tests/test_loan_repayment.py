from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanRepayment(SaccoLoansCommon):
    def test_cash_disbursement_and_repayment_allocation(self):
        app = self._application(
            member=self.other, product=self.emergency, amount=12000, term=3, guarantors=()
        )
        app.disbursement_channel = "cash"
        app.action_submit()
        app.action_appraise()
        app.with_user(self.officer).action_approve()
        loan = app._disburse(date=self.today)
        self.assertEqual(loan.net_disbursed, 12000)
        self.assertEqual(len(loan.installment_ids), 3)
        self.assertEqual(loan.installment_ids.mapped("principal"), [4000, 4000, 4000])
        self.assertEqual(loan.installment_ids[0].interest, 120)
        self.assertLoanBookMatches()
        # Interest before principal, oldest installment first.
        loan.repay(4200, journal=self.cash)
        first, second, _third = loan.installment_ids
        self.assertTrue(first.paid)
        self.assertEqual(second.interest_paid, 80)
        self.assertEqual(second.principal_paid, 0)
        self.assertEqual(loan.principal_outstanding, 8000)
        income = loan.sudo().move_line_ids.filtered(
            lambda line: line.account_id == self.company.sacco_account_interest_income_id
        )
        self.assertEqual(sum(income.mapped("credit")), 200)
        self.assertLoanBookMatches()

    def test_cheque_disbursement_from_a_bank_journal(self):
        bank = self.env["account.journal"].create(
            {"name": "Test Bank", "code": "TBNK", "type": "bank", "company_id": self.company.id}
        )
        app = self._application(
            member=self.other, product=self.emergency, amount=12000, term=3, guarantors=()
        )
        app.disbursement_channel = "cheque"
        app.action_submit()
        app.action_appraise()
        app.with_user(self.officer).action_approve()
        moves = self.env["account.move"].search_count([])
        with self.assertRefused(UserError, "bank account"):
            app._disburse(date=self.today)
        app.disbursement_journal_id = bank
        with self.assertRefused(UserError, "cheque number"):
            app._disburse(date=self.today)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(app.state, "approved")
        app.disbursement_reference = "000451"
        loan = app._disburse(date=self.today)
        # The cheque waits on the outstanding payments account until the bank pays it.
        paid = (
            self.env["account.move.line"]
            .search([("journal_id", "=", bank.id), ("parent_state", "=", "posted")])
            .filtered(lambda line: line.account_id == bank._sacco_money_account("outbound"))
        )
        self.assertEqual(paid.credit, loan.net_disbursed)
        self.assertIn("000451", paid.name)
        self.assertEqual(
            (loan.disbursement_journal_id, loan.disbursement_reference), (bank, "000451")
        )
        self.assertFalse(self._gl_lines(bank.default_account_id))
        self.assertLoanBookMatches()
        # The statement shows the cheque paid: reconciled, the bank account equals it.
        st_line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": bank.id,
                "date": self.today,
                "amount": -loan.net_disbursed,
                "payment_ref": "CHQ 000451",
                "partner_id": loan.partner_id.id,
            }
        )
        self.assertEqual(st_line._sacco_proposals()[st_line], paid)
        self.assertEqual(st_line._sacco_auto_reconcile(), st_line)
        self.assertTrue(paid.reconciled)
        self.assertEqual(
            sum(self._gl_lines(bank.default_account_id).mapped("balance")), st_line.amount
        )
        self.assertLoanBookMatches()

    def _gl_lines(self, account):
        return self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )

    def test_repayment_from_fosa(self):
        loan = self._disbursed_loan()
        fosa = self._account(self.member, self.fosa)
        before = fosa.balance
        loan.repay(1000, channel="fosa")
        self.assertEqual(fosa.balance, before - 1000)
        self.assertEqual(fosa.transaction_ids[0].kind, "transfer_out")
        self.assertLoanBookMatches()

    def test_bad_repayments(self):
        loan = self._disbursed_loan()
        moves = self.env["account.move"].search_count([])
        for amount in (0, -50):
            with self.assertRefused(UserError, "greater than zero"):
                loan.repay(amount, journal=self.cash)
        with self.assertRefused(UserError, "Insufficient funds"):
            loan.repay(100000, channel="fosa")
        with self.assertRefused(UserError, "settle the loan early instead"):
            loan.repay(200000, journal=self.cash)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(loan.principal_outstanding, 100000)

    def test_settlement_quote_is_interest_to_date(self):
        loan = self._disbursed_loan()
        first = loan.installment_ids[0]
        period = (first.due_date - loan.disbursed_on).days
        as_of = loan.disbursed_on + timedelta(days=10)
        quote = loan.settlement_quote(as_of)
        self.assertEqual(quote["principal"], 100000)
        expected = round(first.interest * 10 / period, 2)
        self.assertAlmostEqual(float(quote["interest"]), expected, places=2)
        self.assertEqual(quote["total"], quote["principal"] + quote["interest"])

    def test_repaying_the_whole_schedule_closes_the_loan(self):
        loan = self._disbursed_loan(
            member=self.other, product=self.emergency, amount=3000, term=3, guarantors=()
        )
        loan.repay(sum(loan.installment_ids.mapped("total")), journal=self.cash)
        self.assertEqual(loan.state, "closed")
        self.assertEqual(loan.principal_outstanding, 0)
        with self.assertRefused(UserError, "is closed; it takes no more payments"):
            loan.repay(100, journal=self.cash)
        with self.assertRefused(UserError, "is closed"):
            loan.settle(journal=self.cash)
        self.assertLoanBookMatches()

    def test_exit_obligations_include_loans(self):
        loan = self._disbursed_loan()
        self.assertEqual(self.member._exit_obligations(), loan.principal_outstanding)

    def test_teller_takes_a_repayment_and_a_settlement_on_the_screen(self):
        loan = self._disbursed_loan()
        Repay = self.env["sacco.loan.repay"].with_user(self.teller_a)
        Repay.create({"loan_id": loan.id, "amount": 2500, "journal_id": self.cash.id}).action_post()
        self.assertEqual(loan.interest_paid + (100000 - loan.principal_outstanding), 2500)
        wizard = Repay.create({"loan_id": loan.id, "mode": "settle", "journal_id": self.cash.id})
        self.assertAlmostEqual(
            wizard.settlement_amount, float(loan.settlement_quote()["total"]), places=2
        )
        wizard.action_post()
        self.assertEqual(loan.state, "closed")
        self.assertLoanBookMatches()

    def test_teller_repayment_releases_a_guarantor_pledge_in_another_branch(self):
        guarantor_b = self._create_member(name="Kiprono Cheruiyot", branch_id=self.branch_b.id)
        self._account(guarantor_b, self.deposits).deposit(60000, journal=self.cash)
        loan = self._disbursed_loan(guarantors=((self.other, 50000), (guarantor_b, 50000)))
        hold_b = loan.guarantor_ids.filtered(lambda g: g.member_id == guarantor_b).hold_id
        Repay = self.env["sacco.loan.repay"].with_user(self.teller_a)
        Repay.create(
            {"loan_id": loan.id, "amount": 20000, "journal_id": self.cash.id}
        ).action_post()
        self.assertLess(hold_b.amount, 50000)
        self.assertHoldsMatchPledges()
        self.assertLoanBookMatches()

    def test_every_method_stores_the_sacco_core_schedule(self):
        methods = dict(self.env["sacco.loan.product"]._fields["method"].selection)
        for method in methods:
            self.emergency.method = method
            loan = self._disbursed_loan(
                member=self.other, product=self.emergency, amount=6000, term=6, guarantors=()
            )
            rows = self.emergency._schedule(6000, 6, loan.disbursed_on)
            self.assertEqual(len(loan.installment_ids), 6, method)
            self.assertAlmostEqual(sum(loan.installment_ids.mapped("principal")), 6000, 2, method)
            self.assertEqual(
                loan.installment_ids.mapped("interest"), [float(r.interest) for r in rows], method
            )
            loan.settle(journal=self.cash)
            self.assertEqual(loan.state, "closed", method)
        self.assertLoanBookMatches()
