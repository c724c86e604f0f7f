import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

from odoo.tests import tagged

from sacco_core.mobile_auth import access_claims, encode_access_token

from .common import PIN, MobileApiCommon


def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@tagged("post_install", "-at_install")
class TestTokens(MobileApiCommon):
    def _token(self, now, ttl=timedelta(minutes=10), sid=None, device="d"):
        claims = access_claims(
            str(self.member.id), device, now, self.Api._issuer(), "sacco-mobile-app", ttl
        )
        claims["sid"] = sid
        return encode_access_token(claims, self.Api._jwt_key())

    def test_missing_malformed_and_tampered_tokens(self):
        self.assertError(self.call("GET", "/accounts"), 401, "invalid_token")
        self.assertError(self.call("GET", "/accounts", token="abc.def.ghi"), 401, "invalid_token")
        access, _refresh, _device = self.signed_in()
        head, body, signature = access.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=="))
        claims["sub"] = str(self.other.id)
        forged = f"{head}.{_b64(claims)}.{signature}"
        self.assertError(self.call("GET", "/accounts", token=forged), 401, "invalid_token")

    def test_alg_none_refused(self):
        access, _refresh, _device = self.signed_in()
        claims = json.loads(base64.urlsafe_b64decode(access.split(".")[1] + "=="))
        unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
        self.assertError(self.call("GET", "/accounts", token=unsigned), 401, "invalid_token")

    def test_expired_access_token(self):
        _access, _refresh, device = self.signed_in()
        session = self.env["sacco.mobile.session"].search(
            [("member_id", "=", self.member.id)], limit=1
        )
        stale = self._token(
            datetime.now(UTC) - timedelta(minutes=20), sid=session.family, device=device
        )
        self.assertError(self.call("GET", "/accounts", token=stale), 401, "token_expired")
        fresh = self._token(datetime.now(UTC), sid=session.family, device=device)
        self.assertEqual(self.call("GET", "/accounts", token=fresh).status_code, 200)

    def test_access_tokens_live_at_most_15_minutes(self):
        access, _refresh, _device = self.signed_in()
        claims = json.loads(base64.urlsafe_b64decode(access.split(".")[1] + "=="))
        self.assertLessEqual(claims["exp"] - claims["iat"], 15 * 60)
        self.assertEqual((claims["aud"], claims["iss"]), ("sacco-mobile-app", self.Api._issuer()))

    def test_refresh_rotation_and_reuse_revokes_family(self):
        access, refresh, device = self.signed_in()
        first = self.call(
            "POST", "/auth/refresh-token", {"refresh_token": refresh, "device_id": device}
        )
        self.assertEqual(first.status_code, 200, first.text)
        rotated = first.json()
        self.assertNotEqual(rotated["refresh_token"], refresh)
        # The spent token comes back (stolen?): refused, and the whole family is revoked.
        again = self.call(
            "POST", "/auth/refresh-token", {"refresh_token": refresh, "device_id": device}
        )
        self.assertError(again, 401, "token_reused")
        self.assertError(
            self.call(
                "POST",
                "/auth/refresh-token",
                {"refresh_token": rotated["refresh_token"], "device_id": device},
            ),
            401,
            "invalid_token",
        )
        for token in (access, rotated["access_token"]):
            self.assertError(self.call("GET", "/accounts", token=token), 401, "invalid_token")
        session = self.env["sacco.mobile.session"].search([("member_id", "=", self.member.id)])
        self.assertEqual((session.state, session.revoked_reason), ("revoked", "reuse"))
        # Refresh tokens are stored hashed only.
        stored = self.env["sacco.mobile.refresh.token"].search([("session_id", "=", session.id)])
        self.assertNotIn(refresh, stored.mapped("digest"))

    def test_refresh_token_bound_to_its_device(self):
        _access, refresh, _device = self.signed_in()
        response = self.call(
            "POST",
            "/auth/refresh-token",
            {"refresh_token": refresh, "device_id": "another-phone-1"},
        )
        self.assertError(response, 401, "token_reused")
        session = self.env["sacco.mobile.session"].search([("member_id", "=", self.member.id)])
        self.assertEqual(session.revoked_reason, "device")

    def test_logout_and_staff_sign_out(self):
        access, refresh, device = self.signed_in()
        self.assertEqual(self.call("POST", "/auth/logout", token=access).status_code, 204)
        self.assertError(self.call("GET", "/accounts", token=access), 401, "invalid_token")
        self.assertError(
            self.call(
                "POST", "/auth/refresh-token", {"refresh_token": refresh, "device_id": device}
            ),
            401,
            "invalid_token",
        )
        tokens = self.login(self.member, device)
        self.member.action_sacco_mobile_sign_out_all()
        told = self.env["sacco.mobile.notification"].search(
            [("member_id", "=", self.member.id), ("kind", "=", "event")], limit=1
        )
        self.assertEqual(told.title, "Signed out")
        self.assertError(
            self.call("GET", "/accounts", token=tokens["access_token"]), 401, "invalid_token"
        )


