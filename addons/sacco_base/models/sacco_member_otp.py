import math
import secrets
from datetime import UTC, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.mobile_auth import (
    OTP_EXPIRED,
    OTP_TTL,
    OtpRecord,
    generate_otp,
    otp_digest,
    otp_send_allowed,
    verify_otp,
)
from sacco_core.phones import normalize_msisdn

SECRET_PARAM = "sacco_base.otp_secret"
OTP_TEMPLATE = "sacco_base.sacco_sms_template_member_otp"
# Stands in for an expired code's SMS text once it left the outbox.
CODE_REMOVED = "[one-time code removed]"
# Expired codes are kept a day for support questions, then deleted.
PURGE_AFTER = timedelta(days=1)


class OtpRateLimited(UserError):
    """Too many codes were sent to a phone for one purpose in the last hour; callers answer
    ``code`` (HTTP 429) and wait ``retry_after`` seconds."""

    code = "rate_limited"

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def _aware(moment):
    return moment.replace(tzinfo=UTC) if moment else None


class SaccoMemberOtp(models.Model):
    """A one-time code sent by SMS for the members' channels (USSD PIN set-up, app
    registration, PIN reset, new device, phone change). Only its keyed digest is stored."""

    _name = "sacco.member.otp"
    _description = "Member One-Time Code"
    _order = "id desc"

    member_id = fields.Many2one(
        "sacco.member", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    phone = fields.Char(required=True, readonly=True)
    purpose = fields.Char(
        required=True, index=True, readonly=True, help="ussd_pin, app_register, app_reset_pin..."
    )
    digest = fields.Char(required=True, readonly=True, groups="base.group_system")
    sent_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    expires_at = fields.Datetime(required=True, readonly=True, index=True)
    attempts = fields.Integer(readonly=True)
    used = fields.Boolean(readonly=True)

    @api.model
    def _secret(self):
        """The per-database key of the digests, made on first use."""
        params = self.env["ir.config_parameter"].sudo()
        secret = params.get_param(SECRET_PARAM)
        if not secret:
            secret = secrets.token_hex(32)
            params.set_param(SECRET_PARAM, secret)
        return secret.encode()

    @api.model
    def _issue(self, member, purpose, phone=None):
        """Send ``member`` a new code for ``purpose`` by SMS to ``phone`` (default: the
        member's phone) and return its record. A new code replaces the member's earlier
        ones for the same purpose. ``OtpRateLimited`` past the hourly sends per phone."""
        member.ensure_one()
        try:
            msisdn = normalize_msisdn(phone or member.phone or "")
        except SaccoRuleError as error:
            raise UserError(str(error)) from None
        now = fields.Datetime.now()
        self._check_send_allowed(msisdn, purpose, now)
        code = generate_otp()
        record = self.sudo().create(
            {
                "member_id": member.id,
                "phone": msisdn,
                "purpose": purpose,
                "digest": otp_digest(code, self._secret()),
                "sent_at": now,
                "expires_at": now + OTP_TTL,
            }
        )
        record._send(code)
        return record.with_env(self.env)

    @api.model
    def _check_send_allowed(self, msisdn, purpose, now):
        earlier = self.sudo().search(
            [
                ("phone", "=", msisdn),
                ("purpose", "=", purpose),
                ("sent_at", ">", now - timedelta(hours=1)),
            ]
        )
        sent = [_aware(at) for at in earlier.mapped("sent_at")]
        allowed, wait = otp_send_allowed(sent, _aware(now))
        if not allowed:
            raise OtpRateLimited(
                self.env._(
                    "rate_limited: too many codes sent to this phone; try again in %s minutes.",
                    math.ceil(wait / 60),
                ),
                wait,
            )

    def _send(self, code):
        """Queue the SMS with the code: the outbox is the only place it is written."""
        self.ensure_one()
        Sms = self.env["sacco.sms.message"]
        minutes = str(int(OTP_TTL.total_seconds() // 60))
        vals = Sms._template_vals(
            self.env.ref(OTP_TEMPLATE, raise_if_not_found=False),
            self.member_id,
            {"code": code, "minutes": minutes},
        )
        if not vals:
            raise UserError(self.env._("The one-time code SMS template is archived."))
        Sms._queue_all([{**vals, "phone": self.phone}])

    @api.model
    def _verify(self, member, purpose, code):
        """Check ``code`` against ``member``'s latest code for ``purpose``: OTP_OK (it is
        used up), OTP_WRONG, OTP_EXPIRED (also when none was sent), OTP_USED or
        OTP_TOO_MANY_ATTEMPTS."""
        record = self.sudo().search(
            [("member_id", "=", member.id), ("purpose", "=", purpose)], limit=1
        )
        if not record:
            return OTP_EXPIRED
        # Two requests with the same code: the second waits and sees it used.
        self.env.cr.execute("SELECT 1 FROM sacco_member_otp WHERE id = %s FOR UPDATE", [record.id])
        record.invalidate_recordset()
        now = _aware(fields.Datetime.now())
        outcome, checked = verify_otp(
            OtpRecord(
                digest=record.digest,
                issued_at=_aware(record.sent_at),
                attempts=record.attempts,
                used_at=now if record.used else None,
            ),
            str(code or ""),
            self._secret(),
            now,
        )
        record.write({"attempts": checked.attempts, "used": checked.used_at is not None})
        return outcome

    @api.model
    def _cron_purge(self):
        """Delete codes a day after they expired, and blank the codes in SMS no longer
        waiting to be sent once they expired (the outbox keeps that a code was sent)."""
        now = fields.Datetime.now()
        self.sudo().search([("expires_at", "<", now - PURGE_AFTER)]).unlink()
        template = self.env.ref(OTP_TEMPLATE, raise_if_not_found=False)
        if template:
            spent = (
                self.env["sacco.sms.message"]
                .sudo()
                .search(
                    [
                        ("template_id", "=", template.id),
                        ("state", "!=", "queued"),
                        ("create_date", "<", now - OTP_TTL),
                        ("body", "!=", CODE_REMOVED),
                    ]
                )
            )
            spent.write({"body": CODE_REMOVED})
