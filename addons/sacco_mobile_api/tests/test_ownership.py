from odoo.tests import tagged

from .common import PIN, MobileApiCommon

PNG = b"\x89PNG\r\n\x1a\n" + b"x" * 64


@tagged("post_install", "-at_install")
class TestOwnership(MobileApiCommon):
    """Another member's ids answer 404 on every endpoint that takes an id."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_loan = cls._disbursed_loan(
            member=cls.other, product=cls.emergency, amount=10000, term=6, guarantors=()
        )
        cls.other_payment = cls.env["sacco.mpesa.request"].request_stk_push(
            cls.other, cls.other.phone, 100, cls.other_fosa
        )
        cls.other_document = cls.other.document_ids[:1]
        cls.other_notification = cls.env["sacco.mobile.notification"].create(
            {"member_id": cls.other.id, "title": "Hi", "body": "For Otieno only"}
        )
        cls.other_guarantee = cls._application(
            member=cls.other, guarantors=((cls.guarantor, 30000),)
        ).guarantor_ids

    def test_other_members_ids_are_not_found(self):
        access, _refresh, _device = self.signed_in()
        account, loan = self.other_fosa.id, self.other_loan.id
        money = {"amount": "100", "pin": PIN}
        calls = [
            ("GET", f"/accounts/{account}/balance", None),
            ("GET", f"/accounts/{account}/statement", None),
            ("GET", f"/accounts/{account}/mini-statement", None),
            ("POST", f"/accounts/{account}/deposit", {"amount": "100"}),
            ("POST", f"/accounts/{account}/withdraw", money),
            (
                "POST",
                "/accounts/transfer",
                {"from_account_id": account, "to_account_id": self.bosa.id, **money},
            ),
            (
                "POST",
                "/accounts/transfer",
                {"from_account_id": self.member_fosa.id, "to_account_id": account, **money},
            ),
            ("GET", f"/loans/{loan}", None),
            ("GET", f"/loans/{loan}/schedule", None),
            ("GET", f"/loans/{loan}/transactions", None),
            ("POST", f"/loans/{loan}/repay", {"amount": "100"}),
            ("POST", f"/loans/{loan}/top-up", {"amount": "20000", "term_months": 6, "pin": PIN}),
            ("GET", f"/payments/{self.other_payment.id}", None),
            ("GET", f"/profile/documents/{self.other_document.id}", None),
            ("PUT", f"/notifications/{self.other_notification.id}/read", None),
            ("POST", f"/loans/guarantee-requests/{self.other_guarantee.id}/accept", {"pin": PIN}),
            ("POST", f"/loans/guarantee-requests/{self.other_guarantee.id}/decline", {"pin": PIN}),
        ]
        for n, (method, path, body) in enumerate(calls):
            with self.subTest(path=path):
                response = self.call(method, path, body, token=access, key=f"own-{n}")
                self.assertError(response, 404, "not_found")
        self.assertFalse(self.other_notification.read)
        self.assertEqual(self.Api._credential(self.member).pin_failures, 0)

    def test_lists_hold_only_own_records(self):
        access, _refresh, _device = self.signed_in()
        accounts = self.call("GET", "/accounts", token=access).json()
        self.assertEqual({a["id"] for a in accounts}, set(self.member.savings_account_ids.ids))
        self.assertEqual(self.call("GET", "/loans", token=access).json(), [])
        notes = self.call("GET", "/notifications", token=access).json()
        self.assertNotIn(self.other_notification.id, [n["id"] for n in notes["items"]])


@tagged("post_install", "-at_install")
class TestProfile(MobileApiCommon):
    def test_profile_email_and_next_of_kin(self):
        access, _refresh, _device = self.signed_in()
        profile = self.call("GET", "/profile", token=access).json()
        self.assertEqual(profile["member_number"], self.member.member_number)
        self.assertEqual(profile["next_of_kin"][0]["name"], "Kamau Njoroge")
        updated = self.call("PUT", "/profile", {"email": "njeri@example.com"}, token=access)
        self.assertEqual(updated.status_code, 200, updated.text)
        self.assertEqual(self.member.email, "njeri@example.com")
        bad = self.call("PUT", "/profile", {"email": "not-an-email"}, token=access)
        self.assertError(bad, 422, "validation_error")

    def test_kyc_upload_type_and_size_checked(self):
        access, _refresh, _device = self.signed_in()
        url = self.base_url() + "/api/mobile/profile/documents/upload"
        headers = {"Authorization": f"Bearer {access}"}

        def upload(name, content, content_type, doc_type=None):
            return self.opener.post(
                url,
                data={"document_type": doc_type or self.doc_id.code},
                files={"file": (name, content, content_type)},
                headers=headers,
                timeout=30,
            )

        done = upload("id.png", PNG, "image/png")
        self.assertEqual(done.status_code, 201, done.text)
        document = self.env["sacco.member.document"].browse(done.json()["id"])
        self.assertEqual((document.member_id, document.state), (self.member, "pending"))
        self.assertError(
            upload("id.exe", b"MZ", "application/x-msdownload"), 415, "unsupported_media_type"
        )
        self.assertError(upload("id.png", b"<script>", "image/png"), 422, "validation_error")
        self.assertError(upload("id.png", PNG, "image/png", "NOPE"), 422, "validation_error")
        self.assertError(upload("id.png", PNG, "image/png", "NAT\x00"), 422, "validation_error")
        fetched = self.call("GET", f"/profile/documents/{document.id}", token=access)
        self.assertEqual(fetched.json()["state"], "pending")

    def test_notifications_from_sms_and_read_flag(self):
        access, _refresh, _device = self.signed_in()

        def unread():
            return self.call("GET", "/notifications?unread_only=true", token=access).json()

        before = unread()["total"]
        self.env["sacco.sms.message"]._queue_from_template(
            "sacco_base.sacco_sms_template_member_welcome", self.member
        )
        page = unread()
        self.assertEqual(page["total"], before + 1)
        note = page["items"][0]
        self.assertIn(self.member.member_number, note["body"])
        self.assertEqual(note["kind"], "sms")
        read = self.call("PUT", f"/notifications/{note['id']}/read", token=access)
        self.assertTrue(read.json()["read"])
        self.assertEqual(unread()["total"], before)
