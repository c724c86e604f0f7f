import base64
import json
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import jwt

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from sacco_core.exceptions import SaccoRuleError
from sacco_core.mobile_api import check_document, check_value_limits, masked_name
from sacco_core.mobile_auth import (
    ACCESS_ALGORITHM,
    IN_PROGRESS,
    OTP_EXPIRED,
    OTP_OK,
    OTP_USED,
    PROCESS,
    REPLAY,
    REUSED,
    ROTATE,
    WRONG_DEVICE,
    MobileApiError,
    access_claims,
    decode_access_token,
    encode_access_token,
    idempotency_decision,
    issue_refresh,
    request_fingerprint,
    rotate_refresh,
    sign_in_error,
    token_digest,
)
from sacco_core.money import to_money
from sacco_core.phones import normalize_msisdn

from ..durable import durably

PARAM = "sacco_mobile_api.%s"
AUDIENCE = "sacco-mobile-app"
# Settings (ir.config_parameter) and their defaults.
DEFAULTS = {
    "access_ttl_minutes": 10,
    "transaction_limit": 70000,
    "daily_limit": 150000,
    "rate_per_minute": 120,
    "auth_rate_per_minute": 10,
}
OTP_PURPOSES = {
    "register": "app_register",
    "device": "app_device",
    "reset_pin": "app_reset_pin",
    "phone_change": "app_phone_change",
}
LIVE_MEMBER_STATES = ("active", "dormant")


