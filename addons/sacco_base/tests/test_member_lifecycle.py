from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import SaccoBaseCommon


@tagged("post_install", "-at_install")
class TestMemberLifecycle(SaccoBaseCommon):
    def test_approval_gives_branch_numbers_and_logs(self):
        first = self._create_member()
        second = self._create_member()
        other_branch = self._create_member(branch_id=self.branch_b.id)
        self.assertEqual(first.state, "active")
        self.assertEqual(first.member_number, "TA-00001")
        self.assertEqual(second.member_number, "TA-00002")
        self.assertEqual(other_branch.member_number, "TB-00001")
        self.assertEqual(first.approved_by_id, self.manager)
        self.assertEqual(first.status_log_ids.mapped("to_state"), ["active"])
        self.assertEqual(first.display_name, f"TA-00001 {first.name}")

    def test_member_number_format_is_a_setting(self):
        self.company.sacco_member_number_template = "{year}/{prefix}{seq:04d}"
        member = self._create_member()
        self.assertEqual(member.member_number, f"{member.join_date.year}/TA-0001")
        with self.assertRaises(ValidationError):
            self.company.sacco_member_number_template = "{prefix}{unknown}"
        with self.assertRaises(ValidationError):
            self.company.sacco_member_number_template = "{prefix}"

    def test_approval_sends_the_welcome_sms(self):
        member = self._create_member()
        sms = self.env["sacco.sms.message"].search([("member_id", "=", member.id)])
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.state, "queued")
        self.assertEqual(sms.phone, member.phone)
        self.assertIn(member.member_number, sms.body)

    def test_teller_cannot_approve(self):
        member = self._create_applicant(user=self.teller_a)
        with self.assertRaises(AccessError):
            member.with_user(self.teller_a).action_approve()
        self.assertEqual(member.state, "applicant")
        self.assertFalse(member.member_number)

    def test_activation_without_verified_kyc_refused(self):
        member = self._create_applicant(documents="pending")
        with self.assertRefused(UserError, "KYC documents are not verified"):
            member.with_user(self.manager).action_approve()
        self.assertEqual(member.state, "applicant")
        self.assertFalse(member.member_number)
        self.assertFalse(member.status_log_ids)
        # No number was consumed: the next approval still gets the first one.
        member.document_ids.action_verify()
        member.with_user(self.manager).action_approve()
        self.assertEqual(member.member_number, "TA-00001")

    def test_activation_without_kin_refused_unless_setting_off(self):
        member = self._create_applicant(kin=False)
        with self.assertRefused(UserError, "no next of kin"):
            member.with_user(self.manager).action_approve()
        self.company.sacco_require_kin = False
        member.with_user(self.manager).action_approve()
        self.assertEqual(member.state, "active")

    def test_required_document_types_are_a_setting(self):
        self.company.sacco_required_document_type_ids = self.doc_id
        member = self._create_applicant(documents=False)
        self.assertEqual(member.missing_document_type_ids, self.doc_id)
        with self.assertRefused(UserError, "National ID"):
            member.with_user(self.manager).action_approve()

    def test_rejected_document_does_not_count(self):
        member = self._create_applicant(documents="pending")
        member.document_ids.action_verify()
        member.document_ids[0].action_reject()
        self.assertEqual(member.missing_document_type_ids, member.document_ids[0].document_type_id)

    def test_document_verification_records_who_and_when(self):
        member = self._create_applicant(user=self.teller_a, documents="pending")
        member.document_ids.with_user(self.teller_a).action_verify()
        self.assertEqual(set(member.document_ids.mapped("state")), {"verified"})
        self.assertEqual(member.document_ids.verified_by_id, self.teller_a)
        self.assertTrue(all(member.document_ids.mapped("verified_on")))
        with self.assertRaises(UserError):
            member.document_ids[0].action_verify()

    def test_status_changes_are_dated_reasoned_and_logged(self):
        member = self._create_member()
        wizard = (
            self.env["sacco.member.status.change"]
            .with_user(self.manager)
            .create(
                {
                    "member_id": member.id,
                    "new_state": "suspended",
                    "date": "2026-01-31",
                    "reason": "Board minute 12/2026",
                }
            )
        )
        wizard.action_apply()
        self.assertEqual(member.state, "suspended")
        self.assertEqual(str(member.state_date), "2026-01-31")
        self.assertEqual(member.state_reason, "Board minute 12/2026")
        log = member.status_log_ids.filtered(lambda entry: entry.to_state == "suspended")
        self.assertEqual((log.from_state, log.to_state), ("active", "suspended"))
        self.assertIn("Board minute 12/2026", member.message_ids[0].body)
        member.with_user(self.manager)._change_state("active", "2026-02-28", "Reinstated")
        member.with_user(self.manager)._change_state("exited", "2026-03-31", "Resigned")
        self.assertEqual(member.state, "exited")

    def test_invalid_transitions_refused(self):
        member = self._create_member()
        member.with_user(self.manager)._change_state("deceased", "2026-01-01", "Death certificate")
        with self.assertRefused(UserError, "cannot go from Deceased to Active"):
            member.with_user(self.manager)._change_state("active", "2026-01-02", "Error")
        applicant = self._create_applicant()
        with self.assertRaises(UserError):
            applicant.with_user(self.manager)._change_state("active", "2026-01-02", "Skip approval")
        self.assertEqual(applicant.state, "applicant")

    def test_status_change_needs_reason_and_manager(self):
        member = self._create_member()
        with self.assertRefused(UserError, "reason"):
            member.with_user(self.manager)._change_state("dormant", "2026-01-01", "  ")
        with self.assertRaises(AccessError):
            member.with_user(self.teller_a)._change_state("dormant", "2026-01-01", "Inactive")
        self.assertEqual(member.state, "active")

    def test_only_applicants_without_payments_can_be_deleted(self):
        member = self._create_member()
        with self.assertRefused(UserError, "exit members instead"):
            member.unlink()
        applicant = self._create_applicant()
        applicant.unlink()
        self.assertFalse(applicant.exists())
