import uuid
from datetime import timedelta

from odoo.tests import tagged

from .common import PIN, MobileApiCommon


@tagged("post_install", "-at_install")
class TestIdempotency(MobileApiCommon):
    def _transfer(self, access, key, amount="250", **extra):
        body = {
            "from_account_id": self.member_fosa.id,
            "to_account_id": self.bosa.id,
            "amount": amount,
            "pin": PIN,
            **extra,
        }
        return self.call("POST", "/accounts/transfer", body, token=access, key=key)

    def test_missing_invalid_conflict_in_progress_and_replay(self):
        access, _refresh, _device = self.signed_in()
        self.assertError(self._transfer(access, None), 400, "idempotency_key_missing")
        self.assertError(self._transfer(access, "bad key\x7f"), 400, "idempotency_key_invalid")
        balance = self.member_fosa.balance
        key = str(uuid.uuid4())
        first = self._transfer(access, key)
        self.assertEqual(first.status_code, 200, first.text)
        self.assertAlmostEqual(self.member_fosa.balance, balance - 250, 2)
        replay = self._transfer(access, key)
        self.assertEqual(replay.json(), first.json())
        self.assertEqual(replay.headers.get("Idempotent-Replayed"), "true")
        self.member_fosa.invalidate_recordset()
        self.assertAlmostEqual(self.member_fosa.balance, balance - 250, 2)
        self.assertError(self._transfer(access, key, amount="300"), 422, "idempotency_key_reused")
        # The first request with a key still under way (another worker): 409, nothing moved.
        busy = str(uuid.uuid4())
        self.assertEqual(self._transfer(access, busy).status_code, 200)
        record = self.env["sacco.mobile.idempotency"].search([("key", "=", busy)])
        record.write({"state": "processing", "response": False})
        self.assertError(self._transfer(access, busy), 409, "idempotency_in_progress")
        self.member_fosa.invalidate_recordset()
        self.assertAlmostEqual(self.member_fosa.balance, balance - 500, 2)

    def test_a_refused_request_frees_its_key(self):
        access, _refresh, _device = self.signed_in()
        key = str(uuid.uuid4())
        self.assertError(self._transfer(access, key, amount="999999"), 422, "insufficient_funds")
        self.assertEqual(self._transfer(access, key).status_code, 200)

    def test_keys_are_per_member(self):
        access, _refresh, _device = self.signed_in()
        key = str(uuid.uuid4())
        self.assertEqual(self._transfer(access, key).status_code, 200)
        other_access, _r, _d = self.signed_in(self.other)
        other_bosa = self._account(self.other, self.deposits)
        self.other_fosa.deposit(1000, journal=self.cash)
        body = {
            "from_account_id": self.other_fosa.id,
            "to_account_id": other_bosa.id,
            "amount": "250",
            "pin": PIN,
        }
        response = self.call("POST", "/accounts/transfer", body, token=other_access, key=key)
        self.assertEqual(response.status_code, 200, response.text)


@tagged("post_install", "-at_install")
class TestMoney(MobileApiCommon):
    def test_transfer_to_another_member_after_name_confirmation(self):
        access, _refresh, _device = self.signed_in()
        preview = self.call(
            "POST",
            "/accounts/transfer/preview",
            {"to_member_number": self.other.member_number, "amount": "1200"},
            token=access,
        )
        self.assertEqual(preview.status_code, 200, preview.text)
        self.assertEqual(preview.json()["recipient_name"], "Otieno O.")
        body = {
            "from_account_id": self.member_fosa.id,
            "amount": "1200",
            "pin": PIN,
            "confirmation": preview.json()["confirmation"],
        }
        before = self.other_fosa.balance
        # The confirmation names the amount: another amount is refused.
        wrong = self.call(
            "POST", "/accounts/transfer", {**body, "amount": "5000"}, token=access, key="t-0"
        )
        self.assertError(wrong, 422, "validation_error")
        done = self.call("POST", "/accounts/transfer", body, token=access, key="t-1")
        self.assertEqual(done.status_code, 200, done.text)
        self.assertAlmostEqual(self.other_fosa.balance, before + 1200, 2)
        self.assertLedgerMatches()

    def test_unknown_recipient_is_not_found(self):
        access, _refresh, _device = self.signed_in()
        preview = self.call(
            "POST",
            "/accounts/transfer/preview",
            {"to_member_number": "NOBODY", "amount": "100"},
            token=access,
        )
        self.assertError(preview, 404, "not_found")

    def test_withdrawal_by_b2c_within_limits(self):
        access, _refresh, _device = self.signed_in()
        self.set_param("transaction_limit", 5000)
        self.set_param("daily_limit", 6000)
        url = f"/accounts/{self.member_fosa.id}/withdraw"
        too_big = self.call("POST", url, {"amount": "5001", "pin": PIN}, token=access, key="w-0")
        self.assertError(too_big, 422, "limit_exceeded")
        response = self.call("POST", url, {"amount": "4000", "pin": PIN}, token=access, key="w-1")
        self.assertEqual(response.status_code, 202, response.text)
        payment = response.json()
        self.assertEqual((payment["kind"], payment["state"]), ("withdrawal", "pending"))
        over_day = self.call("POST", url, {"amount": "2500", "pin": PIN}, token=access, key="w-2")
        self.assertError(over_day, 422, "limit_exceeded")
        self.daraja.deliver()
        self._process()
        status = self.call("GET", f"/payments/{payment['id']}", token=access)
        self.assertEqual(status.json()["state"], "done")
        self.assertMpesaBooksMatch()

    def test_withdrawal_beyond_the_balance(self):
        access, _refresh, _device = self.signed_in()
        response = self.call(
            "POST",
            f"/accounts/{self.member_fosa.id}/withdraw",
            {"amount": "60000", "pin": PIN},
            token=access,
            key="w-9",
        )
        self.assertError(response, 422, "insufficient_funds")

    def test_stk_deposit_completed_by_daraja_callback(self):
        access, _refresh, _device = self.signed_in()
        response = self.call(
            "POST", f"/accounts/{self.bosa.id}/deposit", {"amount": "700"}, token=access, key="d-1"
        )
        self.assertEqual(response.status_code, 202, response.text)
        balance = self.bosa.balance
        self.daraja.deliver()
        self._process()
        status = self.call("GET", f"/payments/{response.json()['id']}", token=access).json()
        self.assertEqual(status["state"], "done")
        self.assertTrue(status["receipt"])
        self.bosa.invalidate_recordset()
        self.assertAlmostEqual(self.bosa.balance, balance + 700, 2)
        self.assertMpesaBooksMatch()


