from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import MANAGER, SaccoBaseCommon


@tagged("post_install", "-at_install")
class TestMemberChange(SaccoBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls._create_member(name="Akinyi Otieno", phone="0712 300 400")
        cls.second_manager = new_test_user(cls.env, "sacco.manager.two", groups=MANAGER)
        cls.Change = cls.env["sacco.member.change"]

    def _request(self, user, **values):
        return self.Change.with_user(user).create(
            {"member_id": self.member.id, "reason": "Lost line, new SIM", **values}
        )

    def _notices_to(self, phone):
        """The phone-change SMS queued to ``phone``."""
        return self.env["sacco.sms.message"].search(
            [
                ("member_id", "=", self.member.id),
                ("phone", "=", phone),
                ("template_id.name", "like", "Phone changed"),
            ]
        )

    def test_teller_phone_change_waits_for_a_second_person(self):
        change = self._request(self.teller_a, new_phone="0733 111 222")
        self.assertEqual(change.state, "pending")
        self.assertEqual(change.old_phone, "+254712300400")
        self.assertEqual(change.new_phone, "+254733111222")
        self.assertEqual(self.member.phone, "+254712300400", "nothing applies before approval")
        # The teller who asked cannot approve: not their role, and not their own request.
        with self.assertRefused(AccessError, "Only a branch manager"):
            change.with_user(self.teller_a).action_approve()
        self.assertEqual(change.state, "pending")
        with self.assertRefused(UserError, "already has an identity change waiting"):
            self._request(self.manager, new_id_number="29876543")

    def test_nobody_approves_their_own_request(self):
        own = self._request(self.manager, new_id_number="29876543")
        with self.assertRefused(UserError, "second person"):
            own.with_user(self.manager).action_approve()
        own.with_user(self.second_manager).action_approve()
        self.assertEqual(self.member.id_number, "29876543")

    def test_approved_phone_change_notifies_both_numbers_and_closes_channels(self):
        self.assertTrue(self.member._sacco_phone_channel_open())
        change = self._request(self.teller_a, new_phone="0733 111 222")
        before = fields.Datetime.now()
        change.with_user(self.manager).action_approve()
        self.assertEqual(change.state, "approved")
        self.assertEqual(change.decided_by_id, self.manager)
        self.assertEqual(self.member.phone, "+254733111222")
        old_sms = self._notices_to("+254712300400")
        new_sms = self._notices_to("+254733111222")
        self.assertEqual(
            old_sms.template_id, self.env.ref("sacco_base.sacco_sms_template_phone_changed_old")
        )
        self.assertEqual(
            new_sms.template_id, self.env.ref("sacco_base.sacco_sms_template_phone_changed_new")
        )
        # Channels that trust the phone stay closed for the cooling-off period (24 h).
        trusted_from = self.member.sacco_phone_trusted_from
        self.assertGreaterEqual(trusted_from, before + timedelta(hours=24))
        self.assertEqual(change.phone_trusted_from, trusted_from)
        self.assertFalse(self.member._sacco_phone_channel_open())
        self.assertFalse(self.member._sacco_phone_channel_open(at=before + timedelta(hours=23)))
        self.assertTrue(self.member._sacco_phone_channel_open(at=trusted_from))

    def test_cooling_off_follows_the_setting(self):
        self.company.sacco_phone_cooling_off_hours = 2
        change = self._request(self.teller_a, new_phone="0733 111 222")
        change.with_user(self.manager).action_approve()
        now = fields.Datetime.now()
        self.assertFalse(self.member._sacco_phone_channel_open(at=now + timedelta(hours=1)))
        self.assertTrue(self.member._sacco_phone_channel_open(at=now + timedelta(hours=3)))
        with self.assertRefused(ValidationError, "negative"):
            self.company.sacco_phone_cooling_off_hours = -1

    def test_name_and_id_change_apply_without_closing_channels(self):
        change = self._request(
            self.teller_a,
            new_name="Akinyi Odhiambo",
            new_id_type="passport",
            new_id_number="AK1234567",
        )
        change.with_user(self.second_manager).action_approve()
        self.assertEqual(self.member.name, "Akinyi Odhiambo")
        self.assertEqual(self.member.id_type, "passport")
        self.assertEqual(self.member.id_number, "AK1234567")
        self.assertFalse(self.member.sacco_phone_trusted_from)
        self.assertTrue(self.member._sacco_phone_channel_open())
        self.assertFalse(self._notices_to(self.member.phone))

    def test_direct_edits_of_an_active_member_are_refused(self):
        for model, record in (("member", self.member), ("contact", self.member.partner_id)):
            for vals in ({"phone": "0733 111 222"}, {"name": "Someone Else"}):
                with (
                    self.subTest(model=model, vals=vals),
                    self.assertRefused(UserError, "identity change request"),
                ):
                    record.with_user(self.manager).write(vals)
        with self.assertRefused(UserError, "identity change request"):
            self.member.with_user(self.teller_a).write({"id_number": "29876543"})
        # A client cannot grant itself the flag the approval uses.
        with self.assertRefused(UserError, "identity change request"):
            self.member.with_user(self.manager).with_context(
                sacco_identity_change_approved=True
            ).write({"phone": "0733 111 222"})
        # Other fields, and the same values, stay editable.
        self.member.with_user(self.teller_a).write(
            {"email": "akinyi@example.co.ke", "phone": self.member.phone}
        )

    def test_applicants_are_edited_freely(self):
        applicant = self._create_applicant(user=self.teller_a)
        applicant.with_user(self.teller_a).write({"phone": "0799 000 111", "name": "New Name"})
        self.assertEqual(applicant.phone, "+254799000111")

    def test_bad_requests_are_refused(self):
        with self.assertRefused(UserError, "already has"):
            self._request(self.teller_a, new_phone=self.member.phone)
        with self.assertRefused(ValidationError, "not a valid"):
            self._request(self.teller_a, new_phone="0712")
        with self.assertRefused(UserError, "reason"):
            self._request(self.teller_a, new_phone="0733 111 222", reason=" ")
        pending = self._request(self.teller_a, new_phone="0733 111 222")
        with self.assertRefused(UserError, "already has an identity change waiting"):
            self._request(self.teller_a, new_phone="0744 111 222")
        # The database keeps it so even between two concurrent requests.
        pending.with_user(self.teller_a).action_cancel()
        self._request(self.teller_a, new_phone="0744 111 222")
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "UPDATE sacco_member_change SET state = 'pending' WHERE id = %s", [pending.id]
            )

    def test_taken_phone_or_id_and_applicants_are_refused(self):
        other = self._create_member(name="Other Member")
        with self.assertRefused(UserError, "already registered to member"):
            self._request(self.teller_a, new_phone=other.phone)
        with self.assertRefused(UserError, "already registered to member"):
            self._request(self.teller_a, new_id_number=other.id_number)
        applicant = self._create_applicant()
        with self.assertRefused(UserError, "edit the application directly"):
            self.Change.with_user(self.teller_a).create(
                {"member_id": applicant.id, "new_phone": "0733 111 222", "reason": "x"}
            )

    def test_teller_cannot_request_for_another_branch(self):
        with self.assertRefused(AccessError, ""):
            self._request(self.teller_b, new_phone="0733 111 222")

    def test_reject_and_withdraw(self):
        change = self._request(self.teller_a, new_phone="0733 111 222")
        change.with_user(self.manager).action_reject()
        self.assertEqual(change.state, "rejected")
        self.assertEqual(self.member.phone, "+254712300400")
        with self.assertRefused(UserError, "already decided"):
            change.with_user(self.second_manager).action_approve()
        again = self._request(self.teller_a, new_phone="0733 111 222")
        again.with_user(self.teller_a).action_cancel()
        self.assertEqual(again.state, "cancelled")
