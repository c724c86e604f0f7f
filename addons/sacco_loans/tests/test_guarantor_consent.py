import re

from odoo import Command
from odoo.exceptions import UserError

from sacco_core.phones import normalize_msisdn

from .common import SaccoLoansCommon

TEMPLATE = "sacco_loans.sacco_sms_template_guarantee_%s"


class TestGuarantorConsent(SaccoLoansCommon):
    def _requested(self, guarantors=None, paper=()):
        """An application whose ``guarantors`` were asked (no answer yet) and whose
        ``paper`` guarantors signed the form at the counter."""
        app = self._application(guarantors=paper)
        app.write(
            {
                "guarantor_ids": [
                    Command.create(
                        {
                            "member_id": g.id,
                            "requested_amount": amount,
                            "consent_state": "requested",
                        }
                    )
                    for g, amount in (
                        guarantors
                        if guarantors is not None
                        else ((self.other, 30000), (self.guarantor, 30000))
                    )
                ]
            }
        )
        return app

    def _line(self, app, member):
        return app.guarantor_ids.filtered(lambda g: g.member_id == member)

    def _sms(self, answer, member):
        return self.env["sacco.sms.message"].search(
            [
                ("template_id", "=", self.env.ref(TEMPLATE % answer).id),
                ("member_id", "=", member.id),
            ]
        )

    def test_paper_form_is_accepted_by_default(self):
        app = self._application()
        line = self._line(app, self.other)
        self.assertEqual((line.consent_state, line.requested_amount), ("accepted", 30000))
        self.assertFalse(self._sms("requested", self.other))

    def test_request_texts_the_guarantor_who_asks_how_much_and_how_to_answer(self):
        app = self._requested()
        line = self._line(app, self.other)
        self.assertEqual((line.consent_state, line.amount), ("requested", 30000))
        sms = self._sms("requested", self.other)
        self.assertEqual(sms.phone, normalize_msisdn(self.other.phone))
        for part in (self.member.name, self.member.member_number, app.name, "30,000.00", "USSD"):
            self.assertIn(part, sms.body)
        self.assertIn("asked to guarantee", " ".join(app.message_ids.mapped("body")))

    def test_only_accepted_pledges_count_in_the_appraisal(self):
        app = self._requested()
        app.action_submit()
        with self.assertRefused(UserError, "needs at least 2 guarantors"):
            app.action_appraise()
        self._line(app, self.other).action_accept_guarantee(channel="ussd")
        self._line(app, self.guarantor).with_user(self.officer).action_accept_guarantee(30000)
        line = self._line(app, self.other)
        self.assertEqual((line.consent_state, line.consent_channel), ("accepted", "ussd"))
        self.assertTrue(line.consent_date)
        sms = self._sms("accepted", self.member)
        self.assertEqual(len(sms), 2)
        pledge = f"{self.company.currency_id.name} 30,000.00"
        self.assertIn(f"{self.other.name} has accepted to guarantee {pledge}", sms[-1].body)
        self.assertIn("accepted to guarantee", " ".join(app.message_ids.mapped("body")))
        app.action_appraise()
        app.with_user(self.committee).action_approve()
        self.assertEqual(app.guarantor_ids.mapped("held_amount"), [30000, 30000])

    def test_accepted_amount_within_the_request_and_the_free_deposits(self):
        app = self._requested(((self.other, 30000), (self.guarantor, 70000)))
        line = self._line(app, self.other)
        with self.assertRefused(UserError, "cannot be more"):
            line.action_accept_guarantee(30000.01)
        with self.assertRefused(UserError, "greater than zero"):
            line.action_accept_guarantee(0)
        with self.assertRefused(UserError, "in figures"):
            line.action_accept_guarantee("lots")
        with self.assertRefused(UserError, "Unknown channel"):
            line.action_accept_guarantee(channel="fax")
        free = re.escape(self.company.currency_id.format(60000))
        with self.assertRefused(UserError, f"at most {free}: the free deposits"):
            self._line(app, self.guarantor).action_accept_guarantee()
        line.action_accept_guarantee(20000, channel="app")
        self.assertEqual((line.amount, line.requested_amount), (20000, 30000))
        with self.assertRefused(UserError, "already accepted"):
            line.action_accept_guarantee()

    def test_answers_only_while_the_application_is_open(self):
        self.product.min_guarantors = 1
        app = self._requested(((self.guarantor, 30000),), paper=((self.other, 60000),))
        app.action_submit()
        app.action_appraise()
        line = self._line(app, self.guarantor)
        with self.assertRefused(UserError, "once the loan is appraised"):
            line.action_accept_guarantee()
        with self.assertRefused(UserError, "once the loan is appraised"):
            self._line(app, self.other).action_decline_guarantee()

    def test_approval_waits_for_every_answer_and_a_refusal_is_ignored(self):
        self.product.min_guarantors = 1
        app = self._requested(((self.guarantor, 30000),), paper=((self.other, 60000),))
        app.action_submit()
        app.action_appraise()
        with self.assertRefused(UserError, f"{self.guarantor.name} have not answered"):
            app.with_user(self.committee).action_approve()
        line = self._line(app, self.guarantor)
        line.with_user(self.officer).action_decline_guarantee()
        self.assertEqual((line.consent_state, line.consent_channel), ("declined", "counter"))
        self.assertIn(
            f"{self.guarantor.name} has declined to guarantee",
            self._sms("declined", self.member).body,
        )
        with self.assertRefused(UserError, "already declined"):
            line.action_decline_guarantee()
        app.with_user(self.committee).action_approve()
        self.assertEqual(app.state, "approved")
        self.assertFalse(line.hold_id)
        self.assertEqual(self._line(app, self.other).held_amount, 60000)

    def test_declined_guarantor_is_left_out_of_the_cover(self):
        app = self._requested(((self.guarantor, 30000),), paper=((self.other, 30000),))
        self._line(app, self.guarantor).action_decline_guarantee(channel="ussd")
        app.action_submit()
        with self.assertRefused(UserError, "needs at least 2 guarantors"):
            app.action_appraise()

    def test_member_sees_requests_on_open_applications_and_exposure(self):
        app = self._requested()
        self._line(app, self.other).action_accept_guarantee()
        requests = self.guarantor._sacco_guarantee_requests()
        self.assertEqual(requests, self._line(app, self.guarantor))
        self.assertFalse(self.other._sacco_guarantee_requests())
        app.action_cancel()
        self.assertFalse(self.guarantor._sacco_guarantee_requests())
        self.assertFalse(self.other._sacco_guarantee_exposure())
        approved = self._application(guarantors=((self.other, 30000), (self.guarantor, 30000)))
        approved.action_submit()
        approved.action_appraise()
        approved.with_user(self.committee).action_approve()
        exposure = self.other._sacco_guarantee_exposure()
        self.assertEqual(exposure, self._line(approved, self.other))
        self.assertEqual(exposure.held_amount, 30000)