@tagged("post_install", "-at_install")
class TestTopUp(MobileApiCommon):
    def _topped_up_loan(self):
        """An active emergency loan with its first installment repaid, of a product the
        system approves instantly in the app and lets top up after 5% repaid."""
        self.emergency.write(
            {
                "channel_ok": True,
                "instant_approval": True,
                "instant_approval_limit": 50000,
                "topup_after_percent": 5.0,
            }
        )
        old = self._disbursed_loan(
            date=self.today - timedelta(days=40),
            member=self.member,
            product=self.emergency,
            amount=10000,
            term=6,
            guarantors=(),
        )
        old.repay(old.installment_ids[0].total, journal=self.cash)
        return old

    def _counts(self):
        member = [("member_id", "=", self.member.id)]
        return (
            self.env["sacco.loan.application"].search_count(member),
            self.env["sacco.loan"].search_count(member),
            self.env["account.move"].search_count([("state", "=", "posted")]),
        )

    def test_top_up_pays_off_the_loan_and_its_replay_moves_nothing(self):
        old = self._topped_up_loan()
        access, _refresh, _device = self.signed_in()
        url, key = f"/loans/{old.id}/top-up", str(uuid.uuid4())
        body = {"amount": "20000", "term_months": 6, "pin": PIN}
        # Step-up: a wrong PIN is refused and applies for nothing.
        counts = self._counts()
        wrong = self.call("POST", url, {**body, "pin": "1111"}, token=access, key="top-wrong")
        self.assertError(wrong, 401, "wrong_pin")
        self.assertEqual(self._counts(), counts)

        quote = old.settlement_quote(self.today)
        fosa_before = self.member_fosa.balance
        response = self.call("POST", url, body, token=access, key=key)
        self.assertEqual(response.status_code, 201, response.text)
        result = response.json()
        app = self.env["sacco.loan.application"].browse(result["id"])
        new = app.loan_id
        self.assertEqual((app.channel, app.topup_loan_id, app.state), ("app", old, "disbursed"))
        self.assertEqual(result["loan_id"], new.id)
        self.assertEqual(result["state"], "disbursed")
        self.assertEqual(new.topup_loan_id, old)
        self.assertEqual(new.principal_outstanding, 20000)
        self.assertEqual(old.state, "closed")
        self.assertEqual(old.principal_outstanding, 0)
        fees = new.processing_fee + new.insurance_fee + new.excise_duty
        self.assertAlmostEqual(new.net_disbursed, 20000 - fees - float(quote["total"]), 2)
        self.member_fosa.invalidate_recordset()
        self.assertAlmostEqual(self.member_fosa.balance, fosa_before + new.net_disbursed, 2)
        self.assertLoanBookMatches()

        counts = self._counts()
        replay = self.call("POST", url, body, token=access, key=key)
        self.assertEqual(replay.status_code, 201, replay.text)
        self.assertEqual(replay.json(), result)
        self.assertEqual(replay.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(self._counts(), counts)
        self.member_fosa.invalidate_recordset()
        self.assertAlmostEqual(self.member_fosa.balance, fosa_before + new.net_disbursed, 2)
        self.assertLoanBookMatches()

    def test_top_up_without_instant_approval_waits_for_the_officer(self):
        old = self._topped_up_loan()
        self.emergency.instant_approval = False
        access, _refresh, _device = self.signed_in()
        response = self.call(
            "POST",
            f"/loans/{old.id}/top-up",
            {"amount": "20000", "term_months": 6, "pin": PIN},
            token=access,
            key=str(uuid.uuid4()),
        )
        self.assertEqual(response.status_code, 201, response.text)
        result = response.json()
        self.assertEqual((result["state"], result["loan_id"]), ("appraised", None))
        self.assertEqual(old.state, "active")
