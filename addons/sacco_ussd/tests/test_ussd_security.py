from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PIN, SaccoUssdCommon


@tagged("post_install", "-at_install")
class TestUssdSecurity(SaccoUssdCommon):
    def test_session_log_follows_branches_and_pins_stay_hidden(self):
        session, _reply = self.walk(PIN, "1")
        record = self.session_record(session)
        Session = self.env["sacco.ussd.session"]
        self.assertEqual(Session.with_user(self.teller_a).search([("id", "=", record.id)]), record)
        self.assertFalse(Session.with_user(self.teller_b).search([("id", "=", record.id)]))
        self.assertEqual(Session.with_user(self.auditor).search([("id", "=", record.id)]), record)
        with self.assertRaises(AccessError):
            self.env["sacco.ussd.credential"].with_user(self.manager).search([])
        with self.assertRaises(AccessError):
            record.with_user(self.manager).write({"outcome": "failed"})
        with self.assertRaises(AccessError):
            self.at_channel.with_user(self.teller_a).write({"withdraw_max": 1})

    def test_token_rotation(self):
        old = self.at_channel.callback_token
        self.at_channel.with_user(self.env.ref("base.user_admin")).action_rotate_token()
        self.assertNotEqual(self.at_channel.callback_token, old)
        self.assertEqual(self.at(self.new_session(), "")[:4], "CON ")
        response = self.url_open(f"/sacco/ussd/{old}/at", data={"sessionId": "r"})
        self.assertEqual(response.status_code, 404)
