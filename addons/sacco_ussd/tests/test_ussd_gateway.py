from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AFRICASTALKING, AGGREGATOR, PIN, OverAggregator, SaccoUssdCommon

SESSION_MODEL = "odoo.addons.sacco_ussd.models.sacco_ussd_session.SaccoUssdSession"


@tagged("post_install", "-at_install")
class TestUssdGateway(SaccoUssdCommon):
    """The member's scenarios and bad inputs, over Africa's Talking here and over the
    aggregator in ``TestUssdGatewayOverAggregator``."""

    # ---------------------------------------------------------------- dial-in and balances

    def test_balance(self):
        session = self.new_session()
        reply = self.dial(session, "")
        self.assertEqual(reply, "CON Welcome Njeri Mwangi.\nEnter your PIN:")
        self.assertTrue(self.dial(session, PIN).startswith("CON Main menu\n1 Balances"))
        reply = self.dial(session, f"{PIN}*1")
        self.assertIn("Balances (KES)", reply)
        self.assertIn("Test FOSA\nBal 20,000.00 Avl 19,900.00", reply)
        self.assertIn("Test Deposits\nBal 40,000.00", reply)
        record = self.session_record(session)
        self.assertEqual(record.channel_id, self.channel)
        self.assertEqual(record.member_id, self.member)
        self.assertEqual(record.outcome, "open")
        self.assertEqual(record.request_count, 3)
        self.assertEqual(record.masked_text, "*****1")  # the PIN never stored
        self.assertNotIn(PIN, record.masked_text + (record.screens or ""))
        self.assertEqual(record.screens, "pin > home > balances")
        self.assertEqual(record.branch_id, self.member.branch_id)  # written with the member
        self.assertEqual(record.state_data["screen"], "balances")
        self.assertEqual(record.language, "en")
        self.assertGreaterEqual(record.duration, 0)
        self.assertTrue(record.last_request_at)

    def test_loan_balance_shows_next_installment(self):
        loan = self._disbursed_loan(product=self.emergency, amount=12000, term=6, guarantors=())
        _session, reply = self.walk(PIN, "1", "98")
        first = loan.installment_ids.sorted("due_date")[0]
        self.assertIn(f"Next {first.amount_due:,.2f} on {first.due_date:%d/%m/%Y}", reply)

    def test_navigation_back_home_more(self):
        session, reply = self.walk(PIN, "2", "1")
        self.assertIn("1 Last 5 transactions", reply)
        self.assertIn("Choose account:", self.dial(session, f"{PIN}*2*1*0"))
        self.assertTrue(self.dial(session, f"{PIN}*2*1*0*00").startswith("CON Main menu"))

    # ---------------------------------------------------------------- statements

    def test_mini_statement_and_sms_statement(self):
        session, reply = self.walk(PIN, "2", "1", "1")
        self.assertIn("Last 5 (KES)", reply)
        self.assertIn("Deposit +20,000.00", reply)
        _session, reply = self.walk(PIN, "2", "1", "2", "2")
        self.assertEqual(reply, "END Your statement will be sent to you by SMS.")
        sms = self.env["sacco.sms.message"].search(
            [("member_id", "=", self.member.id)], order="id desc", limit=1
        )
        self.assertIn("statement", sms.body)
        self.assertIn("Test FOSA statement", sms.body)
        self.assertIn("in USD 20,000.00, out USD 0.00, closing USD 20,000.00.", sms.body)

    # ---------------------------------------------------------------- deposit by STK

    def test_deposit_queues_one_stk_push_even_when_resent(self):
        Request = self.env["sacco.mpesa.request"]
        before = Request.search_count([("member_id", "=", self.member.id)])
        session, reply = self.walk(PIN, "3", "1", "500")
        self.assertTrue(reply.startswith("END You will receive an M-Pesa prompt"), reply)
        # The gateway re-sends the same request (lost answer): same reply, no second push.
        self.assertEqual(self.dial(session, f"{PIN}*3*1*500"), reply)
        requests = Request.search([("member_id", "=", self.member.id)])
        self.assertEqual(len(requests) - before, 1)
        push = requests[0]
        self.assertEqual((push.state, push.amount), ("draft", 500))
        self.assertEqual(push.savings_account_id, self.member_fosa)
        self.assertEqual(push.idempotency_key, f"ussd-{self.channel.id}-{session}")
        self.assertEqual(self.daraja.calls("/mpesa/stkpush"), [])  # queued, never inline
        self.assertEqual(self.session_record(session).outcome, "completed")

    def test_deposit_above_limit_and_bad_amounts(self):
        session, reply = self.walk(PIN, "3", "1", "100001")
        self.assertTrue(reply.startswith("CON The maximum is KES 100,000.00."), reply)
        self.assertTrue(self.dial(session, f"{PIN}*3*1*100001*abc").startswith("CON Enter numbers"))
        self.assertTrue(self.dial(session, f"{PIN}*3*1*100001*abc*5").startswith("CON The minimum"))

    # ---------------------------------------------------------------- bad input

    def test_invalid_choices(self):
        session, reply = self.walk(PIN, "x")
        self.assertTrue(reply.startswith("CON Invalid choice.\nMain menu"))
        self.assertTrue(self.dial(session, f"{PIN}*x*9").startswith("CON Invalid choice."))
        _session, reply = self.walk(PIN, "2", "42")
        self.assertTrue(reply.startswith("CON Invalid choice.\nChoose account:"))

    def test_unknown_phone(self):
        session = self.new_session()
        reply = self.dial(session, "", phone="+254799000111")
        self.assertTrue(reply.startswith("END This phone number is not registered"))
        self.assertEqual(self.session_record(session).outcome, "unknown_phone")

    def test_wrong_token_is_404(self):
        self.assertEqual(self.send("x", token="not-a-token").status_code, 404)
        # A token of one gateway does not open the other's route.
        self.assertEqual(self.send("x", token=self.other_channel.callback_token).status_code, 404)
        self.assertFalse(self.env["sacco.ussd.session"].search([("session_id", "=", "x")]))

    def test_malformed_requests(self):
        for session, phone, text in (
            ("", None, ""),  # no session id
            ("m1", "not-a-phone", ""),
            ("m2", None, "1" * 2000),  # no handset types that much
        ):
            reply = self.dial(session, text, phone=phone)
            self.assertTrue(reply.startswith("END Sorry"), reply)
        self.assertFalse(
            self.env["sacco.ussd.session"].search([("session_id", "in", ("m1", "m2"))])
        )

    def test_expired_session(self):
        session = self.new_session()
        self.dial(session, "")
        record = self.session_record(session)
        record.started_at = fields.Datetime.now() - timedelta(seconds=181)
        reply = self.dial(session, PIN)
        self.assertEqual(reply, "END Your session has expired. Please dial again.")
        self.assertEqual(record.outcome, "expired")
        self.assertEqual(record.masked_text, "****")

    def test_exception_answers_end(self):
        with (
            patch(f"{SESSION_MODEL}._serve", side_effect=RuntimeError("boom")),
            mute_logger("odoo.addons.sacco_ussd.controllers.main"),
        ):
            reply = self.dial(self.new_session(), "")
        self.assertEqual(
            reply, "END Sorry, we could not complete your request. Please try again later."
        )

    def test_another_phone_cannot_continue_a_session(self):
        session = self.new_session()
        self.dial(session, "")
        reply = self.dial(session, PIN, phone=self.other.phone)
        self.assertTrue(reply.startswith("END Sorry"))

    # ---------------------------------------------------------------- PIN and lock

    def test_three_wrong_pins_lock_and_alert(self):
        session = self.new_session()
        self.dial(session, "")
        self.assertEqual(
            self.dial(session, "1111"),
            "CON Wrong PIN. 2 tries left.\nWelcome Njeri Mwangi.\nEnter your PIN:",
        )
        self.assertIn("1 tries left", self.dial(session, "1111*2222"))
        reply = self.dial(session, "1111*2222*3333")
        self.assertTrue(reply.startswith("END Wrong PIN 3 times"), reply)
        self.assertTrue(self.member.sacco_ussd_locked)
        self.assertEqual(self.session_record(session).outcome, "locked")
        alert = self.env["sacco.sms.message"].search(
            [
                ("template_id", "=", self.env.ref("sacco_ussd.sacco_sms_template_ussd_locked").id),
                ("member_id", "=", self.member.id),
            ]
        )
        self.assertEqual(len(alert), 1)
        # Locked: even the right PIN does not open the menu; the reset screen shows.
        reply = self.dial(self.new_session(), "")
        self.assertTrue(reply.startswith("CON Your USSD access is locked"))
        # Staff unlock from the member form.
        self.member.with_user(self.teller_a).action_ussd_unlock()
        self.assertFalse(self.member.sacco_ussd_locked)
        _session, reply = self.walk(PIN)
        self.assertTrue(reply.startswith("CON Main menu"))

    def test_staff_pin_reset_asks_for_id(self):
        self.member.with_user(self.teller_a).action_ussd_reset_pin()
        self.assertFalse(self.member.sacco_ussd_pin_set)
        reply = self.dial(self.new_session(), "")
        self.assertTrue(reply.startswith("CON Welcome Njeri Mwangi. To set your PIN"))

    # ---------------------------------------------------------------- language

    def test_change_language_is_remembered(self):
        session, reply = self.walk(PIN, "8", "2", "2")
        self.assertTrue(reply.startswith("CON Lugha sasa ni Kiswahili.\nMenyu kuu"), reply)
        self.assertIn("Karibu", self.dial(self.new_session(), ""))
        # Remembered for the member, whichever gateway they come through next.
        other = AGGREGATOR if self.gateway == AFRICASTALKING else AFRICASTALKING
        self.assertIn("Karibu", self.dial(self.new_session(), "", gateway=other))
        _session, reply = self.walk(PIN, "1")
        self.assertIn("Salio (KES)", reply)
        self.assertEqual(self.session_record(session).language, "sw")