class SaccoMobileApi(models.AbstractModel):
    """What the members' app may do, for the API's routers: sign-in and tokens, and each
    operation on the signed-in member's own records. Refusals are ``MobileApiError``s."""

    _name = "sacco.mobile.api"
    _description = "Member App Operations"

    # ---------------------------------------------------------------- settings

    @api.model
    def _setting(self, name):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM % name)
        return Decimal(value) if value not in (None, False, "") else Decimal(DEFAULTS[name])

    @api.model
    def _jwt_key(self):
        """The database's access-token signing key, made on first use (never shared
        between databases, so a copy's tokens are worthless on production)."""
        params = self.env["ir.config_parameter"].sudo()
        key = params.get_param(PARAM % "jwt_secret")
        if not key:
            key = secrets.token_urlsafe(48)
            params.set_param(PARAM % "jwt_secret", key)
        return key.encode()

    @api.model
    def _issuer(self):
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"sacco-mobile-api:{uuid}"

    # ---------------------------------------------------------------- look-ups

    @api.model
    def _member_by_phone(self, phone):
        """The live member whose registered phone this is, or an empty recordset."""
        try:
            msisdn = normalize_msisdn(phone or "")
        except SaccoRuleError:
            return self.env["sacco.member"]
        return self.env["sacco.member"].search(
            [("phone", "=", msisdn), ("state", "in", LIVE_MEMBER_STATES)], limit=1
        )

    @api.model
    def _signing_member(self, phone):
        """The member of a sign-in by phone: unknown phones and closed channels answer
        like a wrong PIN, so the API tells nobody which phones are members'."""
        member = self._member_by_phone(phone)
        if not member or not member._sacco_phone_channel_open():
            raise MobileApiError("invalid_credentials")
        return member

    @api.model
    def _credential(self, member):
        Credential = self.env["sacco.mobile.credential"]
        return Credential.search([("member_id", "=", member.id)]) or Credential.create(
            {"member_id": member.id}
        )

    @api.model
    def _device(self, member, device_id, name=None):
        Device = self.env["sacco.mobile.device"]
        device = Device.search([("member_id", "=", member.id), ("device_id", "=", device_id)])
        return device or Device.create(
            {"member_id": member.id, "device_id": device_id, "name": name or device_id}
        )

    @api.model
    def _own(self, member, model, record_id, domain=None):
        """``model`` record ``record_id`` if it is ``member``'s, else ``not_found`` (another
        member's id answers exactly like an id that does not exist)."""
        found = self.env[model].search(
            expression.AND([[("id", "=", record_id), ("member_id", "=", member.id)], domain or []]),
            limit=1,
        )
        if not found:
            raise MobileApiError("not_found")
        return found

    # ---------------------------------------------------------------- one-time codes

    @api.model
    def _send_otp(self, member, purpose, phone=None):
        try:
            self.env["sacco.member.otp"]._issue(member, OTP_PURPOSES[purpose], phone=phone)
        except UserError as error:
            wait = getattr(error, "retry_after", None)
            if wait:
                raise MobileApiError("rate_limited", str(error).split(": ", 1)[-1], wait) from None
            raise MobileApiError("invalid_request", str(error)) from None

    @api.model
    def _check_otp(self, member, purpose, code):
        """A wrong, expired or spent code is refused; a wrong try counts even then."""
        outcome = durably(self.env["sacco.member.otp"]._verify, member, OTP_PURPOSES[purpose], code)
        if outcome in (OTP_EXPIRED, OTP_USED):
            raise MobileApiError("otp_expired")
        if outcome != OTP_OK:
            raise MobileApiError("otp_invalid")

    # ---------------------------------------------------------------- sign-in

    @api.model
    def _request_registration(self, identifier, phone):
        """Send a registration code when ``identifier`` (member number or ID number) and
        ``phone`` are a member's; say nothing either way (no member enumeration)."""
        member = self._member_by_phone(phone)
        ident = (identifier or "").strip().upper()
        if (
            member
            and ident in ((member.member_number or "").upper(), (member.id_number or "").upper())
            and member._sacco_phone_channel_open()
        ):
            self._send_otp(member, "register")

    @api.model
    def _verify_otp(self, phone, device_id, device_name, purpose, code, pin, ip):
        """Complete a registration (``pin`` becomes the app PIN) or verify a new device
        (``pin`` must be the member's); either way the device is trusted, and signed in."""
        member = self._signing_member(phone)
        credential = self._credential(member)
        if purpose == "device":
            self._check_pin(credential, pin)
        self._check_otp(member, purpose, code)
        if purpose == "register":
            credential._set_pin(pin)
        device = self._device(member, device_id, device_name)
        device._trust()
        self._notify(
            member,
            self.env._("New device"),
            self.env._("%s can now use your SACCO app.", device.name),
        )
        return self._start_session(member, device, ip)

    @api.model
    def _login(self, phone, pin, device_id, device_name, ip):
        member = self._signing_member(phone)
        credential = self._credential(member)
        if not credential.sudo().pin_hash:
            raise MobileApiError("invalid_credentials", "Register the app first.")
        check = durably(credential._attempt, pin)
        device = self._device(member, device_id, device_name)
        error = sign_in_error(check, device.trusted)
        if error == "device_not_verified":
            durably(self._send_otp, member, "device")
        if error:
            raise MobileApiError(error, self._pin_message(error, check.attempts_left))
        return self._start_session(member, device, ip)

    @api.model
    def _pin_message(self, error, attempts_left):
        if error in ("invalid_credentials", "wrong_pin") and attempts_left:
            return self.env._("The PIN is wrong; %s more wrong PIN(s) lock the app.", attempts_left)
        return None

    @api.model
    def _check_pin(self, credential, pin):
        """Step-up: the member's PIN again (money movements, PIN change); wrong PINs count
        towards the lock like at sign-in."""
        check = durably(credential._attempt, pin)
        error = sign_in_error(check, True)
        if error == "invalid_credentials":
            error = "wrong_pin"
        if error:
            raise MobileApiError(error, self._pin_message(error, check.attempts_left))

    @api.model
    def _start_session(self, member, device, ip):
        """A new session (token family) on ``device`` and its first pair of tokens."""
        now = datetime.now(UTC)
        token, record = issue_refresh(device.device_id, now)
        session = self.env["sacco.mobile.session"].create(
            {"member_id": member.id, "device_id": device.id, "family": record.family, "ip": ip}
        )
        device._seen(ip)
        return self._token_pair(session, token, record, now)

    @api.model
    def _token_pair(self, session, token, record, now):
        self.env["sacco.mobile.refresh.token"].create(
            {
                "session_id": session.id,
                "digest": record.digest,
                "issued_at": record.issued_at.replace(tzinfo=None),
                "expires_at": record.expires_at.replace(tzinfo=None),
            }
        )
        ttl = timedelta(minutes=int(self._setting("access_ttl_minutes")))
        claims = access_claims(
            str(session.member_id.id),
            session.device_id.device_id,
            now,
            self._issuer(),
            AUDIENCE,
            ttl,
        )
        claims["sid"] = session.family
        return {
            "access_token": encode_access_token(claims, self._jwt_key()),
            "token_type": "Bearer",
            "expires_in": int(ttl.total_seconds()),
            "refresh_token": token,
            "member": self._member_summary(session.member_id),
            "_member_id": session.member_id.id,  # for the audit trail, not sent
        }

    @api.model
    def _refresh(self, token, device_id):
        """Exchange a refresh token once; a spent one presented again, or one from another
        device, revokes its whole family (it may have been stolen)."""
        stored = self.env["sacco.mobile.refresh.token"].search(
            [("digest", "=", token_digest(token or ""))], limit=1
        )
        if stored:
            self.env.cr.execute(
                "SELECT 1 FROM sacco_mobile_refresh_token WHERE id = %s FOR UPDATE", [stored.id]
            )
            stored.invalidate_recordset()
        now = datetime.now(UTC)
        record = stored._as_record() if stored else None
        rotation = rotate_refresh(record, device_id or "", now)
        if rotation.revoke_family:
            reason = "reuse" if rotation.outcome == REUSED else "device"
            durably(stored.session_id._revoke, reason)
        if rotation.outcome != ROTATE:
            code = "token_reused" if rotation.outcome in (REUSED, WRONG_DEVICE) else "invalid_token"
            raise MobileApiError(code)
        stored.write({"spent_at": now.replace(tzinfo=None)})
        session = stored.session_id
        session.write({"last_refresh": now.replace(tzinfo=None)})
        if session.member_id.state not in LIVE_MEMBER_STATES:
            raise MobileApiError("invalid_token")
        return self._token_pair(session, rotation.token, rotation.record, now)

    @api.model
    def _authenticate(self, bearer):
        """The (member, device, session) of a valid access token of a live session."""
        if not bearer:
            raise MobileApiError("invalid_token", "Sign in: this request needs a bearer token.")
        claims = decode_access_token(
            bearer, self._jwt_key(), self._issuer(), AUDIENCE, datetime.now(UTC)
        )
        session = self.env["sacco.mobile.session"].search(
            [("family", "=", claims.get("sid") or ""), ("state", "=", "active")], limit=1
        )
        member = session.member_id
        if (
            not session
            or str(member.id) != claims["sub"]
            or session.device_id.device_id != claims.get("did")
            or member.state not in LIVE_MEMBER_STATES
        ):
            raise MobileApiError("invalid_token", "The session has ended; sign in again.")
        if self._credential(member).locked:
            raise MobileApiError("account_locked")
        return member, session.device_id, session

    @api.model
    def _forgot_pin(self, phone):
        member = self._member_by_phone(phone)
        if member and member._sacco_phone_channel_open():
            self._send_otp(member, "reset_pin")

    @api.model
    def _reset_pin(self, phone, code, new_pin):
        """A new PIN after an SMS code: unlocks the app and ends every session."""
        member = self._signing_member(phone)
        self._check_otp(member, "reset_pin", code)
        self._credential(member)._set_pin(new_pin)
        member.sacco_mobile_session_ids._revoke("pin_reset")

    @api.model
    def _change_pin(self, member, current_pin, new_pin):
        credential = self._credential(member)
        self._check_pin(credential, current_pin)
        credential._set_pin(new_pin)

    # ---------------------------------------------------------------- idempotency

    @api.model
    def _idempotent(self, member, key, method, path, body, run):
        """Run a money request once per ``Idempotency-Key``: ``run()`` returns (status,
        JSON body, money sent out); a retry with the same request gets the stored answer
        (``replayed`` True) and moves nothing; a different request with the key, or the
        same while the first is under way, is refused."""
        Idem = self.env["sacco.mobile.idempotency"]
        fingerprint = request_fingerprint(method, path, body)
        existing = Idem.search([("member_id", "=", member.id), ("key", "=", key or "")], limit=1)
        now = fields.Datetime.now()
        decision = idempotency_decision(
            key, fingerprint, existing._as_record() if existing else None, now
        )
        if decision == REPLAY:
            return existing.status_code, json.loads(existing.response), True
        if decision != PROCESS:
            raise MobileApiError(decision)
        existing.unlink()  # an expired key starts afresh
        self.env.cr.execute(
            """
            INSERT INTO sacco_mobile_idempotency
                (member_id, key, fingerprint, operation, state, create_uid, write_uid,
                 create_date, write_date)
            VALUES (%s, %s, %s, %s, 'processing', %s, %s, %s, %s)
            ON CONFLICT (member_id, key) DO NOTHING RETURNING id
            """,
            [member.id, key, fingerprint, f"{method} {path}", self.env.uid, self.env.uid, now, now],
        )
        row = self.env.cr.fetchone()
        if not row:  # another request with this key got there first
            raise MobileApiError(IN_PROGRESS)
        status, payload, outflow = run()
        Idem.browse(row[0]).write(
            {
                "state": "done",
                "status_code": status,
                "response": json.dumps(payload, default=str),
                "outflow": float(outflow),
            }
        )
        return status, payload, False

    @api.model
    def _check_limits(self, member, amount):
        """The settings' per-transaction and daily limits on money leaving the member's
        accounts through the app (today = since midnight, Nairobi)."""
        midnight = fields.Datetime.context_timestamp(
            self.with_context(tz="Africa/Nairobi"), fields.Datetime.now()
        ).replace(hour=0, minute=0, second=0, microsecond=0)
        self.env["sacco.mobile.idempotency"].flush_model()
        self.env.cr.execute(
            "SELECT COALESCE(SUM(outflow), 0) FROM sacco_mobile_idempotency"
            " WHERE member_id = %s AND state = 'done' AND create_date >= %s",
            [member.id, midnight.astimezone(UTC).replace(tzinfo=None)],
        )
        spent = to_money(self.env.cr.fetchone()[0], strict=False)
        check_value_limits(
            to_money(amount),
            spent,
            self._setting("transaction_limit"),
            self._setting("daily_limit"),
        )

    # ---------------------------------------------------------------- rate limits

    @api.model
    def _rate_limit(self, keys, per_minute_setting="rate_per_minute"):
        per_minute = int(self._setting(per_minute_setting))
        durably(self.env["sacco.mobile.rate.hit"]._take, keys, per_minute)

    # ---------------------------------------------------------------- members

    @api.model
    def _member_summary(self, member):
        return {
            "member_number": member.member_number or "",
            "name": member.name,
            "phone": member.phone or "",
        }

    # ---------------------------------------------------------------- accounts

    @api.model
    def _accounts(self, member):
        accounts = self.env["sacco.savings.account"].search(
            [("member_id", "=", member.id), ("state", "!=", "closed")], order="id"
        )
        return [self._account_data(account) for account in accounts]

    @api.model
    def _account_data(self, account):
        return {
            "id": account.id,
            "number": account.name,
            "product": account.product_id.name,
            "kind": account.kind,
            "state": account.state,
            "balance": account.balance,
            "available_balance": account.available_balance,
            "currency": account.currency_id.name,
        }

    @api.model
    def _account_statement(self, account, date_from, date_to, offset, limit):
        statement = account._statement(date_from, date_to)
        lines = statement.pop("lines")
        return {
            **statement,
            "date_from": date_from,
            "date_to": date_to,
            "total_lines": len(lines),
            "lines": lines[offset : offset + limit],
        }

    @api.model
    def _deposit(self, member, target, amount, phone, key):
        """An M-Pesa prompt on the member's phone to pay into ``target`` (their account
        or loan); the money arrives with Daraja's callback."""
        try:
            request = (
                self.env["sacco.mpesa.request"]
                .request_stk_push(
                    member,
                    phone or member.phone,
                    amount,
                    target,
                    idempotency_key=f"app:{member.id}:{key}",
                )
                .sudo()
            )
        except UserError as error:
            raise MobileApiError("validation_error", str(error)) from None
        return self._payment_data(request)

    @api.model
    def _withdraw(self, member, account, amount):
        """FOSA to the member's own M-Pesa (B2C), within the app's limits."""
        if account.kind != "fosa_savings":
            raise MobileApiError("validation_error", "Withdraw to M-Pesa from a FOSA account.")
        self._check_limits(member, amount)
        try:
            request = (
                self.env["sacco.mpesa.request"]
                .request_b2c(member, member.phone, float(amount), account)
                .sudo()
            )
        except UserError as error:
            raise MobileApiError(self._money_error(error), str(error)) from None
        return self._payment_data(request)

    @api.model
    def _money_error(self, error):
        return "insufficient_funds" if "Insufficient funds" in str(error) else "validation_error"

    @api.model
    def _recipient(self, member, member_number):
        """Another live member's FOSA account by member number (the destination of a
        transfer), or not_found."""
        recipient = self.env["sacco.member"].search(
            [
                ("member_number", "=ilike", (member_number or "").strip()),
                ("company_id", "=", member.company_id.id),
                ("state", "in", LIVE_MEMBER_STATES),
                ("id", "!=", member.id),
            ],
            limit=1,
        )
        fosa = recipient.savings_account_ids.filtered(
            lambda a: a.kind == "fosa_savings" and a.state == "active"
        )[:1]
        if not fosa:
            raise MobileApiError("not_found", "No member with a FOSA account has this number.")
        return fosa

    @api.model
    def _transfer_preview(self, member, member_number, amount):
        """Who a transfer would reach, and the confirmation the transfer must quote (it
        names this recipient and amount, for 5 minutes)."""
        destination = self._recipient(member, member_number)
        now = datetime.now(UTC)
        confirmation = jwt.encode(
            {
                "aud": "transfer",
                "sub": str(member.id),
                "to": destination.id,
                "amount": str(to_money(amount)),
                "exp": int((now + timedelta(minutes=5)).timestamp()),
            },
            self._jwt_key(),
            algorithm=ACCESS_ALGORITHM,
        )
        return {
            "recipient_name": masked_name(destination.member_id.name),
            "member_number": destination.member_id.member_number,
            "amount": float(amount),
            "confirmation": confirmation,
        }

    @api.model
    def _confirmed_recipient(self, member, confirmation, amount):
        try:
            claims = jwt.decode(
                confirmation or "",
                self._jwt_key(),
                algorithms=[ACCESS_ALGORITHM],
                audience="transfer",
            )
        except jwt.PyJWTError:
            raise MobileApiError(
                "validation_error", "Confirm the recipient again: the confirmation is not valid."
            ) from None
        if claims.get("sub") != str(member.id) or claims.get("amount") != str(to_money(amount)):
            raise MobileApiError("validation_error", "The confirmation is for another transfer.")
        return self.env["sacco.savings.account"].browse(claims["to"])

    @api.model
    def _transfer(self, member, source, amount, destination_id=None, confirmation=None):
        """Between the member's own accounts, or to another member's FOSA account after
        the name-confirmation step."""
        if destination_id:
            destination = self._own(
                member, "sacco.savings.account", destination_id, [("state", "!=", "closed")]
            )
            outflow = Decimal(0)
        else:
            destination = self._confirmed_recipient(member, confirmation, amount)
            outflow = to_money(amount)
        if outflow:
            self._check_limits(member, amount)
        try:
            txn = source.transfer_to(destination, float(amount), channel="mobile")
        except UserError as error:
            raise MobileApiError(self._money_error(error), str(error)) from None
        return {
            "reference": txn[:1].name,
            "from_account": source.name,
            "to_account": destination.name if destination_id else None,
            "recipient_name": masked_name(destination.member_id.name),
            "amount": float(amount),
            "balance_after": source.balance,
        }, outflow

    # ---------------------------------------------------------------- payments

    @api.model
    def _payment_data(self, request):
        return {
            "id": request.id,
            "reference": request.name,
            "kind": "deposit" if request.kind == "stk" else "withdrawal",
            "state": request.state,
            "amount": request.amount,
            "phone": request.phone,
            "receipt": request.receipt or None,
            "result": request.result_desc or None,
        }

    # ---------------------------------------------------------------- profile

    @api.model
    def _profile(self, member):
        return {
            **self._member_summary(member),
            "email": member.email or None,
            "id_number": member.id_number or "",
            "branch": member.branch_id.name or None,
            "joined_on": member.join_date,
            "next_of_kin": [
                {
                    "name": kin.name,
                    "relationship": kin.relationship or None,
                    "phone": kin.phone or None,
                    "allocation_percent": kin.allocation_percent,
                }
                for kin in member.kin_ids
            ],
        }

    @api.model
    def _update_profile(self, member, email=None, phone=None, code=None):
        """The e-mail changes at once; a new phone needs the code sent to it, then waits
        for staff approval (identity changes are maker-checker)."""
        if email is not None:
            member.email = email
        if not phone:
            return {"profile": self._profile(member), "phone_change": None}
        try:
            msisdn = normalize_msisdn(phone)
        except SaccoRuleError as error:
            raise MobileApiError("validation_error", str(error)) from None
        if msisdn == member.phone:
            return {"profile": self._profile(member), "phone_change": None}
        if not code:
            self._send_otp(member, "phone_change", phone=msisdn)
            return {"profile": self._profile(member), "phone_change": "code_sent"}
        self._check_otp(member, "phone_change", code)
        try:
            self.env["sacco.member.change"].create(
                {
                    "member_id": member.id,
                    "new_phone": msisdn,
                    "reason": self.env._("Asked for in the app; the new phone confirmed by SMS."),
                }
            )
        except UserError as error:
            raise MobileApiError("conflict", str(error)) from None
        return {"profile": self._profile(member), "phone_change": "pending_approval"}

    @api.model
    def _upload_document(self, member, type_code, filename, content_type, content):
        check_document(filename, content_type, content)
        if "\x00" in f"{type_code}{filename}":
            raise MobileApiError("validation_error", "The type or file name holds a NUL character.")
        doc_type = self.env["sacco.document.type"].search(
            [("code", "=ilike", (type_code or "").strip())], limit=1
        )
        if not doc_type:
            raise MobileApiError("validation_error", "Unknown document type.")
        document = self.env["sacco.member.document"].create(
            {
                "member_id": member.id,
                "document_type_id": doc_type.id,
                "file": base64.b64encode(content),
                "file_name": filename,
            }
        )
        return self._document_data(document)

    @api.model
    def _document_data(self, document):
        return {
            "id": document.id,
            "document_type": document.document_type_id.name,
            "file_name": document.file_name or "",
            "state": document.state,
            "uploaded_on": document.create_date.replace(tzinfo=UTC),
        }

    # ---------------------------------------------------------------- notifications

    @api.model
    def _notify(self, member, title, body):
        """An app event for the member's inbox (SMS reach it by themselves)."""
        self.env["sacco.mobile.notification"].create(
            {"member_id": member.id, "title": title, "body": body, "kind": "event"}
        )

    @api.model
    def _notification_data(self, notification):
        return {
            "id": notification.id,
            "title": notification.title,
            "body": notification.body,
            "kind": notification.kind,
            "read": notification.read,
            "created_on": notification.create_date.replace(tzinfo=UTC),
        }

    # ---------------------------------------------------------------- loans

    @api.model
    def _loans(self, member):
        loans = self.env["sacco.loan"].search([("member_id", "=", member.id)], order="id desc")
        return [self._loan_data(loan) for loan in loans]

    @api.model
    def _loan_data(self, loan):
        unpaid = loan.installment_ids.filtered(lambda i: not i.paid).sorted("number")[:1]
        return {
            "id": loan.id,
            "number": loan.name,
            "product": loan.product_id.name,
            "state": loan.state,
            "principal": loan.principal,
            "principal_outstanding": loan.principal_outstanding,
            "arrears": loan.arrears_total,
            "days_past_due": loan.days_past_due,
            "disbursed_on": loan.disbursed_on or None,
            "next_due_date": unpaid.due_date or None,
            "next_due_amount": unpaid.amount_due if unpaid else None,
        }

    @api.model
    def _app_products(self, member):
        return self.env["sacco.loan.product"].search(
            [("channel_ok", "=", True), ("company_id", "in", (member.company_id.id, False))]
        )

    @api.model
    def _loan_products(self, member):
        return [
            {
                "id": product.id,
                "code": product.code,
                "name": product.name,
                "interest_rate": product.interest_rate,
                "min_amount": product.min_amount,
                "max_amount": product.max_amount,
                "max_term": product.max_term,
                "instant_approval": product.instant_approval,
            }
            for product in self._app_products(member)
        ]

    @api.model
    def _app_product(self, member, product_id):
        product = self._app_products(member).filtered(lambda p: p.id == product_id)
        if not product:
            raise MobileApiError("not_found", "No such loan product in the app.")
        return product

    @api.model
    def _eligibility(self, member, product_id):
        product = self._app_product(member, product_id)
        result = self.env["sacco.loan.application"]._sacco_channel_eligibility(member, product)
        return {
            "product_id": product.id,
            "eligible": result["max_amount"] > 0,
            "min_amount": float(result["min_amount"]),
            "max_amount": float(result["max_amount"]),
            "terms": list(result["terms"]),
            "reasons": list(result["reasons"]),
        }

    @api.model
    def _application_data(self, app):
        return {
            "id": app.id,
            "number": app.name,
            "state": app.state,
            "amount": app.amount,
            "term_months": app.term,
            "loan_id": app.loan_id.id if "loan_id" in app and app.loan_id else None,
        }

    @api.model
    def _apply_loan(self, member, product_id, amount, term_months, guarantors):
        """Apply within eligibility; guarantors by member number each get a consent
        request (SMS, app and USSD)."""
        product = self._app_product(member, product_id)
        pledges = []
        for member_number, pledge in guarantors:
            guarantor = self.env["sacco.member"].search(
                [
                    ("member_number", "=ilike", member_number.strip()),
                    ("company_id", "=", member.company_id.id),
                    ("state", "in", LIVE_MEMBER_STATES),
                ],
                limit=1,
            )
            if not guarantor:
                raise MobileApiError("validation_error", f"No member number {member_number}.")
            pledges.append((guarantor, float(pledge)))
        try:
            app = self.env["sacco.loan.application"]._sacco_channel_apply(
                member, product, float(amount), term_months, guarantors=pledges, channel="app"
            )
        except UserError as error:
            raise MobileApiError("validation_error", str(error)) from None
        return self._application_data(app)

    @api.model
    def _top_up(self, member, loan, amount, term_months):
        """A new application of the loan's product that first pays the loan off, handled
        as the loans engine handles an app application: the member's last payslip,
        appraised at once, approved and disbursed by the system where the product allows
        instant approval, else left for the loan officer."""
        Application = self.env["sacco.loan.application"].with_company(member.company_id)
        product = loan.product_id
        payslip = Application._latest_payslip(member) if product.payslip_required else None
        basic_pay, deductions = payslip or (0, 0)
        try:
            loan._check_topup(member)
            app = Application.create(
                {
                    "member_id": member.id,
                    "company_id": member.company_id.id,
                    "product_id": product.id,
                    "amount": float(amount),
                    "term": term_months,
                    "channel": "app",
                    "basic_pay": float(basic_pay),
                    "total_deductions": float(deductions),
                    "topup_loan_id": loan.id,
                }
            )
            app.action_submit()
            if app._channel_appraise() and app._instant_approval_applies():
                app._approve_instantly("app")
        except UserError as error:
            raise MobileApiError("validation_error", str(error)) from None
        return self._application_data(app)

    # ---------------------------------------------------------------- guarantees

    @api.model
    def _guarantee_data(self, guarantor):
        app = guarantor.application_id
        return {
            "id": guarantor.id,
            "borrower_name": masked_name(app.member_id.name),
            "product": app.product_id.name,
            "loan_amount": app.amount,
            "requested_amount": guarantor.requested_amount,
            "state": guarantor.consent_state,
        }

    @api.model
    def _guarantee_requests(self, member):
        return [self._guarantee_data(g) for g in member._sacco_guarantee_requests()]

    @api.model
    def _answer_guarantee(self, member, guarantor_id, accept, pin, amount=None):
        guarantor = self._own(member, "sacco.loan.guarantor", guarantor_id)
        self._check_pin(self._credential(member), pin)
        if guarantor.consent_state != "requested":
            raise MobileApiError("conflict", "This request was answered already.")
        try:
            if accept:
                guarantor.action_accept_guarantee(
                    amount=float(amount) if amount else None, channel="app"
                )
            else:
                guarantor.action_decline_guarantee(channel="app")
        except UserError as error:
            raise MobileApiError("validation_error", str(error)) from None
        return self._guarantee_data(guarantor)

    # ---------------------------------------------------------------- demo

    @api.model
    def _demo_setup(self):
        """The living demo: member 01 uses the app (PIN 2580 on a trusted phone), has a
        session, an audit trail and notifications beside those of the SMS history."""
        member = self.env.ref("sacco_base.sacco_member_demo_01", raise_if_not_found=False)
        if not member or member.state not in LIVE_MEMBER_STATES:
            return
        self._credential(member)._set_pin("2580")
        device = self._device(member, "demo-pixel-7-0001", "Pixel 7")
        device._trust()
        self._start_session(member, device, "197.248.10.21")
        self.env["sacco.mobile.notification"].create(
            [
                {
                    "member_id": member.id,
                    "title": self.env._("Welcome to the app"),
                    "body": self.env._("Check balances, deposit by M-Pesa and apply for loans."),
                },
                {
                    "member_id": member.id,
                    "title": self.env._("New device"),
                    "body": self.env._("Your Pixel 7 was verified for the app."),
                    "read": True,
                },
            ]
        )
        self.env["sacco.mobile.audit"].create(
            [
                {
                    "member_id": member.id,
                    "device_id": device.id,
                    "operation": op,
                    "path": path,
                    "status_code": status,
                    "ip": "197.248.10.21",
                }
                for op, path, status in (
                    ("POST /auth/login", "/api/mobile/auth/login", 200),
                    ("GET /accounts", "/api/mobile/accounts", 200),
                    ("POST /accounts/transfer", "/api/mobile/accounts/transfer", 200),
                )
            ]
        )
