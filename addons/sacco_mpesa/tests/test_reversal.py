import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoMpesaCommon


@tagged("post_install", "-at_install")
class TestReversal(SaccoMpesaCommon):
    """A wrong payment given back by M-Pesa's Reversal API: proposed by one accountant,
    approved by another, and our posting reversed (by reversing entries) once the result
    arrives, however often it arrives."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_initiator()
        cls.loan = cls._disbursed_loan(
            member=cls.member, product=cls.emergency, amount=12000, term=6, guarantors=()
        )

    def _paid(self, receipt, amount, bill_ref):
        self._c2b(receipt, amount, bill_ref)
        self._process()
        return self._transaction(receipt)

    def _reverse(self, txn, reason="Paid to the wrong SACCO"):
        txn.with_user(self.accountant).propose_reversal(reason)
        txn.with_user(self.manager).action_approve()
        self.env["sacco.mpesa.request"]._cron_submit()
        return self.env["sacco.mpesa.request"].search(
            [("transaction_id", "=", txn.id), ("kind", "=", "reversal")], order="id desc", limit=1
        )

    def _moves(self):
        return self.env["account.move"].search_count([])

    def test_deposit_reversed_once_whatever_the_deliveries(self):
        bosa = self.bosa.balance
        txn = self._paid("REV0000001", "1000.00", self.member.member_number)
        self.assertEqual(self.bosa.balance, bosa + 1000)
        txn.with_user(self.accountant).propose_reversal("Member paid twice")
        # Held meanwhile: the member cannot withdraw what is being given back.
        self.assertAlmostEqual(self.bosa.held_amount, 1000, 2)
        self.assertFalse(self.daraja.calls("/mpesa/reversal"))
        with self.assertRefused(UserError, "second person"):
            txn.with_user(self.accountant).action_approve()
        txn.with_user(self.manager).action_approve()
        request = txn.env["sacco.mpesa.request"].search(
            [("kind", "=", "reversal"), ("transaction_id", "=", txn.id)]
        )
        self.assertEqual((txn.state, request.state), ("reversing", "draft"))
        self.env["sacco.mpesa.request"]._cron_submit()
        self.assertEqual(request.state, "pending")
        payload = self.daraja.calls("/mpesa/reversal")[-1]["body"]
        self.assertEqual(
            (
                payload["CommandID"],
                payload["TransactionID"],
                payload["Amount"],
                payload["ReceiverParty"],
                payload["RecieverIdentifierType"],
                payload["OriginatorConversationID"],
            ),
            (
                "TransactionReversal",
                "REV0000001",
                "1000",
                self.config.shortcode,
                "11",
                request.originator_id,
            ),
        )
        self.assertTrue(payload["ResultURL"].endswith(f"/{self.token}/reversal/result"))
        body = self.daraja.outbox[-1][1]
        self.daraja.deliver()
        self._process()
        self.assertEqual((txn.state, request.state), ("reversed", "done"))
        self.assertEqual(self.bosa.balance, bosa)
        self.assertAlmostEqual(self.bosa.held_amount, 0, 2)
        self.assertEqual(txn.reversal_move_id.reversed_entry_id, txn.move_id)
        # The same result again (Daraja retries; two workers): nothing more is posted.
        moves = self._moves()
        self._post("reversal/result", json.dumps(body))
        self._post("reversal/result", body)
        self._process()
        self.assertEqual(self._moves(), moves)
        self.assertEqual(self.bosa.balance, bosa)
        self.assertMpesaBooksMatch()

    def test_one_deposit_of_a_bulk_entry_reversed(self):
        fosa, bosa = self.member_fosa.balance, self.bosa.balance
        self._c2b("REV0000011", "400", self.member_fosa.name)
        self._c2b("REV0000012", "600", self.member.member_number)
        self._process()
        first, second = self._transaction("REV0000011"), self._transaction("REV0000012")
        self.assertEqual(first.move_id, second.move_id)
        self._reverse(first)
        self.daraja.deliver()
        self._process()
        self.assertEqual((first.state, second.state), ("reversed", "posted"))
        self.assertEqual((self.member_fosa.balance, self.bosa.balance), (fosa, bosa + 600))
        self.assertEqual(first.move_id.state, "posted")  # never edited nor cancelled
        self.assertMpesaBooksMatch()

    def test_suspense_payment_reversed(self):
        txn = self._paid("REV0000021", "750", "NOBODY")
        self.assertEqual(txn.state, "suspense")
        self._reverse(txn, "Unknown payer asked for it back")
        self.assertMpesaBooksMatch()  # still in suspense while M-Pesa decides
        with self.assertRefused(UserError, "Only payments in suspense"):
            txn._allocate(account=self.bosa)
        self.daraja.deliver()
        self._process()
        self.assertEqual(txn.state, "reversed")
        self.assertMpesaBooksMatch()

    def test_failed_reversal_puts_the_payment_back(self):
        self.daraja.reversal_result_code = "R000002"
        bosa = self.bosa.balance
        txn = self._paid("REV0000031", "500", self.member.member_number)
        request = self._reverse(txn)
        self.daraja.deliver()
        self._process()
        self.assertEqual((request.state, request.result_code), ("failed", "R000002"))
        self.assertEqual((txn.state, self.bosa.balance), ("posted", bosa + 500))
        self.assertAlmostEqual(self.bosa.held_amount, 0, 2)
        self.assertMpesaBooksMatch()

    def test_timeout_then_retry_reversed_once(self):
        bosa = self.bosa.balance
        txn = self._paid("REV0000041", "300", self.member.member_number)
        first = self._reverse(txn)
        self.daraja.outbox.clear()  # M-Pesa reversed it, but the result is lost
        self._post(
            "reversal/timeout", {"Result": {"OriginatorConversationID": first.originator_id}}
        )
        self._process()
        self.assertEqual((first.state, txn.state), ("unknown", "reversing"))
        self.daraja.reversal_result_code = "R000001"  # already reversed
        first.with_user(self.accountant).action_retry_reversal()
        retry = self.env["sacco.mpesa.request"].search(
            [("transaction_id", "=", txn.id), ("kind", "=", "reversal"), ("id", "!=", first.id)]
        )
        self.assertNotEqual(retry.originator_id, first.originator_id)
        self.daraja.deliver()
        self._process()
        self.assertEqual((first.state, retry.state, txn.state), ("failed", "done", "reversed"))
        self.assertEqual(self.bosa.balance, bosa)
        self.assertMpesaBooksMatch()

    def test_loan_repayment_reversed_once(self):
        loan = self.loan.sudo()
        txn = self._paid("REV0000071", "1000", loan.name)
        self.assertEqual((txn.state, txn.loan_id), ("posted", loan))
        repayment = loan.repayment_ids
        self.assertEqual((repayment.move_id, repayment.channel), (txn.move_id, "mpesa"))
        request = self._reverse(txn, "Paid to the wrong loan")
        self.assertEqual((txn.state, repayment.state), ("reversing", "posted"))
        body = self.daraja.outbox[-1][1]
        self.daraja.deliver()
        self._process()
        self.assertEqual(
            (txn.state, request.state, repayment.state), ("reversed", "done", "reversed")
        )
        self.assertEqual(txn.reversal_move_id, repayment.reversal_move_id)
        self.assertEqual(txn.reversal_move_id.reversed_entry_id, txn.move_id)
        self.assertEqual(loan.principal_outstanding, 12000)
        self.assertFalse(any(loan.installment_ids.mapped("interest_paid")))
        moves = self._moves()
        self._post("reversal/result", body)
        self._process()
        self.assertEqual(self._moves(), moves)
        self.assertMpesaBooksMatch()

    def test_what_cannot_be_reversed(self):
        earlier = self._paid("REV0000051", "1000", self.loan.name)
        later = self._paid("REV0000053", "500", self.loan.name)
        with self.assertRefused(UserError, "reverse the latest first"):
            earlier.with_user(self.accountant).propose_reversal("Wrong loan")
        later.with_user(self.accountant).propose_reversal("Wrong loan")
        self.assertEqual(later.proposal, "reversal")
        deposit = self._paid("REV0000052", "200", self.member_fosa.name)
        with self.assertRefused(UserError, "Say why"):
            deposit.with_user(self.accountant).propose_reversal(" ")
        self.member_fosa._place_hold(self.member_fosa.available_balance, "Court order")
        with self.assertRefused(UserError, "Insufficient funds"):
            deposit.with_user(self.accountant).propose_reversal("Too late")
        self.assertFalse(deposit.proposal)

    def test_reversal_that_cannot_be_sent_restores_the_payment(self):
        self.config.sudo().initiator_password = False
        txn = self._paid("REV0000061", "100", self.member.member_number)
        request = self._reverse(txn)
        self.assertEqual((request.state, txn.state), ("failed", "posted"))
        self.assertIn("initiator", request.result_desc)
        self.assertAlmostEqual(self.bosa.held_amount, 0, 2)

    def test_unknown_reversal_result_fails_the_callback(self):
        self._post(
            "reversal/result", {"Result": {"OriginatorConversationID": "NOPE", "ResultCode": 0}}
        )
        self._process()
        callback = self.env["sacco.mpesa.callback"].search(
            [("kind", "=", "reversal_result"), ("config_id", "=", self.config.id)]
        )
        self.assertEqual(callback.state, "failed")
        self.assertIn("NOPE", callback.error)
