import re
import uuid

from odoo import fields
from odoo.tests import tagged

from .common import MobileApiCommon

NEW_PIN = "4827"


@tagged("post_install", "-at_install")
class TestJourney(MobileApiCommon):
    """A member's whole journey over HTTP, and the one-time-code rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emergency.channel_ok = True
        cls.product.write({"channel_ok": True, "min_guarantors": 1, "payslip_required": False})

    def _code(self, member, phone=None):
        """The code of the latest SMS to the member (the only place it is written)."""
        sms = self.env["sacco.sms.message"].search(
            [("member_id", "=", member.id), ("phone", "=", phone or member.phone)], limit=1
        )
        return re.search(r"\b(\d{6})\b", sms.body).group(1)

    def _register(self, member, device):
        phone = member.phone
        sent = self.call(
            "POST", "/auth/register", {"identifier": member.member_number, "phone": phone}
        )
        self.assertEqual(sent.status_code, 202, sent.text)
        code = self._code(member)
        body = {
            "phone": phone,
            "device_id": device,
            "purpose": "register",
            "code": code,
            "pin": NEW_PIN,
        }
        tokens = self.call("POST", "/auth/verify-otp", body)
        self.assertEqual(tokens.status_code, 200, tokens.text)
        return tokens.json(), body

    def test_whole_journey(self):
        device = "journey-phone-0001"
        tokens, verify = self._register(self.member, device)
        # The code was single use.
        self.assertError(self.call("POST", "/auth/verify-otp", verify), 400, "otp_expired")
        self.assertNotIn(
            verify["code"], str(self.env["sacco.mobile.notification"].search([]).mapped("body"))
        )
        login = self.call(
            "POST", "/auth/login", {"phone": self.member.phone, "pin": NEW_PIN, "device_id": device}
        )
        self.assertEqual(login.status_code, 200, login.text)
        access = login.json()["access_token"]
        auth = {"token": access}

        accounts = self.call("GET", "/accounts", **auth).json()
        fosa = next(a for a in accounts if a["id"] == self.member_fosa.id)
        self.assertEqual(fosa["balance"], self.member_fosa.balance)
        balance = self.call("GET", f"/accounts/{self.member_fosa.id}/balance", **auth).json()
        self.assertEqual(balance["available_balance"], self.member_fosa.available_balance)
        statement = self.call(
            "GET", f"/accounts/{self.member_fosa.id}/statement?page_size=1", **auth
        ).json()
        self.assertEqual((statement["total_lines"], len(statement["lines"])), (1, 1))
        mini = self.call("GET", f"/accounts/{self.member_fosa.id}/mini-statement", **auth)
        self.assertEqual(mini.json()[0]["amount"], 20000)

        # STK deposit, completed by Daraja's callback from the local Daraja server.
        deposit = self.call(
            "POST",
            f"/accounts/{self.bosa.id}/deposit",
            {"amount": "1500"},
            key=str(uuid.uuid4()),
            **auth,
        )
        self.assertEqual(deposit.status_code, 202, deposit.text)
        self.daraja.deliver()
        self._process()
        paid = self.call("GET", f"/payments/{deposit.json()['id']}", **auth).json()
        self.assertEqual(paid["state"], "done")

        # Transfer to another member after the name confirmation.
        preview = self.call(
            "POST",
            "/accounts/transfer/preview",
            {"to_member_number": self.other.member_number, "amount": "2000"},
            **auth,
        ).json()
        transfer = self.call(
            "POST",
            "/accounts/transfer",
            {
                "from_account_id": self.member_fosa.id,
                "amount": "2000",
                "pin": NEW_PIN,
                "confirmation": preview["confirmation"],
            },
            key=str(uuid.uuid4()),
            **auth,
        )
        self.assertEqual(transfer.status_code, 200, transfer.text)

        # B2C withdrawal to the member's own M-Pesa.
        withdrawal = self.call(
            "POST",
            f"/accounts/{self.member_fosa.id}/withdraw",
            {"amount": "3000", "pin": NEW_PIN},
            key=str(uuid.uuid4()),
            **auth,
        )
        self.assertEqual(withdrawal.status_code, 202, withdrawal.text)
        self.daraja.deliver()
        self._process()
        out = self.call("GET", f"/payments/{withdrawal.json()['id']}", **auth).json()
        self.assertEqual(out["state"], "done")

        # A loan application with a guarantor who accepts in the app.
        products = self.call("GET", "/loans/products", **auth).json()
        self.assertIn(self.product.id, [p["id"] for p in products])
        eligibility = self.call("GET", f"/loans/eligibility/{self.product.id}", **auth).json()
        self.assertGreater(eligibility["max_amount"], 0, eligibility)
        amount = str(min(int(eligibility["max_amount"]), 20000))
        applied = self.call(
            "POST",
            "/loans/apply",
            {
                "product_id": self.product.id,
                "amount": amount,
                "term_months": eligibility["terms"][0],
                "pin": NEW_PIN,
                "guarantors": [{"member_number": self.guarantor.member_number, "amount": amount}],
            },
            key=str(uuid.uuid4()),
            **auth,
        )
        self.assertEqual(applied.status_code, 201, applied.text)
        g_access, _g_refresh, _g_device = self.signed_in(self.guarantor)
        requests_ = self.call("GET", "/loans/guarantee-requests", token=g_access).json()
        self.assertEqual(len(requests_), 1)
        accepted = self.call(
            "POST",
            f"/loans/guarantee-requests/{requests_[0]['id']}/accept",
            {"pin": "2580"},
            token=g_access,
        )
        self.assertEqual(accepted.status_code, 200, accepted.text)
        self.assertEqual(accepted.json()["state"], "accepted")

        # Repayment of a running loan by STK.
        loan = self._disbursed_loan(
            member=self.member, product=self.emergency, amount=10000, term=6, guarantors=()
        )
        self.assertEqual(self.call("GET", f"/loans/{loan.id}", **auth).json()["number"], loan.name)
        schedule = self.call("GET", f"/loans/{loan.id}/schedule", **auth).json()
        self.assertEqual(len(schedule), 6)
        repay = self.call(
            "POST", f"/loans/{loan.id}/repay", {"amount": "1000"}, key=str(uuid.uuid4()), **auth
        )
        self.assertEqual(repay.status_code, 202, repay.text)
        self.daraja.deliver()
        self._process()
        self.assertEqual(loan.principal_outstanding < 10000, True)
        history = self.call("GET", f"/loans/{loan.id}/transactions", **auth).json()
        self.assertCountEqual([t["kind"] for t in history], ["disbursement", "repayment"])

        # Refresh rotation, then logout.
        rotated = self.call(
            "POST",
            "/auth/refresh-token",
            {"refresh_token": login.json()["refresh_token"], "device_id": device},
        )
        self.assertEqual(rotated.status_code, 200, rotated.text)
        access = rotated.json()["access_token"]
        self.assertEqual(self.call("POST", "/auth/logout", token=access).status_code, 204)
        self.assertError(self.call("GET", "/accounts", token=access), 401, "invalid_token")
        self.assertMpesaBooksMatch()

    def test_new_device_needs_a_code(self):
        self._register(self.member, "first-phone-0001")
        body = {"phone": self.member.phone, "pin": NEW_PIN, "device_id": "second-phone-0002"}
        self.assertError(self.call("POST", "/auth/login", body), 403, "device_not_verified")
        verify = {**body, "purpose": "device", "code": self._code(self.member)}
        self.assertEqual(self.call("POST", "/auth/verify-otp", verify).status_code, 200)
        self.assertEqual(self.call("POST", "/auth/login", body).status_code, 200)
        event = self.env["sacco.mobile.notification"].search(
            [("member_id", "=", self.member.id), ("kind", "=", "event")], limit=1
        )
        self.assertEqual(event.title, "New device")

    def test_expired_code_and_pin_reset_unlocks(self):
        self._register(self.member, "phone-0003-reset")
        wrong = {"phone": self.member.phone, "pin": "1357", "device_id": "phone-0003-reset"}
        for _n in range(3):
            self.call("POST", "/auth/login", wrong)
        self.assertTrue(self.Api._credential(self.member).locked)
        self.assertEqual(
            self.call("POST", "/auth/forgot-pin", {"phone": self.member.phone}).status_code, 202
        )
        code = self._code(self.member)
        otp = (
            self.env["sacco.member.otp"]
            .sudo()
            .search([("member_id", "=", self.member.id)], limit=1)
        )
        otp.write(
            {
                "sent_at": fields.Datetime.subtract(otp.sent_at, minutes=6),
                "expires_at": fields.Datetime.subtract(otp.expires_at, minutes=6),
            }
        )
        reset = {"phone": self.member.phone, "code": code, "new_pin": "8642"}
        self.assertError(self.call("POST", "/auth/reset-pin", reset), 400, "otp_expired")
        self.call("POST", "/auth/forgot-pin", {"phone": self.member.phone})
        reset["code"] = self._code(self.member)
        wrong_code = {**reset, "code": "000000" if reset["code"] != "000000" else "111111"}
        self.assertError(self.call("POST", "/auth/reset-pin", wrong_code), 400, "otp_invalid")
        self.assertEqual(self.call("POST", "/auth/reset-pin", reset).status_code, 200)
        self.assertFalse(self.Api._credential(self.member).locked)
        self.assertEqual(
            self.call("POST", "/auth/login", {**wrong, "pin": "8642"}).status_code, 200
        )

    def test_register_tells_nobody_which_phones_are_members(self):
        unknown = self.call(
            "POST", "/auth/register", {"identifier": "M-NOPE", "phone": "+254799000111"}
        )
        known = self.call(
            "POST", "/auth/register", {"identifier": "M-NOPE", "phone": self.member.phone}
        )
        self.assertEqual((unknown.status_code, known.status_code), (202, 202))
        self.assertEqual(unknown.json(), known.json())
        self.assertFalse(self.env["sacco.member.otp"].sudo().search([]))

    def test_phone_change_needs_a_code_to_the_new_phone(self):
        access, _refresh, _device = self.signed_in()
        new = "+254733000123"
        first = self.call("PUT", "/profile", {"phone": new}, token=access)
        self.assertEqual(first.json()["phone_change"], "code_sent")
        code = self._code(self.member, phone=new)
        done = self.call("PUT", "/profile", {"phone": new, "code": code}, token=access)
        self.assertEqual(done.json()["phone_change"], "pending_approval", done.text)
        change = self.env["sacco.member.change"].search([("member_id", "=", self.member.id)])
        self.assertEqual((change.new_phone, change.state), (new, "pending"))
