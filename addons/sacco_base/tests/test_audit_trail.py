from odoo.tests import tagged

from .common import SaccoBaseCommon


@tagged("post_install", "-at_install")
class TestAuditTrail(SaccoBaseCommon):
    def setUp(self):
        super().setUp()
        self.last_log = self.env["auditlog.log"].search([], order="id desc", limit=1)

    def _logged(self, record, field_name):
        """The audit log lines this test wrote for a write of ``field_name`` on ``record``."""
        return self.env["auditlog.log.line"].search(
            [
                ("log_id", ">", self.last_log.id),
                ("log_id.model_id.model", "=", record._name),
                ("log_id.res_id", "=", record.id),
                ("log_id.method", "=", "write"),
                ("field_name", "=", field_name),
            ]
        )

    def test_member_phone_change_is_logged(self):
        member = self._create_member(phone="0712 300 500")
        change = (
            self.env["sacco.member.change"]
            .with_user(self.teller_a)
            .create({"member_id": member.id, "new_phone": "0733 222 333", "reason": "New SIM"})
        )
        change.with_user(self.manager).action_approve()
        line = self._logged(member.partner_id, "phone")
        self.assertEqual(len(line), 1)
        self.assertEqual(line.old_value, "+254712300500")
        self.assertEqual(line.new_value, "+254733222333")
        self.assertEqual(line.log_id.user_id, self.manager)
        self.assertTrue(self._logged(change, "state"))

    def test_gl_mapping_change_is_logged(self):
        old = self.company.sacco_account_fee_income_id
        new = self.company.sacco_account_penalty_income_id
        self.company.sacco_account_fee_income_id = new
        line = self._logged(self.company, "sacco_account_fee_income_id")
        self.assertEqual(len(line), 1)
        self.assertIn(old.display_name, line.old_value_text)
        self.assertIn(new.display_name, line.new_value_text)

    def test_secrets_stay_out_of_the_log(self):
        self.company.sacco_sms_api_key = "secret-key"
        self.assertFalse(self._logged(self.company, "sacco_sms_api_key"))

    def test_user_groups_change_is_logged(self):
        self.teller_a.groups_id = [(4, self.env.ref("sacco_base.sacco_base_group_loan_officer").id)]
        self.assertTrue(self._logged(self.teller_a, "groups_id"))
