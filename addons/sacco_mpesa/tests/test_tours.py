from odoo.tests import tagged

from .common import SaccoMpesaCommon


@tagged("post_install", "-at_install")
class TestMpesaTours(SaccoMpesaCommon):
    def test_teller_requests_stk_payment_and_sees_it_complete(self):
        """From the member's form a teller sends an STK Push; Daraja posts the result back
        to our callback URL; "Check Status" shows the request done."""
        self.daraja.auto_deliver = True
        balance = self.bosa.balance
        self.start_tour(
            f"/odoo/action-sacco_base.sacco_member_action/{self.member.id}",
            "sacco_mpesa_teller_stk_push",
            login=self.teller_a.login,
        )
        self._process()  # what the background job does if the result came after the click
        request = self.env["sacco.mpesa.request"].search([("member_id", "=", self.member.id)])
        self.assertEqual(
            (request.state, request.amount, request.user_id), ("done", 750, self.teller_a)
        )
        self.assertEqual(self.bosa.balance, balance + 750)
        self.assertMpesaBooksMatch()
