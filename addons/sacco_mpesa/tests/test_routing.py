from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SaccoMpesaCommon


@tagged("post_install", "-at_install")
class TestPaymentRouting(SaccoMpesaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loan = cls._disbursed_loan(
            member=cls.member, product=cls.emergency, amount=12000, term=6, guarantors=()
        )

    def test_account_numbers_route_money(self):
        bosa, fosa = self.bosa.balance, self.member_fosa.balance
        shares = self._account(self.member, self.shares)
        self._c2b("RTE0000001", "1000.00", self.member.member_number.lower())
        self._c2b("RTE0000002", 250, f" {self.member_fosa.name.lower()} ")
        self._c2b("RTE0000003", "300", f"{self.member.member_number}#{self.shares.code.lower()}")
        self._c2b("RTE0000004", "2100.00", self.loan.name)
        self._process()
        self.assertEqual(self.bosa.balance, bosa + 1000)
        self.assertEqual(self.member_fosa.balance, fosa + 250)
        self.assertEqual(shares.balance, 300)
        self.assertEqual(self._transaction("RTE0000004").loan_id, self.loan)
        paid = sum(self.loan.installment_ids.mapped("principal_paid")) + sum(
            self.loan.installment_ids.mapped("interest_paid")
        )
        self.assertAlmostEqual(paid, 2100, 2)
        receipts = ["RTE0000001", "RTE0000002", "RTE0000003", "RTE0000004"]
        txns = self.env["sacco.mpesa.transaction"].search([("name", "in", receipts)])
        self.assertEqual(set(txns.mapped("state")), {"posted"})
        # The three deposits went in one entry (bulk posting); the repayment in its own.
        self.assertEqual(len(txns.move_id), 2)
        self.assertMpesaBooksMatch()

    def test_payments_post_on_their_day_in_nairobi(self):
        """Processed by a user on UTC, a batch straddling midnight in Nairobi posts each
        payment on its own Kenyan business day (one entry per day)."""
        self.env.user.tz = "UTC"
        before = self.bosa.balance
        self._c2b("RTE0000011", "400", self.member.member_number, trans_time="20261130235930")
        self._c2b("RTE0000012", "600", self.member.member_number, trans_time="20261201003000")
        self._process()
        last_day, first_day = self._transaction("RTE0000011"), self._transaction("RTE0000012")
        self.assertEqual(str(last_day.move_id.date), "2026-11-30")
        self.assertEqual(str(first_day.move_id.date), "2026-12-01")
        self.assertEqual(self.bosa.balance, before + 1000)
        self.assertMpesaBooksMatch()

    def test_default_destination_fosa(self):
        self.config.default_destination = "fosa"
        fosa = self.member_fosa.balance
        self._c2b("RTE0000010", "400", self.member.member_number)
        self._process()
        self.assertEqual(self.member_fosa.balance, fosa + 400)

    def test_unknown_account_waits_in_suspense_then_allocated(self):
        self._c2b("SUS0000001", "1500.00", "NO SUCH ACCT")
        self._c2b("SUS0000002", "700.00", "")
        self._process()
        first, second = self._transaction("SUS0000001"), self._transaction("SUS0000002")
        self.assertEqual((first.state, second.state), ("suspense", "suspense"))
        self.assertIn("NO SUCH ACCT", first.note)
        self.assertMpesaBooksMatch()

        wizard = self.env["sacco.mpesa.transaction.allocate"].with_user(self.teller_a)
        with self.assertRefused(AccessError, "not allowed to create"):
            wizard.with_context(default_transaction_id=first.id).create(
                {"member_id": self.member.id, "target": "loan", "loan_id": self.loan.id}
            ).action_allocate()
        self.env["sacco.mpesa.transaction.allocate"].with_user(self.accountant).with_context(
            default_transaction_id=first.id
        ).create(
            {"member_id": self.member.id, "target": "loan", "loan_id": self.loan.id}
        ).action_allocate()
        self.assertEqual((first.state, first.proposal), ("suspense", "allocate"))
        with self.assertRefused(UserError, "second person"):
            first.with_user(self.accountant).action_approve()
        first.with_user(self.manager).action_approve()
        self.assertEqual((first.state, first.loan_id), ("allocated", self.loan))
        self.assertEqual((first.approved_by_id, first.proposal), (self.manager, False))
        bosa = self.bosa.balance
        second.with_user(self.accountant)._allocate(account=self.bosa)
        self.assertEqual(self.bosa.balance, bosa + 700)
        with self.assertRefused(UserError, "Only payments in suspense"):
            second._allocate(account=self.bosa)
        self.assertMpesaBooksMatch()

    def test_refused_repayment_goes_to_suspense(self):
        self.emergency.overpayment_action = "refuse"
        self._c2b("SUS0000003", "999999", self.loan.name)
        self._process()
        txn = self._transaction("SUS0000003")
        self.assertEqual(txn.state, "suspense")
        self.assertEqual(txn.member_id, self.member)
        self.assertIn("settle the loan", txn.note)
        self.assertMpesaBooksMatch()

    def test_closed_account_does_not_hold_back_the_batch(self):
        other_bosa = self._account(self.other, self.deposits)
        other_bosa.sudo().state = "closed"
        self._c2b("FRZ0000001", "100", other_bosa.name)
        self._c2b("FRZ0000002", "100", self.bosa.name)
        self._process()
        self.assertEqual(self._transaction("FRZ0000001").state, "suspense")
        self.assertEqual(self._transaction("FRZ0000002").state, "posted")
        self.assertMpesaBooksMatch()

    def test_same_receipt_by_stk_and_c2b_and_twice_more(self):
        self.daraja.stk_result = {"code": 0, "receipt": "DUP0000001"}
        request = self.env["sacco.mpesa.request"].request_stk_push(
            self.member, self.member.phone, 800, self.bosa, "dup-1"
        )
        bosa = self.bosa.balance
        stk = self.daraja.outbox[0]
        self._c2b("DUP0000001", "800.00", request.account_reference)  # C2B first
        self.daraja.deliver()
        self._c2b("DUP0000001", "800.00", request.account_reference)
        self.daraja.queue(*stk)
        self.daraja.deliver()
        self._process()
        txn = self._transaction("DUP0000001")
        self.assertEqual(len(txn), 1)
        self.assertEqual(
            (txn.state, txn.request_id, txn.savings_account_id), ("posted", request, self.bosa)
        )
        self.assertEqual(self.bosa.balance, bosa + 800)
        self.assertEqual(request.state, "done")
        callbacks = self.env["sacco.mpesa.callback"].search([("receipt", "=", "DUP0000001")])
        self.assertEqual(len(callbacks), 4)
        self.assertEqual(callbacks.mapped("duplicate").count(True), 3)
        self.assertMpesaBooksMatch()

    def test_loan_stk_uses_member_number_as_reference(self):
        request = self.env["sacco.mpesa.request"].request_stk_push(
            self.member, self.member.phone, 500, self.loan, "loan-1"
        )
        self.assertEqual(request.account_reference, self.member.member_number)
        self.daraja.deliver()
        self._process()
        self.assertEqual(request.transaction_id.loan_id, self.loan)
        self.assertMpesaBooksMatch()
