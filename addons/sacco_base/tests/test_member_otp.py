import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError

from odoo.addons.sacco_base.models.sacco_member_otp import OtpRateLimited

from sacco_core.mobile_auth import (
    OTP_EXPIRED,
    OTP_OK,
    OTP_TOO_MANY_ATTEMPTS,
    OTP_USED,
    OTP_WRONG,
)

from .common import SaccoBaseCommon


class TestMemberOtp(SaccoBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls._create_member()
        cls.Otp = cls.env["sacco.member.otp"]

    def _issue(self, purpose="app_register", phone=None):
        """Issue a code and read it back from the SMS outbox, the only place it is written."""
        otp = self.Otp._issue(self.member, purpose, phone=phone)
        sms = self.env["sacco.sms.message"].search(
            [("member_id", "=", self.member.id)], limit=1, order="id desc"
        )
        return otp, re.search(r"\b(\d{6})\b", sms.body).group(1), sms

    def test_code_is_sent_by_sms_and_only_its_digest_stored(self):
        otp, code, sms = self._issue()
        self.assertEqual(sms.phone, self.member.phone)
        self.assertIn("expires in 5 minutes", sms.body)
        self.assertEqual(otp.expires_at, otp.sent_at + timedelta(minutes=5))
        self.assertNotIn(code, otp.sudo().digest)
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM sacco_member_otp WHERE id = %s", [otp.id])
        self.assertNotIn(code, " ".join(str(value) for value in self.env.cr.fetchone()))
        secret = self.env["ir.config_parameter"].sudo().get_param("sacco_base.otp_secret")
        self.assertEqual(len(secret), 64)

    def test_code_goes_to_the_phone_given(self):
        otp, _code, sms = self._issue("phone_change", phone="0733 123 456")
        self.assertEqual(otp.phone, "+254733123456")
        self.assertEqual(sms.phone, "+254733123456")

    def test_right_code_once_then_used(self):
        _otp, code, _sms = self._issue()
        self.assertEqual(self.Otp._verify(self.member, "app_register", code), OTP_OK)
        self.assertEqual(self.Otp._verify(self.member, "app_register", code), OTP_USED)

    def test_code_is_bound_to_its_purpose_and_the_latest_replaces_earlier(self):
        _otp, first, _sms = self._issue()
        self.assertEqual(self.Otp._verify(self.member, "ussd_pin", first), OTP_EXPIRED)
        _otp, second, _sms = self._issue()
        if first != second:
            self.assertEqual(self.Otp._verify(self.member, "app_register", first), OTP_WRONG)
        self.assertEqual(self.Otp._verify(self.member, "app_register", second), OTP_OK)

    def test_wrong_codes_use_up_the_attempts(self):
        _otp, code, _sms = self._issue()
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        self.assertEqual(self.Otp._verify(self.member, "app_register", wrong), OTP_WRONG)
        self.assertEqual(self.Otp._verify(self.member, "app_register", None), OTP_WRONG)
        outcome = self.Otp._verify(self.member, "app_register", wrong)
        self.assertEqual(outcome, OTP_TOO_MANY_ATTEMPTS)
        self.assertEqual(self.Otp._verify(self.member, "app_register", code), OTP_TOO_MANY_ATTEMPTS)

    def test_code_expires_after_five_minutes(self):
        now = fields.Datetime.now()
        with freeze_time(now):
            _otp, code, _sms = self._issue()
        with freeze_time(now + timedelta(minutes=4, seconds=59)):
            _otp, late, _sms = self._issue("app_device")
        with freeze_time(now + timedelta(minutes=5)):
            self.assertEqual(self.Otp._verify(self.member, "app_register", code), OTP_EXPIRED)
            self.assertEqual(self.Otp._verify(self.member, "app_device", late), OTP_OK)

    def test_sends_per_phone_and_hour_are_limited(self):
        now = fields.Datetime.now()
        for minute in (0, 10, 20):
            with freeze_time(now + timedelta(minutes=minute)):
                self._issue()
        with freeze_time(now + timedelta(minutes=30)), self.assertRaises(OtpRateLimited) as refused:
            self._issue()
        self.assertEqual(refused.exception.retry_after, 30 * 60)
        self.assertIn("rate_limited", str(refused.exception))
        self.assertEqual(self.Otp.sudo().search_count([("member_id", "=", self.member.id)]), 3)
        with freeze_time(now + timedelta(minutes=60)):
            self._issue()

    def test_expired_codes_are_purged_after_a_day_and_blanked_in_the_outbox(self):
        now = fields.Datetime.now()
        with freeze_time(now - timedelta(days=2)):
            old, _code, old_sms = self._issue()
        recent, code, recent_sms = self._issue()
        (old_sms | recent_sms).state = "sent"
        self.env.flush_all()
        # The outbox stamps create_date from the database clock, which freezegun leaves.
        self.env.cr.execute(
            "UPDATE sacco_sms_message SET create_date = %s WHERE id = %s",
            [now - timedelta(days=2), old_sms.id],
        )
        old_sms.invalidate_recordset()
        self.Otp._cron_purge()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
        self.assertEqual(old_sms.body, "[one-time code removed]")
        self.assertIn(code, recent_sms.body)

    def test_administrators_read_codes_without_digests_others_nothing(self):
        otp, _code, _sms = self._issue()
        admin = self.env["res.users"].create(
            {
                "name": "SACCO Admin",
                "login": "sacco.otp.admin",
                "groups_id": [(6, 0, [self.env.ref("sacco_base.sacco_base_group_admin").id])],
            }
        )
        self.assertEqual(otp.with_user(admin).purpose, "app_register")
        with self.assertRaises(AccessError):
            otp.with_user(admin).write({"used": True})
        with self.assertRaises(AccessError):
            otp.with_user(self.teller_a).read(["phone"])
        self.assertNotIn("digest", otp.with_user(admin).fields_get())
