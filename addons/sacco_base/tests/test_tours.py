from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import SaccoBaseCommon


@tagged("post_install", "-at_install")
class TestMemberTours(HttpCase, SaccoBaseCommon):
    def test_onboarding_through_the_web_client(self):
        self.env["sacco.branch"].create(
            {"name": "Tour Branch", "code": "TOUR", "member_number_prefix": "TOUR-"}
        )
        self.company.sacco_required_document_type_ids = self.doc_id
        self.start_tour("/odoo", "sacco_member_onboarding", login=self.manager.login)
        member = self.env["sacco.member"].search([("id_number", "=", "23456789")])
        self.assertEqual(member.state, "active")
        self.assertEqual(member.member_number, "TOUR-00001")
        self.assertEqual(member.phone, "+254712555101")
        self.assertEqual(member.kin_ids.name, "Otieno Odhiambo")
        self.assertEqual(member.document_ids.state, "verified")
        self.assertEqual(member.document_ids.verified_by_id, self.manager)

    def test_teller_cannot_open_another_branch_member(self):
        self._create_applicant(name="Alpha Member", branch_id=self.branch_a.id)
        beta = self._create_applicant(name="Beta Member", branch_id=self.branch_b.id)
        self.start_tour("/odoo", "sacco_teller_branch_isolation", login=self.teller_a.login)
        # Opening the record directly (as the form view does) is refused by the server.
        self.authenticate(self.teller_a.login, self.teller_a.login)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as refused:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/sacco.member/web_read",
                {
                    "model": "sacco.member",
                    "method": "web_read",
                    "args": [[beta.id]],
                    "kwargs": {"specification": {"name": {}}},
                },
            )
        self.assertEqual(refused.exception.args[0], "odoo.exceptions.AccessError")
