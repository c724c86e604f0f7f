from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SaccoMpesaCommon


@tagged("post_install", "-at_install")
class TestB2cPayouts(SaccoMpesaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_initiator()
        cls.member_fosa.deposit(20000, journal=cls.cash)

    def _clearing(self):
        return self._gl(self.config.clearing_account_id)

    def _open_payouts(self):
        requests = self.env["sacco.mpesa.request"].search(
            [("kind", "=", "b2c"), ("state", "in", ("submitted", "pending", "unknown"))]
        )
        return sum(requests.mapped("amount"))

    def test_fosa_withdrawal_to_mpesa(self):
        balance = self.member_fosa.balance
        request = self.env["sacco.mpesa.request"].request_b2c(
            self.member, self.member.phone, 3000, self.member_fosa
        )
        self.assertEqual(request.state, "pending")
        payload = self.daraja.calls("/mpesa/b2c")[-1]["body"]
        self.assertEqual(payload["OriginatorConversationID"], request.originator_id)
        self.assertEqual(payload["Amount"], "3000")
        # Money left the member's account into clearing at submission (with the charge).
        charge, excise = self.member_fosa._withdrawal_charges(3000)
        self.assertAlmostEqual(self.member_fosa.balance, balance - 3000 - charge - excise, 2)
        self.assertAlmostEqual(self._clearing(), -3000, 2)
        self.assertAlmostEqual(self._clearing(), -self._open_payouts(), 2)
        self.daraja.deliver()
        self._process()
        self.assertEqual((request.state, request.charge), ("done", 9))
        self.assertAlmostEqual(self._clearing(), 0, 2)
        self.assertAlmostEqual(self._gl(self.config.charges_account_id), 9, 2)
        self.assertMpesaBooksMatch()

    def test_deferred_withdrawal_holds_the_money_at_once_and_the_job_pays(self):
        balance = self.member_fosa.balance
        charge = self.member_fosa._withdrawal_charge(3000, channel="mpesa")
        request = self.env["sacco.mpesa.request"].request_b2c(
            self.member, self.member.phone, 3000, self.member_fosa, defer=True
        )
        self.assertEqual(request.state, "draft")
        self.assertFalse(self.daraja.calls("/mpesa/b2c"))
        self.assertAlmostEqual(self.member_fosa.balance, balance - 3000 - float(charge), 2)
        self.assertAlmostEqual(self._clearing(), -3000, 2)
        self.assertMpesaBooksMatch()
        self.env["sacco.mpesa.request"]._cron_submit()
        self.assertEqual(request.state, "pending")
        self.assertEqual(len(self.daraja.calls("/mpesa/b2c")), 1)
        self.daraja.deliver()
        self._process()
        self.assertEqual(request.state, "done")
        self.assertMpesaBooksMatch()

    def test_instant_channel_loan_is_paid_by_mpesa_from_the_job(self):
        self.emergency.write(
            {
                "channel_ok": True,
                "instant_approval": True,
                "instant_approval_limit": 20000,
                "payslip_required": False,
            }
        )
        app = (
            self.env["sacco.loan.application"]
            .with_user(self.env.ref("base.public_user"))
            .sudo()
            ._sacco_channel_apply(self.member, self.emergency, 10000, 6, disburse_to="mpesa")
        )
        self.assertEqual(app.state, "disbursed")
        request = self.env["sacco.mpesa.request"].search([("loan_id", "=", app.loan_id.id)])
        self.assertEqual((request.state, request.amount), ("draft", app.loan_id.net_disbursed))
        self.assertFalse(self.daraja.calls("/mpesa/b2c"))
        self.env["sacco.mpesa.request"]._cron_submit()
        self.daraja.deliver()
        self._process()
        self.assertEqual(request.state, "done")
        self.assertMpesaBooksMatch()

    def test_failed_withdrawal_is_reversed(self):
        self.daraja.b2c_result_code = 2001
        balance = self.member_fosa.balance
        request = self.env["sacco.mpesa.request"].request_b2c(
            self.member, self.member.phone, 2000, self.member_fosa
        )
        self.daraja.deliver()
        self._process()
        self.assertEqual((request.state, request.result_code), ("failed", "2001"))
        self.assertEqual(self.member_fosa.balance, balance)
        self.assertAlmostEqual(self._clearing(), 0, 2)
        self.assertMpesaBooksMatch()

    def test_loan_disbursed_to_mpesa_fails_then_succeeds(self):
        self.daraja.b2c_result_code = 2001
        first = self._disbursed_by_mpesa()
        self.daraja.deliver()
        self._process()
        failed = self.env["sacco.mpesa.request"].search([("loan_id", "=", first.id)])
        self.assertEqual(failed.state, "failed")
        # The loan stands; its net went to the member's FOSA account instead.
        self.assertAlmostEqual(self._clearing(), 0, 2)
        self.daraja.b2c_result_code = 0
        second = self._disbursed_by_mpesa(self.other)
        self.assertAlmostEqual(self._clearing(), -second.net_disbursed, 2)
        self.daraja.deliver()
        self._process()
        done = self.env["sacco.mpesa.request"].search([("loan_id", "=", second.id)])
        self.assertEqual((done.state, done.amount), ("done", second.net_disbursed))
        self.assertAlmostEqual(self._clearing(), 0, 2)
        self.assertMpesaBooksMatch()

    def _disbursed_by_mpesa(self, member=None):
        app = self._application(
            member=member, product=self.emergency, amount=10000, term=6, guarantors=()
        )
        app.disbursement_channel = "mpesa"
        app.action_submit()
        app.action_appraise()
        app.with_user(self.committee).action_approve()
        return app._disburse()

    def test_timeout_leaves_outcome_unknown(self):
        request = self.env["sacco.mpesa.request"].request_b2c(
            self.member, self.member.phone, 1000, self.member_fosa
        )
        self.daraja.outbox.clear()
        self._post("b2c/timeout", {"Result": {"OriginatorConversationID": request.originator_id}})
        self._process()
        self.assertEqual(request.state, "unknown")
        self.assertAlmostEqual(self._clearing(), -1000, 2)

    def test_result_for_unknown_request_fails_the_callback(self):
        self._post("b2c/result", {"Result": {"OriginatorConversationID": "NOPE", "ResultCode": 0}})
        self._process()
        callback = self.env["sacco.mpesa.callback"].search(
            [("kind", "=", "b2c_result"), ("config_id", "=", self.config.id)]
        )
        self.assertEqual(callback.state, "failed")
        self.assertIn("NOPE", callback.error)

    def test_withdrawal_above_balance_refused(self):
        with self.assertRefused(UserError, "nsufficient"):
            self.env["sacco.mpesa.request"].request_b2c(
                self.member, self.member.phone, 10**7, self.member_fosa
            )

    def test_unknown_payout_settled_by_status_query(self):
        request = self.env["sacco.mpesa.request"].request_b2c(
            self.member, self.member.phone, 1000, self.member_fosa
        )
        self.daraja.outbox.clear()  # the result never arrives
        self._post("b2c/timeout", {"Result": {"OriginatorConversationID": request.originator_id}})
        self._process()
        self.assertEqual(request.state, "unknown")
        request.submitted_at = "2026-01-01 00:00:00"
        self.env["sacco.mpesa.request"]._cron_query_unknown_payouts()
        status = self.daraja.calls("/mpesa/transactionstatus")[-1]["body"]
        self.assertEqual(status["OriginalConversationID"], request.originator_id)
        self.daraja.deliver()
        self._process()
        self.assertEqual(request.state, "done")
        self.assertTrue(request.receipt.startswith("TS"))
        self.assertMpesaBooksMatch()

    def test_expired_payout_reversed_by_status_query(self):
        self.daraja.status_outcome = "Expired"
        balance = self.member_fosa.balance
        request = self.env["sacco.mpesa.request"].request_b2c(
            self.member, self.member.phone, 1000, self.member_fosa
        )
        self.daraja.outbox.clear()
        request.action_query_status()
        self.daraja.deliver()
        self._process()
        self.assertEqual(request.state, "failed")
        self.assertEqual(self.member_fosa.balance, balance)
        self.assertMpesaBooksMatch()

    def test_account_balances(self):
        self.config.action_query_balance()
        self.daraja.deliver()
        self._process()
        self.assertEqual(
            (self.config.balance_utility, self.config.balance_working, self.config.balance_charges),
            (228037, 700000, -1540),
        )

    def _suspense_payment(self, receipt):
        self._c2b(receipt, "600.00", "NO SUCH ACCOUNT")
        self._process()
        return self._transaction(receipt)

    def test_refund_from_suspense(self):
        txn = self._suspense_payment("RFD0000001")
        wizard = (
            self.env["sacco.mpesa.transaction.refund"]
            .with_user(self.accountant)
            .with_context(default_transaction_id=txn.id)
            .create({"phone": "0712345678", "member_id": self.member.id})
        )
        wizard.action_refund()
        self.assertEqual((txn.state, txn.proposal), ("suspense", "refund"))
        self.assertFalse(self.env["sacco.mpesa.request"].search([("transaction_id", "=", txn.id)]))
        with self.assertRefused(UserError, "second person"):
            txn.with_user(self.accountant).action_approve()
        txn.with_user(self.manager).action_approve()
        request = self.env["sacco.mpesa.request"].search([("transaction_id", "=", txn.id)])
        self.assertEqual((txn.state, request.state), ("refunded", "draft"))
        self.env["sacco.mpesa.request"]._cron_submit()
        self.assertEqual(
            (txn.state, request.purpose, request.state), ("refunded", "refund", "pending")
        )
        self.assertMpesaBooksMatch()
        self.daraja.deliver()
        self._process()
        self.assertEqual(request.state, "done")
        self.assertMpesaBooksMatch()

    def test_rejected_refund_leaves_the_payment_in_suspense(self):
        txn = self._suspense_payment("RFD0000003")
        txn.with_user(self.accountant).propose_refund("0712345678", self.member)
        with self.assertRefused(UserError, "already waits"):
            txn.with_user(self.manager).propose_allocation(account=self.bosa)
        txn.with_user(self.manager).action_reject()
        self.assertEqual((txn.state, txn.proposal), ("suspense", False))
        self.assertFalse(self.daraja.calls("/mpesa/b2c"))
        with self.assertRefused(UserError, "nothing waiting"):
            txn.with_user(self.manager).action_approve()

    def test_failed_refund_returns_to_suspense(self):
        self.daraja.b2c_result_code = 2001
        txn = self._suspense_payment("RFD0000002")
        self.env["sacco.mpesa.request"].request_b2c(self.member, "0712345678", txn.amount, txn)
        self.daraja.deliver()
        self._process()
        self.assertEqual(txn.state, "suspense")
        self.assertMpesaBooksMatch()
        with self.assertRefused(UserError, "Only payments in suspense"):
            txn.state = "posted"
            txn._move_to_refund(self.config)

    def _member_bears(self, tiers=((1000, 7), (5000, 20), (None, 30))):
        self.config.sudo().write(
            {
                "b2c_charge_bearer": "member",
                "b2c_tier_ids": [Command.clear()]
                + [Command.create({"up_to": up_to, "charge": charge}) for up_to, charge in tiers],
            }
        )

    def test_teller_withdrawal_to_mpesa_member_bears_charge(self):
        self._member_bears()
        balance = self.member_fosa.balance
        wizard = (
            self.env["sacco.mpesa.withdrawal"]
            .with_user(self.teller_a)
            .with_context(active_model=self.member_fosa._name, active_id=self.member_fosa.id)
            .create({"amount": 2500})
        )
        self.assertEqual(wizard.phone, self.member.phone)
        charge, excise = self.member_fosa._withdrawal_charges(2500)
        self.assertEqual(wizard.b2c_charge, 20)
        self.assertAlmostEqual(wizard.total, 2500 + charge + excise + 20, 2)
        action = wizard.action_withdraw()
        request = self.env["sacco.mpesa.request"].browse(action["res_id"])
        self.assertEqual(
            (request.purpose, request.state, request.charge), ("withdrawal", "pending", 20)
        )
        self.assertAlmostEqual(self.member_fosa.balance, balance - wizard.total, 2)
        self.daraja.deliver()
        self._process()
        self.assertEqual(request.state, "done")
        # The member paid M-Pesa's charge: the charges account nets to nothing.
        self.assertAlmostEqual(self._gl(self.config.charges_account_id), 0, 2)
        self.assertMpesaBooksMatch()

    def test_failed_withdrawal_gives_the_b2c_charge_back(self):
        self._member_bears()
        self.daraja.b2c_result_code = 2001
        balance = self.member_fosa.balance
        request = self.env["sacco.mpesa.request"].request_b2c(
            self.member, self.member.phone, 800, self.member_fosa
        )
        self.assertTrue(request.charge_move_id)
        self.daraja.deliver()
        self._process()
        self.assertEqual(request.state, "failed")
        self.assertEqual(self.member_fosa.balance, balance)
        self.assertAlmostEqual(self._gl(self.config.charges_account_id), 0, 2)
        self.assertMpesaBooksMatch()

    def test_sacco_bears_the_tier_of_its_shortcode(self):
        self.config.sudo().b2c_tier_ids.filtered(lambda t: t.up_to == 5000).charge = 12
        quote = self.member_fosa._mpesa_withdrawal_quote(3000)
        self.assertEqual(quote["b2c_charge"], 0)
        request = self.env["sacco.mpesa.request"].request_b2c(
            self.member, self.member.phone, 3000, self.member_fosa
        )
        self.daraja.deliver()
        self._process()
        self.assertEqual((request.state, request.charge), ("done", 12))
        self.assertAlmostEqual(self._gl(self.config.charges_account_id), 12, 2)
        self.assertMpesaBooksMatch()

    def test_b2c_tiers_validated(self):
        with self.assertRefused(ValidationError, "B2C charges"):
            self._member_bears(((1000, 5), (1000, 7)))
        with self.assertRefused(UserError, "highest tier"):
            self._member_bears(((1000, 5),))
            self.member_fosa._mpesa_withdrawal_quote(2000)