@tagged("post_install", "-at_install")
class TestUssdGatewayOverAggregator(OverAggregator, TestUssdGateway):
    """Every scenario and bad input of ``TestUssdGateway`` over the aggregator's GET."""


@tagged("post_install", "-at_install")
class TestUssdGatewayFormats(SaccoUssdCommon):
    """What belongs to one gateway's format."""

    def test_africastalking_form_without_fields(self):
        token = self.at_channel.callback_token
        for form in (
            {"serviceCode": "*384*123#", "phoneNumber": self.member.phone, "text": ""},
            {"sessionId": "f1", "phoneNumber": self.member.phone, "text": ""},
            {"sessionId": "f2", "serviceCode": "*384*123#", "text": ""},
        ):
            reply = self._reply(self.url_open(f"/sacco/ussd/{token}/at", data=form))
            self.assertTrue(reply.startswith("END Sorry"), reply)

    def test_aggregator_query_without_fields_or_extension(self):
        agg = self.agg_channel.callback_token
        reply = self._reply(self.url_open(f"/sacco/ussd/{agg}/gateway?SESSIONID=g1&USSDCODE=x"))
        self.assertTrue(reply.startswith("END Sorry"))
        # A shared code with another extension, or none at all, is not ours.
        for extension in ("99", ""):
            reply = self.agg(self.new_session(), "", extension=extension)
            self.assertTrue(reply.startswith("END Sorry"), reply)
