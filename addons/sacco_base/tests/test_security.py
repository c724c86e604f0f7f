from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SaccoBaseCommon


@tagged("post_install", "-at_install")
class TestBranchSecurity(SaccoBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member_a = cls._create_member(branch_id=cls.branch_a.id)
        cls.member_b = cls._create_member(branch_id=cls.branch_b.id)

    def test_teller_sees_only_their_branch(self):
        Member = self.env["sacco.member"].with_user(self.teller_a)
        visible = Member.search([("id", "in", (self.member_a | self.member_b).ids)])
        self.assertEqual(visible, self.member_a)
        with self.assertRaises(AccessError):
            self.member_b.with_user(self.teller_a).read(["name"])
        with self.assertRaises(AccessError):
            self.member_b.kin_ids.with_user(self.teller_a).read(["name"])
        with self.assertRaises(AccessError):
            self.member_b.document_ids.with_user(self.teller_a).read(["state"])

    def test_teller_cannot_create_in_another_branch(self):
        with self.assertRaises(AccessError):
            self._create_applicant(user=self.teller_a, branch_id=self.branch_b.id)

    def test_managers_and_auditors_see_every_branch(self):
        for user in (self.manager, self.auditor, self.accountant):
            with self.subTest(user=user.login):
                visible = (
                    self.env["sacco.member"]
                    .with_user(user)
                    .search([("id", "in", (self.member_a | self.member_b).ids)])
                )
                self.assertEqual(visible, self.member_a | self.member_b)

    def test_auditor_is_read_only(self):
        member = self.member_a.with_user(self.auditor)
        self.assertTrue(member.name)
        with self.assertRaises(AccessError):
            member.write({"payroll_number": "X1"})
        with self.assertRaises(AccessError):
            self._create_applicant(user=self.auditor)
        with self.assertRaises(AccessError):
            self.branch_a.with_user(self.auditor).write({"name": "Renamed"})

    def test_teller_cannot_configure(self):
        with self.assertRaises(AccessError):
            self.env["sacco.branch"].with_user(self.teller_a).create(
                {"name": "Rogue", "code": "RG", "member_number_prefix": "RG-"}
            )
        with self.assertRaises(AccessError):
            self.env["sacco.member.status.change"].with_user(self.teller_a).create(
                {"member_id": self.member_a.id, "new_state": "exited", "reason": "x"}
            )

    def test_other_company_members_are_invisible(self):
        other_company = self.env["res.company"].create({"name": "Other SACCO"})
        branch = self.env["sacco.branch"].create(
            {
                "name": "Other",
                "code": "OT",
                "member_number_prefix": "OT-",
                "company_id": other_company.id,
            }
        )
        outsider = self._create_applicant(branch_id=branch.id, company_id=other_company.id)
        self.manager.sacco_branch_ids = branch
        found = self.env["sacco.member"].with_user(self.manager).search([("id", "=", outsider.id)])
        self.assertFalse(found)
