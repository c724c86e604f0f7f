import re

from odoo import Command
from odoo.tests import tagged

from .common import PIN, OverAggregator, SaccoUssdCommon


@tagged("post_install", "-at_install")
class TestUssdMoneyAndLoans(SaccoUssdCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instant = cls._instant_loan_product()

    # ---------------------------------------------------------------- first use

    def _otp_from_sms(self, member):
        sms = self.env["sacco.sms.message"].search(
            [
                ("member_id", "=", member.id),
                ("template_id", "=", self.env.ref("sacco_base.sacco_sms_template_member_otp").id),
            ],
            order="id desc",
            limit=1,
        )
        return re.search(r"\b(\d{6})\b", sms.body).group(1)

    def test_first_use_sets_a_pin_with_id_and_sms_code(self):
        member = self.other
        session = self.new_session()

        def send(text):
            return self.dial(session, text, phone=member.phone)

        self.assertIn("To set your PIN, enter your ID number:", send(""))
        reply = send(member.id_number)
        self.assertTrue(reply.startswith("CON Enter the 6-digit code"), reply)
        code = self._otp_from_sms(member)
        typed = [member.id_number, code]
        self.assertEqual(send("*".join(typed)), "CON Choose a 4-digit PIN:")
        typed.append("1234")  # a run: refused
        self.assertIn("easy to guess", send("*".join(typed)))
        typed.append("5937")
        self.assertEqual(send("*".join(typed)), "CON Enter the new PIN again:")
        typed.append("5937")
        reply = send("*".join(typed))
        self.assertTrue(reply.startswith("CON Your PIN is set.\nMain menu"), reply)
        self.assertTrue(member.sacco_ussd_pin_set)
        record = self.session_record(session)
        for secret in (member.id_number, code, "5937"):
            self.assertNotIn(secret, record.masked_text)
        self.assertEqual(record.masked_text, "*".join(["****"] * 5))
        # The new PIN opens the menu in a new session.
        _session, reply = self.walk("5937", phone=member.phone)
        self.assertTrue(reply.startswith("CON Main menu"))

    def test_wrong_code_shows_tries_left(self):
        session = self.new_session()
        self.dial(session, "", phone=self.other.phone)
        self.dial(session, self.other.id_number, phone=self.other.phone)
        code = self._otp_from_sms(self.other)
        wrong = "000000" if code != "000000" else "111111"
        reply = self.dial(session, f"{self.other.id_number}*{wrong}", phone=self.other.phone)
        self.assertTrue(reply.startswith("CON Wrong code. 2 tries left."), reply)
        reply = self.dial(session, f"{self.other.id_number}*{wrong}*{code}", phone=self.other.phone)
        self.assertEqual(reply, "CON Choose a 4-digit PIN:")

    def test_wrong_id_number_ends(self):
        session = self.new_session()
        self.dial(session, "", phone=self.other.phone)
        self.dial(session, "99999999", phone=self.other.phone)
        code = self._otp_from_sms(self.other)
        reply = self.dial(session, f"99999999*{code}", phone=self.other.phone)
        self.assertTrue(reply.startswith("END The details do not match"), reply)
        self.assertFalse(self.other.sacco_ussd_pin_set)

    # ---------------------------------------------------------------- withdrawal

    def test_withdrawal_requests_b2c_and_holds_the_balance(self):
        available = self.member_fosa.available_balance
        session, reply = self.walk(PIN, "4", "1", "3000")
        self.assertEqual(
            reply,
            "CON Withdraw KES 3,000.00 to M-Pesa\nCharge KES 60.00\nTotal KES 3,060.00\n"
            "Enter PIN to confirm:\n0 Back 00 Home",
        )
        reply = self.dial(session, f"{PIN}*4*1*3000*{PIN}")
        self.assertTrue(reply.startswith("END Your withdrawal of KES 3,000.00 to M-Pesa"), reply)
        self.assertEqual(self.dial(session, f"{PIN}*4*1*3000*{PIN}"), reply)  # re-sent
        payout = self.env["sacco.mpesa.request"].search(
            [("member_id", "=", self.member.id), ("kind", "=", "b2c")]
        )
        self.assertEqual(len(payout), 1)
        self.assertEqual(
            (payout.amount, payout.phone, payout.state), (3000, self.member.phone, "draft")
        )
        self.assertEqual(self.daraja.calls("/mpesa/b2c"), [])  # sent by the background job
        self.assertAlmostEqual(self.member_fosa.available_balance, available - 3060, 2)
        sms = self.env["sacco.sms.message"].search(
            [
                ("member_id", "=", self.member.id),
                ("template_id.name", "=", "USSD withdrawal to M-Pesa requested"),
            ]
        )
        self.assertEqual(len(sms), 1)
        self.assertLedgerMatches()

    def test_withdrawal_limits_and_balance(self):
        session, reply = self.walk(PIN, "4", "1", "6000")
        self.assertTrue(reply.startswith("CON The maximum is KES 5,000.00."), reply)
        self.member_fosa.withdraw(15000, journal=self.cash)
        reply = self.dial(session, f"{PIN}*4*1*6000*4950")
        self.assertTrue(reply.startswith("CON Not enough balance. Charge KES 60.00."), reply)
        # Daily limit: 8,000 a day; 5,000 withdrawn, 3,000 left.
        self.member_fosa.deposit(20000, journal=self.cash)
        self.walk(PIN, "4", "1", "5000", PIN)
        _session, reply = self.walk(PIN, "4", "1", "4000")
        self.assertTrue(reply.startswith("CON Left today: KES 3,000.00."), reply)

    def test_withdrawal_wrong_pin(self):
        session, reply = self.walk(PIN, "4", "1", "1000", "1111")
        self.assertTrue(reply.startswith("CON Wrong PIN. 2 tries left."), reply)
        self.assertFalse(
            self.env["sacco.mpesa.request"].search([("member_id", "=", self.member.id)])
        )

    # ---------------------------------------------------------------- loans

    def test_loan_application_within_eligibility_is_approved_and_disbursed(self):
        session, reply = self.walk(PIN, "5", "3")
        self.assertIn("Test Instant Loan", reply)
        number = reply.split("\n").index(
            next(line for line in reply.split("\n") if "Test Instant Loan" in line)
        )
        reply = self.dial(session, f"{PIN}*5*3*{number}")
        self.assertIn("You qualify for up to KES 40,000.00", reply)
        reply = self.dial(session, f"{PIN}*5*3*{number}*45000")
        self.assertTrue(reply.startswith("CON The maximum is KES 40,000.00."), reply)
        reply = self.dial(session, f"{PIN}*5*3*{number}*45000*10000")
        self.assertIn("Repay over:", reply)
        reply = self.dial(session, f"{PIN}*5*3*{number}*45000*10000*3")
        self.assertIn("Apply for KES 10,000.00", reply)
        fosa = self.member_fosa.balance
        reply = self.dial(session, f"{PIN}*5*3*{number}*45000*10000*3*{PIN}")
        self.assertTrue(reply.startswith("END Your application for KES 10,000.00"), reply)
        app = self.env["sacco.loan.application"].search(
            [("member_id", "=", self.member.id), ("product_id", "=", self.instant.id)]
        )
        self.assertEqual((app.amount, app.term, app.state), (10000, 3, "disbursed"))
        self.assertGreater(self.member_fosa.balance, fosa)
        self.assertIn("loan application", self.session_record(session).actions)
        self.assertLoanBookMatches()

    # ---------------------------------------------------------------- guarantees

    def test_guarantee_request_accepted_with_amount(self):
        app = self._application(member=self.other, guarantors=())
        app.write(
            {
                "guarantor_ids": [
                    Command.create(
                        {
                            "member_id": self.member.id,
                            "requested_amount": 30000,
                            "consent_state": "requested",
                        }
                    )
                ]
            }
        )
        line = app.guarantor_ids
        session, reply = self.walk(PIN, "6")
        self.assertIn("1 Requests (1)", reply)
        reply = self.dial(session, f"{PIN}*6*1")
        self.assertIn("Otieno Odhiambo KES 30,000.00", reply)
        reply = self.dial(session, f"{PIN}*6*1*1")
        self.assertTrue(reply.startswith("CON Otieno Odhiambo asks you to guarantee"), reply)
        reply = self.dial(session, f"{PIN}*6*1*1*1")
        self.assertIn("max KES 30,000.00", reply)
        reply = self.dial(session, f"{PIN}*6*1*1*1*20000")
        self.assertIn("Guarantee KES 20,000.00 for Otieno Odhiambo?", reply)
        reply = self.dial(session, f"{PIN}*6*1*1*1*20000*{PIN}")
        self.assertTrue(reply.startswith("END You have guaranteed KES 20,000.00"), reply)
        self.assertEqual((line.consent_state, line.amount), ("accepted", 20000))
        self.assertEqual(line.consent_channel, "ussd")


@tagged("post_install", "-at_install")
class TestUssdMoneyAndLoansOverAggregator(OverAggregator, TestUssdMoneyAndLoans):
    """First use, withdrawal, loans and guarantees of ``TestUssdMoneyAndLoans`` over the
    aggregator's GET."""
