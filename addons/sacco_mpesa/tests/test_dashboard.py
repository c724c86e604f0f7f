from odoo.tests import tagged

from ..models.sacco_mpesa_request import timestamp_now
from .common import SaccoMpesaCommon


@tagged("post_install", "-at_install")
class TestDashboard(SaccoMpesaCommon):
    def _paid(self, trans_id, amount, bill_ref, at=None):
        body = self.daraja.c2b_payment(trans_id, amount, bill_ref, self.config.shortcode)
        body["TransTime"] = at or timestamp_now()
        self._post("c2b/confirmation", body)

    def test_shortcode_card(self):
        self._paid("DSH0000001", "1000", self.member.member_number)
        self._paid("DSH0000002", "250", "NOBODY")
        self._paid("DSH0000003", "75", self.member.member_number, at="20240101120000")
        self._process()
        self._transaction("DSH0000002").with_user(self.accountant).propose_refund("0712345678")
        config = self.config.with_user(self.accountant)
        self.assertEqual(
            (
                config.today_count,
                config.today_c2b_amount,
                config.suspense_count,
                config.suspense_amount,
                config.to_approve_count,
            ),
            (2, 1250, 1, 250, 1),
        )
        suspense = self.env["sacco.mpesa.transaction"].search(
            config.action_open_suspense()["domain"]
        )
        self.assertEqual(suspense.mapped("name"), ["DSH0000002"])
        today = self.env["sacco.mpesa.transaction"].search(config.action_open_today()["domain"])
        self.assertEqual(len(today), 2)
