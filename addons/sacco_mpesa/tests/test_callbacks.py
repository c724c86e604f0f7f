from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import SHORTCODE, SaccoMpesaCommon

LOGGER = "odoo.addons.sacco_mpesa.controllers.main"
ACK = {"ResultCode": 0, "ResultDesc": "Accepted"}


@tagged("post_install", "-at_install")
class TestCallbackInputs(SaccoMpesaCommon):
    def _callbacks(self):
        return self.env["sacco.mpesa.callback"].search([("config_id", "=", self.config.id)])

    def test_wrong_token_is_404_and_stores_nothing(self):
        body = self.daraja.c2b_payment("TKN0000001", "100.00", self.bosa.name, SHORTCODE)
        with self.assertLogs(LOGGER, "WARNING") as logs:
            response = self._post("c2b/confirmation", body, token="not-the-token")
        self.assertEqual(response.status_code, 404)
        self.assertIn("127.0.0.1", logs.output[0])
        self.assertFalse(self._callbacks())

    def test_source_ip_allow_list(self):
        self.config.allowed_ips = "196.201.214.0/24"
        with self.assertLogs(LOGGER, "WARNING"):
            self.assertEqual(self._post("stk", "{}").status_code, 404)
        self.config.allowed_ips = "196.201.214.0/24, 127.0.0.1"
        self.assertEqual(self._post("stk", "{}").status_code, 200)

    def test_malformed_json_stored_failed_and_acknowledged(self):
        response = self._post("c2b/confirmation", '{"TransID": "ABC", ')
        self.assertEqual((response.status_code, response.json()), (200, ACK))
        callback = self._callbacks()
        self.assertEqual(callback.state, "failed")
        self.assertIn("Malformed JSON", callback.error)
        self.assertEqual(callback.body, '{"TransID": "ABC", ')
        self._post("b2c/result", "[1, 2]")
        self.assertIn("not a JSON object", self._callbacks()[0].error)

    def test_every_documented_route_acknowledges(self):
        for path in (
            "stk",
            "b2c/result",
            "b2c/timeout",
            "status/result",
            "status/timeout",
            "reversal/result",
            "reversal/timeout",
            "balance/result",
            "balance/timeout",
        ):
            self.assertEqual(self._post(path, "{}").json(), ACK, path)
        self.assertEqual(len(self._callbacks()), 9)

    def test_unknown_shortcode_and_bad_amounts_fail_the_callback(self):
        self._c2b("BAD0000001", "100.00", self.bosa.name, shortcode="999999")
        for n, amount in enumerate(("-100", "0", "abc"), start=2):
            self._c2b(f"BAD000000{n}", amount, self.bosa.name)
        self._process()
        callbacks = self._callbacks().sorted("id")
        self.assertEqual(callbacks.mapped("state"), ["failed"] * 4)
        self.assertIn("Shortcode 999999", callbacks[0].error)
        self.assertIn("greater than zero", callbacks[1].error)
        self.assertIn("not an amount", callbacks[3].error)
        self.assertFalse(
            self.env["sacco.mpesa.transaction"].search([("config_id", "=", self.config.id)])
        )
        self.assertMpesaBooksMatch()

    def test_validation_with_and_without_account_check(self):
        unknown = self.daraja.c2b_payment("VAL0000001", "100.00", "NOSUCH-1", SHORTCODE)
        known = self.daraja.c2b_payment(
            "VAL0000002", "100.00", self.member.member_number, SHORTCODE
        )
        accept = {"ResultCode": "0", "ResultDesc": "Accepted"}
        self.assertEqual(self._post("c2b/validation", unknown).json(), accept)
        self.config.c2b_validation = True
        reject = {"ResultCode": "C2B00012", "ResultDesc": "Rejected"}
        self.assertEqual(self._post("c2b/validation", unknown).json(), reject)
        self.assertEqual(self._post("c2b/validation", known).json(), accept)
        bad_amount = dict(known, TransAmount="-5")
        self.assertEqual(self._post("c2b/validation", bad_amount).json()["ResultCode"], "C2B00013")
        other = dict(known, BusinessShortCode="123456")
        self.assertEqual(self._post("c2b/validation", other).json()["ResultCode"], "C2B00015")
        states = self._callbacks().sorted("id").mapped("state")
        self.assertEqual(states, ["done", "failed", "done", "failed", "failed"])

    def test_stk_result_for_unknown_request(self):
        body = {
            "Body": {
                "stkCallback": {
                    "MerchantRequestID": "1",
                    "CheckoutRequestID": "ws_CO_unknown",
                    "ResultCode": 1032,
                    "ResultDesc": "Request cancelled by user",
                }
            }
        }
        self._post("stk", body)
        self._process()
        callback = self._callbacks()
        self.assertEqual(callback.state, "pending")  # the request may not be committed yet
        callback.received_at = fields.Datetime.now() - timedelta(hours=1)
        self._process()
        self.assertEqual(callback.state, "failed")
        self.assertIn("ws_CO_unknown", callback.error)
