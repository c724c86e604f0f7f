from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import SaccoMpesaCommon


@tagged("post_install", "-at_install")
class TestYearEndPayout(SaccoMpesaCommon):
    """Last year's interest on deposits paid by B2C to the members who chose M-Pesa; the
    others are credited to FOSA as before."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_initiator(password="pw")
        cls.year = cls.today.year - 1
        cls.other_bosa = cls._account(cls.other, cls.deposits)
        cls.other_fosa = cls._account(cls.other, cls.fosa)
        cls.bosa.deposit(12345, date=date(cls.year, 1, 10))
        cls.other_bosa.deposit(20000, date=date(cls.year, 1, 10))
        cls.member.mpesa_payout = True

    def _paid_year_end(self):
        year_end = self.env["sacco.savings.year.end"].create(
            {
                "year": self.year,
                "product_ids": [Command.set(self.deposits.ids)],
                "deposit_rate": 10.0,
                "dividend_rate": 0.0,
            }
        )
        year_end.action_compute()
        year_end.action_post()
        year_end.action_pay()
        return year_end

    def _net(self, year_end, member):
        return sum(year_end.line_ids.filtered(lambda line: line.member_id == member).mapped("net"))

    def test_interest_paid_by_mpesa_to_those_who_chose_it(self):
        fosa, other_fosa = self.member_fosa.balance, self.other_fosa.balance
        year_end = self._paid_year_end()
        net = self._net(year_end, self.member)
        request = year_end.mpesa_request_ids
        self.assertEqual(
            (request.member_id, request.purpose, request.state), (self.member, "dividend", "draft")
        )
        self.assertEqual(request.amount, int(net))
        # Cents, which M-Pesa cannot send, went to the member's FOSA; the other member's
        # interest was credited to FOSA as usual.
        self.assertAlmostEqual(self.member_fosa.balance, fosa + net - int(net), 2)
        self.assertAlmostEqual(
            self.other_fosa.balance, other_fosa + self._net(year_end, self.other), 2
        )
        self.assertTrue(all(year_end.line_ids.mapped("paid")))
        self.assertMpesaBooksMatch()
        self.env["sacco.mpesa.request"]._cron_submit()
        payload = self.daraja.calls("/mpesa/b2c")[-1]["body"]
        self.assertEqual(
            (payload["Amount"], payload["PartyB"]), (str(int(net)), self.member.phone.lstrip("+"))
        )
        self.daraja.deliver()
        self._process()
        self.assertEqual(request.state, "done")
        self.assertMpesaBooksMatch()

    def test_failed_payout_goes_to_fosa(self):
        self.daraja.b2c_result_code = 2001
        fosa = self.member_fosa.balance
        year_end = self._paid_year_end()
        self.env["sacco.mpesa.request"]._cron_submit()
        self.daraja.deliver()
        self._process()
        self.assertEqual(year_end.mpesa_request_ids.state, "failed")
        self.assertAlmostEqual(self.member_fosa.balance, fosa + self._net(year_end, self.member), 2)
        self.assertMpesaBooksMatch()
