from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoMpesaCommon


@tagged("post_install", "-at_install")
class TestStkPush(SaccoMpesaCommon):
    def _push(self, amount=500, target=None, key=None):
        return self.env["sacco.mpesa.request"].request_stk_push(
            self.member, self.member.phone, amount, target or self.bosa, key
        )

    def test_stk_deposit_posts_once_and_sends_receipt(self):
        request = self._push(key="ussd-session-1")
        self.assertEqual(request.state, "pending")
        self.assertTrue(request.checkout_request_id.startswith("ws_CO_"))
        push = self.daraja.calls("/mpesa/stkpush")[-1]["body"]
        self.assertEqual(push["AccountReference"], self.bosa.name)
        self.assertEqual(push["PartyA"], self.member.phone.lstrip("+"))
        # The channel retries with the same key: the same request, no second prompt.
        self.assertEqual(self._push(key="ussd-session-1"), request)
        self.assertEqual(len(self.daraja.calls("/mpesa/stkpush")), 1)

        answers = self.daraja.deliver()
        self.assertEqual(answers, [(200, '{"ResultCode": 0, "ResultDesc": "Accepted"}')])
        callback = self.env["sacco.mpesa.callback"].search(
            [("kind", "=", "stk"), ("config_id", "=", self.config.id)]
        )
        self.assertEqual(callback.state, "pending")
        balance = self.bosa.balance
        self._process()
        self.assertEqual((request.state, request.result_code), ("done", "0"))
        txn = request.transaction_id
        self.assertEqual(
            (txn.state, txn.savings_account_id, txn.amount), ("posted", self.bosa, 500)
        )
        self.assertEqual(self.bosa.balance, balance + 500)
        sms = self.env["sacco.sms.message"].search([("member_id", "=", self.member.id)])
        self.assertIn(txn.name, sms[:1].body)
        self.assertMpesaBooksMatch()

    def test_amount_rounded_up_and_bad_amounts_refused(self):
        request = self._push(amount=100.40)
        self.assertEqual(request.amount, 101)
        for amount in (0, -5, "abc"):
            with self.assertRefused(UserError, "amount|Amount"):
                self._push(amount=amount)

    def test_target_must_be_the_members(self):
        with self.assertRefused(UserError, "savings accounts or loans"):
            self._push(target=self._account(self.other, self.deposits))

    def test_cancelled_by_user_fails_the_request(self):
        self.daraja.stk_result = {"code": 1032, "receipt": None}
        request = self._push()
        self.daraja.deliver()
        self._process()
        self.assertEqual((request.state, request.result_code), ("failed", "1032"))
        self.assertFalse(request.transaction_id)
        self.assertMpesaBooksMatch()

    def test_refused_push_and_unreachable_daraja(self):
        self.config.sudo().passkey = "wrong"
        request = self._push()
        self.assertEqual((request.state, request.result_code), ("failed", "500.001.1001"))
        self.config.sudo().base_url = "http://127.0.0.1:9"  # nothing listens: retried, then failed
        self.config.sudo().passkey = "x"
        self.assertEqual(self._push(amount=600).state, "failed")

    def test_stale_pending_request_resolved_by_query(self):
        request = self._push()
        self.daraja.outbox.clear()  # the callback never arrives
        request.submitted_at = fields.Datetime.now() - timedelta(minutes=10)
        self.env["sacco.mpesa.request"]._cron_query_stale()
        self.assertEqual((request.state, request.result_code), ("done", "0"))
        self.assertFalse(request.discrepancy)

    def test_query_disagreeing_with_callback_is_flagged(self):
        request = self._push()
        self.daraja.deliver()
        self._process()
        self.daraja.stk_outcomes[request.checkout_request_id]["ResultCode"] = 1032
        request.action_query()
        self.assertEqual(request.state, "done")
        self.assertIn("1032", request.discrepancy)

    def test_deferred_push_for_ussd(self):
        request = self.env["sacco.mpesa.request"].request_stk_push(
            self.member, self.member.phone, 200, self.bosa, "ussd-2", defer=True
        )
        self.assertEqual(request.state, "draft")
        self.env["sacco.mpesa.request"]._cron_submit()
        self.assertEqual(request.state, "pending")

    def test_check_status_processes_received_results(self):
        request = self._push()
        self.daraja.deliver()
        request.action_refresh()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.transaction_id.state, "posted")
