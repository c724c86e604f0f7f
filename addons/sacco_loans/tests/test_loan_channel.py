import re
from decimal import Decimal

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError

from .common import SaccoLoansCommon


class TestLoanChannel(SaccoLoansCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instant = cls._instant_loan_product()
        cls.product.channel_ok = True
        cls.Application = cls.env["sacco.loan.application"]
        # Channels call from a public route as the public user, in sudo.
        cls.Channel = cls.Application.with_user(cls.env.ref("base.public_user")).sudo()

    def _kes(self, amount):
        return self.company.currency_id.format(amount)

    def test_eligibility_from_the_appraisal_rules(self):
        eligibility = self.Application._sacco_channel_eligibility(self.member, self.instant)
        self.assertEqual(eligibility["max_amount"], Decimal("40000.00"))
        self.assertEqual(eligibility["min_amount"], Decimal("500.00"))
        self.assertEqual(eligibility["terms"], [1, 2, 3])
        self.assertIn(f"1.0 times free deposits of {self._kes(40000)}", eligibility["reasons"][0])
        self.instant.min_membership_months = 6
        eligibility = self.Application._sacco_channel_eligibility(self.member, self.instant)
        self.assertEqual(eligibility["max_amount"], 0)
        self.assertIn("needs 6 months of membership", eligibility["reasons"][0])
        eligibility = self.Application._sacco_channel_eligibility(self.member, self.emergency)
        self.assertEqual(eligibility["max_amount"], 0)
        self.assertIn("not offered on mobile channels", eligibility["reasons"][0])

    def test_eligibility_keeps_a_third_of_the_latest_payslip(self):
        eligibility = self.Application._sacco_channel_eligibility(self.member, self.product)
        self.assertEqual(eligibility["max_amount"], 0)
        self.assertIn("needs your payslip", eligibility["reasons"][-1])
        self._application().write({"basic_pay": 30000, "total_deductions": 15000})
        eligibility = self.Application._sacco_channel_eligibility(self.member, self.product)
        most = eligibility["max_amount"]
        self.assertIn(f"Installments up to {self._kes(5000)}", eligibility["reasons"][1])
        self.assertTrue(Decimal(1000) < most < Decimal(120000))
        schedule = self.product._schedule(most, 24, self.today)
        self.assertLessEqual(max(row.total for row in schedule), Decimal(5000))
        schedule = self.product._schedule(most + 1, 24, self.today)
        self.assertGreater(max(row.total for row in schedule), Decimal(5000))
        self.assertIn("Needs at least 2 guarantors", eligibility["reasons"][-1])

    def test_instant_loan_is_approved_by_the_system_and_paid_to_fosa(self):
        fosa = self._account(self.member, self.fosa)
        balance = fosa.balance
        app = self.Channel._sacco_channel_apply(self.member, self.instant, "10000", 2)
        self.assertEqual(app.state, "disbursed")
        self.assertEqual(app.approved_by_id.id, SUPERUSER_ID)
        self.assertIn("Approved by the system", " ".join(app.message_ids.mapped("body")))
        self.assertEqual(app.loan_id.state, "active")
        self.assertAlmostEqual(fosa.balance, balance + app.loan_id.net_disbursed, 2)
        self.assertEqual(app.channel, "ussd")
        self.assertLoanBookMatches()

    def test_above_the_instant_limit_waits_for_the_officer(self):
        app = self.Channel._sacco_channel_apply(self.member, self.instant, 30000, 3, channel="app")
        self.assertEqual((app.state, app.channel), ("appraised", "app"))
        self.assertFalse(app.loan_id)

    def test_failed_appraisal_is_left_in_the_queue_with_the_reason(self):
        self._application().write({"basic_pay": 30000, "total_deductions": 15000})
        self.instant.payslip_required = True
        most = self.Application._sacco_channel_eligibility(self.member, self.instant)["max_amount"]
        app = self.Channel._sacco_channel_apply(self.member, self.instant, most, 1)
        self.assertEqual(app.state, "submitted")
        self.assertIn("third of the basic pay", " ".join(app.message_ids.mapped("body")))

    def test_guarantors_are_asked_and_the_officer_decides(self):
        self._application().action_cancel()  # the payslip the member gave before
        app = self.Channel._sacco_channel_apply(
            self.member,
            self.product,
            100000,
            12,
            guarantors=[(self.other, 30000), (self.guarantor, "30000")],
            channel="app",
        )
        self.assertEqual(app.state, "submitted")
        self.assertEqual(app.basic_pay, 100000)
        self.assertEqual(app.guarantor_ids.mapped("consent_state"), ["requested", "requested"])
        self.assertEqual(self.guarantor._sacco_guarantee_requests().application_id, app)
        for line in app.guarantor_ids:
            line.sudo().action_accept_guarantee(channel="app")
        app.with_user(self.officer).action_appraise()
        app.with_user(self.committee).action_approve()
        self.assertEqual(app.state, "approved")

    def test_channel_refuses_bad_requests(self):
        member, instant = self.member, self.instant
        cases = [
            ((member, self.emergency, 5000, 2), "not offered on mobile channels"),
            (
                (member, instant, 40000.01, 2),
                re.escape(f"from {self._kes(500)} to {self._kes(40000)}"),
            ),
            ((member, instant, 499, 2), re.escape(f"from {self._kes(500)}")),
            ((member, instant, "ten", 2), "in figures"),
            ((member, instant, 5000, 4), "repaid in 1 to 3 months"),
        ]
        for args, message in cases:
            with self.subTest(message), self.assertRefused(UserError, message):
                self.Channel._sacco_channel_apply(*args)
        with self.assertRefused(UserError, "FOSA or M-Pesa"):
            self.Channel._sacco_channel_apply(member, instant, 5000, 2, disburse_to="cash")
        with self.assertRefused(UserError, "Unknown channel"):
            self.Channel._sacco_channel_apply(member, instant, 5000, 2, channel="web")
        with self.assertRefused(UserError, "cannot guarantee"):
            self.Channel._sacco_channel_apply(member, instant, 5000, 2, guarantors=[(member, 1000)])
        with self.assertRefused(UserError, "needs at least 2 guarantors"):
            self._application().action_cancel()
            self.Channel._sacco_channel_apply(member, self.product, 5000, 2)
        self.assertFalse(self.Application.search([("member_id", "=", member.id)]))
