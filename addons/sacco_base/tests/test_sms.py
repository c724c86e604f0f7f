from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .africastalking_server import AfricasTalkingTestServer
from .common import SaccoBaseCommon


class SmsCommon(SaccoBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "sacco_sms_username": "sacco-test",
                "sacco_sms_sandbox": False,
                "sacco_sms_api_key": "test-api-key",
                "sacco_sms_sender_id": "SACCO",
                "sacco_sms_max_attempts": 3,
                "sacco_sms_callback_token": "dr-token-123",
            }
        )
        cls.Sms = cls.env["sacco.sms.message"]
        cls.Sms.search([]).unlink()  # demo data queues welcome messages
        cls.member = cls._create_member()

    def _queue(self, body="Your deposit of KES 500 was received."):
        return self.Sms.create(
            {"member_id": self.member.id, "phone": self.member.phone, "body": body}
        )


@tagged("post_install", "-at_install")
class TestSmsOutbox(SmsCommon):
    def _run_cron(self, server):
        self.company.sacco_sms_api_url = server.base_url
        return self.Sms._cron_send_queued()

    def test_send_through_the_sdk_in_africastalking_format(self):
        welcome = self.Sms.search([("member_id", "=", self.member.id)])
        with AfricasTalkingTestServer() as server:
            sent = self._run_cron(server)
        self.assertEqual(sent, welcome)
        request = server.requests[0]
        self.assertEqual(request["path"], "/version1/messaging")
        self.assertEqual(request["headers"]["apiKey"], "test-api-key")
        self.assertEqual(request["form"]["username"], "sacco-test")
        self.assertEqual(request["form"]["to"], self.member.phone)
        self.assertEqual(request["form"]["from"], "SACCO")
        self.assertEqual(request["form"]["message"], welcome.body)
        self.assertEqual(welcome.state, "sent")
        self.assertEqual(welcome.provider_message_id, "ATXid_000001")
        self.assertAlmostEqual(welcome.cost, 0.8)
        self.assertEqual(welcome.cost_currency, "KES")
        self.assertEqual(welcome.attempts, 1)

    def test_gateway_outage_is_retried_with_backoff_then_failed(self):
        self.Sms.search([]).unlink()
        message = self._queue()
        with AfricasTalkingTestServer() as server:
            server.http_status = 500
            now = fields.Datetime.now()
            with freeze_time(now):
                self._run_cron(server)
            self.assertEqual(message.state, "queued")
            self.assertEqual(message.attempts, 1)
            self.assertEqual(message.next_attempt_at, now + timedelta(seconds=60))
            self.assertIn("unavailable", message.last_error)
            with freeze_time(now + timedelta(seconds=30)):
                self.assertFalse(self._run_cron(server), "not due before the back-off")
            with freeze_time(now + timedelta(seconds=61)):
                self._run_cron(server)
            self.assertEqual(message.attempts, 2)
            self.assertEqual(message.next_attempt_at, now + timedelta(seconds=61 + 120))
            with freeze_time(now + timedelta(seconds=200)):
                self._run_cron(server)
        self.assertEqual(message.state, "failed")
        self.assertEqual(message.attempts, 3)
        self.assertEqual(len(server.requests), 3)

    def test_permanent_rejection_fails_at_once(self):
        self.Sms.search([]).unlink()
        message = self._queue()
        with AfricasTalkingTestServer() as server:
            server.status_code_for = lambda number: 406  # UserInBlacklist
            self._run_cron(server)
        self.assertEqual(message.state, "failed")
        self.assertEqual(message.last_error, "UserInBlacklist")
        self.assertEqual(message.attempts, 1)

    def test_retry_of_failed_message(self):
        message = self._queue()
        message.state = "failed"
        message.with_user(self.manager).action_retry()
        self.assertEqual((message.state, message.attempts), ("queued", 0))
        with self.assertRaises(UserError):
            message.action_retry()

    def test_sandbox_switch_uses_the_sandbox_account(self):
        self.company.sacco_sms_sandbox = True
        with AfricasTalkingTestServer() as server:
            self._run_cron(server)
        self.assertEqual(server.requests[0]["form"]["username"], "sandbox")

    def test_unconfigured_company_keeps_messages_queued(self):
        self.company.sacco_sms_api_key = False
        message = self._queue()
        self.Sms._cron_send_queued()
        self.assertEqual(message.state, "queued")
        self.assertEqual(message.attempts, 0)

    def test_invalid_phone_refused(self):
        with self.assertRefused(ValidationError, "not a valid"):
            self.Sms.create({"phone": "12", "body": "x"})

    def test_welcome_template_respects_archiving(self):
        self.env.ref("sacco_base.sacco_sms_template_member_welcome").active = False
        member = self._create_member()
        self.assertFalse(self.Sms.search([("member_id", "=", member.id)]))

    def test_template_placeholders_checked(self):
        with self.assertRaises(ValidationError):
            self.env["sacco.sms.template"].create({"name": "Bad", "body": "Hi {nickname}"})
        template = self.env["sacco.sms.template"].create(
            {"name": "Due", "body": "Dear {first_name} ({member_number}), your loan is due."}
        )
        self.assertEqual(
            template._render_for(self.member),
            f"Dear Wanjiku ({self.member.member_number}), your loan is due.",
        )
        self.assertEqual(template.segments, 1)


@tagged("post_install", "-at_install")
class TestSmsDeliveryReports(HttpCase, SmsCommon):
    def _post_report(self, token, **form):
        response = self.url_open(f"/sacco/sms/delivery/{token}", data=form)
        self.env.invalidate_all()
        return response

    def _sent_message(self):
        message = self._queue()
        message.write({"state": "sent", "provider_message_id": "ATXid_dr_1"})
        return message

    def test_delivered_report_updates_the_outbox(self):
        message = self._sent_message()
        response = self._post_report(
            "dr-token-123",
            id="ATXid_dr_1",
            status="Success",
            phoneNumber=self.member.phone,
            networkCode="63902",
            retryCount="0",
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(message.state, "delivered")
        self.assertEqual(message.delivery_status, "Success")
        self.assertTrue(message.delivered_at)

    def test_failed_report_records_the_reason(self):
        message = self._sent_message()
        self._post_report(
            "dr-token-123",
            id="ATXid_dr_1",
            status="Failed",
            failureReason="AbsentSubscriber",
            phoneNumber=self.member.phone,
            networkCode="63902",
            retryCount="1",
        )
        self.assertEqual(message.state, "failed")
        self.assertEqual(message.last_error, "AbsentSubscriber")

    def test_wrong_token_is_forbidden_and_changes_nothing(self):
        message = self._sent_message()
        for token in ("wrong", "dr-tökén-123"):  # not ASCII: refused too, not an error
            response = self._post_report(token, id="ATXid_dr_1", status="Success")
            self.assertEqual(response.status_code, 403)
        self.assertEqual(message.state, "sent")

    def test_malformed_report_is_a_clear_400(self):
        message = self._sent_message()
        response = self._post_report("dr-token-123", status="Success")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(message.state, "sent")