@tagged("post_install", "-at_install")
class TestPin(MobileApiCommon):
    def test_wrong_pin_three_times_locks_and_alerts(self):
        device = self._enrol(self.member)
        body = {"phone": self.member.phone, "pin": "1357", "device_id": device}
        self.assertError(self.call("POST", "/auth/login", body), 401, "invalid_credentials")
        self.assertError(self.call("POST", "/auth/login", body), 401, "invalid_credentials")
        self.assertError(self.call("POST", "/auth/login", body), 403, "account_locked")
        right = {**body, "pin": PIN}
        self.assertError(self.call("POST", "/auth/login", right), 403, "account_locked")
        credential = self.Api._credential(self.member)
        self.assertTrue(credential.locked)
        alert = self.env["sacco.sms.message"].search([("member_id", "=", self.member.id)], limit=1)
        self.assertIn("locked", alert.body)
        self.assertTrue(self.member.sacco_mobile_locked)
        self.member.action_sacco_mobile_unlock()
        self.assertEqual(self.call("POST", "/auth/login", right).status_code, 200)

    def test_a_good_pin_clears_the_failures(self):
        device = self._enrol(self.member)
        wrong = {"phone": self.member.phone, "pin": "1357", "device_id": device}
        self.call("POST", "/auth/login", wrong)
        self.call("POST", "/auth/login", wrong)
        self.login(self.member, device)
        self.assertError(self.call("POST", "/auth/login", wrong), 401, "invalid_credentials")
        self.assertEqual(self.Api._credential(self.member).pin_failures, 1)

    def test_unknown_phone_answers_like_a_wrong_pin(self):
        body = {"phone": "+254799999999", "pin": PIN, "device_id": "device-unknown-1"}
        self.assertError(self.call("POST", "/auth/login", body), 401, "invalid_credentials")

    def test_step_up_wrong_pin_counts_and_moves_nothing(self):
        access, _refresh, _device = self.signed_in()
        balance = self.member_fosa.balance
        for n, code in ((1, "wrong_pin"), (2, "wrong_pin"), (3, "account_locked")):
            response = self.call(
                "POST",
                f"/accounts/{self.member_fosa.id}/withdraw",
                {"amount": "500", "pin": "1357"},
                token=access,
                key=str(uuid.uuid4()),
            )
            self.assertError(response, 401 if n < 3 else 403, code)
        self.assertEqual(self.member_fosa.balance, balance)
        self.assertFalse(
            self.env["sacco.mpesa.request"].search(
                [("kind", "=", "b2c"), ("member_id", "=", self.member_fosa.member_id.id)]
            )
        )
        self.assertError(self.call("GET", "/accounts", token=access), 403, "account_locked")

    def test_change_pin_needs_the_current_pin_and_the_policy(self):
        access, _refresh, device = self.signed_in()
        weak = self.call(
            "POST", "/auth/change-pin", {"current_pin": PIN, "new_pin": "1234"}, token=access
        )
        self.assertError(weak, 422, "pin_weak")
        wrong = self.call(
            "POST", "/auth/change-pin", {"current_pin": "1357", "new_pin": "8642"}, token=access
        )
        self.assertError(wrong, 401, "wrong_pin")
        done = self.call(
            "POST", "/auth/change-pin", {"current_pin": PIN, "new_pin": "8642"}, token=access
        )
        self.assertEqual(done.status_code, 200, done.text)
        self.login(self.member, device, pin="8642")


