from odoo.tests import tagged

from .common import MobileApiCommon


@tagged("post_install", "-at_install")
class TestAuth(MobileApiCommon):
    def test_openapi_and_docs_are_served(self):
        spec = self.url_open("/api/mobile/openapi.json")
        self.assertEqual(spec.status_code, 200)
        paths = spec.json()["paths"]
        for path in ("/auth/login", "/accounts", "/accounts/{account_id}/statement"):
            self.assertIn(path, paths)
        self.assertEqual(self.url_open("/api/mobile/docs").status_code, 200)

    def test_login_and_accounts(self):
        device = self._enrol(self.member)
        tokens = self.login(self.member, device)
        response = self.call("GET", "/accounts", token=tokens["access_token"])
        self.assertEqual(response.status_code, 200, response.text)
        numbers = {a["number"] for a in response.json()}
        self.assertEqual(numbers, set(self.member.savings_account_ids.mapped("name")))