@tagged("post_install", "-at_install")
class TestRequests(MobileApiCommon):
    def test_errors_are_envelopes_never_500(self):
        access, _refresh, _device = self.signed_in()
        self.assertError(self.call("GET", "/nope", token=access), 404, "not_found")
        self.assertError(self.call("DELETE", "/accounts", token=access), 405, "method_not_allowed")
        self.assertError(
            self.call("GET", f"/accounts/{2**40}/balance", token=access), 422, "validation_error"
        )
        self.assertError(
            self.call("GET", "/accounts/abc/balance", token=access), 422, "validation_error"
        )
        self.assertError(self.call("POST", "/auth/login", {"phone": "x"}), 422, "validation_error")
        raw = self.opener.post(
            self.base_url() + "/api/mobile/auth/login",
            data="{not json",
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        self.assertError(raw, 400, "invalid_request")
        not_utf8 = self.opener.post(
            self.base_url() + "/api/mobile/auth/forgot-pin",
            data=b"\xfb\x93(",
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        self.assertError(not_utf8, 400, "invalid_request")
        no_boundary = self.opener.post(
            self.base_url() + "/api/mobile/profile/documents/upload",
            data=b"--x\r\n",
            headers={"Content-Type": "multipart/form-data", "Authorization": f"Bearer {access}"},
            timeout=30,
        )
        self.assertError(no_boundary, 400, "invalid_request")
        odd_language = self.call(
            "GET", "/accounts", token=access, headers={"Accept-Language": "PN;ivHL"}
        )
        self.assertEqual(odd_language.status_code, 200, odd_language.text)
        statement = self.call(
            "GET",
            f"/accounts/{self.member_fosa.id}/statement?date_from=2026-01-10&date_to=2025-01-01",
            token=access,
        )
        self.assertError(statement, 422, "validation_error")

    def test_control_characters_in_path_segments_answer_the_envelope(self):
        """Odoo's router in front of the API stops its ``path`` at a newline: every path
        under the API still reaches it and gets its JSON envelope, never Odoo's HTML page."""
        access, _refresh, _device = self.signed_in()
        for char in ("%0A", "%0D", "%0D%0A", "%09", "%0B", "%0C", "%00", "%1F", "%7F"):
            for path, status, code in (
                (f"/loans/{char}/schedule", 422, "validation_error"),
                (f"/accounts/{char}/balance", 422, "validation_error"),
                (f"/loans/x{char}y", 422, "validation_error"),
                (f"/{char}", 404, "not_found"),
                (f"/nope{char}/more", 404, "not_found"),
            ):
                with self.subTest(path=path):
                    response = self.call("GET", path, token=access)
                    self.assertEqual(response.headers["Content-Type"], "application/json")
                    self.assertError(response, status, code)

    def test_nul_characters_in_bodies_are_refused(self):
        """No text column stores a NUL: a body holding one is a 422, not a failed insert."""
        forgot = self.call("POST", "/auth/forgot-pin", {"phone": "+25471\x002345678"})
        self.assertError(forgot, 422, "validation_error")
        device = self._enrol(self.member)
        login = self.call(
            "POST",
            "/auth/login",
            {"phone": self.member.phone, "pin": PIN, "device_id": device, "device_name": "P\x00"},
        )
        self.assertError(login, 422, "validation_error")

    def test_rate_limit_answers_429_with_retry_after(self):
        access, _refresh, _device = self.signed_in()
        self.set_param("rate_per_minute", 3)
        for _n in range(3):
            self.assertEqual(self.call("GET", "/accounts", token=access).status_code, 200)
        refused = self.call("GET", "/accounts", token=access)
        self.assertError(refused, 429, "rate_limited")
        self.assertGreaterEqual(int(refused.headers["Retry-After"]), 1)

    def test_sign_in_rate_limit_per_phone(self):
        self.set_param("auth_rate_per_minute", 2)
        body = {"phone": self.member.phone}
        for _n in range(2):
            self.assertEqual(self.call("POST", "/auth/forgot-pin", body).status_code, 202)
        self.assertError(self.call("POST", "/auth/forgot-pin", body), 429, "rate_limited")

    def test_audit_trail_records_who_did_what(self):
        access, _refresh, device = self.signed_in()
        self.call("GET", "/accounts", token=access)
        self.call("GET", "/accounts/999999/balance", token=access)
        audit = self.env["sacco.mobile.audit"].search([("member_id", "=", self.member.id)])
        self.assertEqual(
            audit.mapped("operation")[:3],
            ["GET /accounts/{account_id}/balance", "GET /accounts", "POST /auth/login"],
        )
        self.assertEqual(audit[0].error_code, "not_found")
        self.assertEqual(audit[0].device_id.device_id, device)
        self.assertEqual(self.member.sacco_mobile_audit_count, len(audit))
