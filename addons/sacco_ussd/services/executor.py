"""Carries out the actions the USSD engine asks for, through the money APIs of the other
add-ons (never posting money itself), and says when it could not (``Refusal``)."""

import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError

from odoo.addons.sacco_base.models.sacco_member_otp import OtpRateLimited

from sacco_core.mobile_auth import (
    OTP_EXPIRED,
    OTP_MAX_ATTEMPTS,
    OTP_OK,
    OTP_TOO_MANY_ATTEMPTS,
    OTP_USED,
    OTP_WRONG,
    PIN_OK,
)
from sacco_core.ussd import (
    ACCESS_LOCKED,
    FAILED,
    ID_MISMATCH,
    INSUFFICIENT,
    OVER_LIMIT,
    PIN_MISMATCH,
    WRONG_OTP,
    WRONG_PIN,
    ApplyLoan,
    CommitPin,
    QueueStkDeposit,
    Refusal,
    RequestWithdrawal,
    RespondGuarantee,
    SendOtp,
    SendStatementSms,
    SetLanguage,
    StagePin,
    VerifyIdAndOtp,
    VerifyPin,
)
from sacco_core.ussd import OTP_EXPIRED as CODE_EXPIRED
from sacco_core.ussd import OTP_LIMIT as CODE_LIMIT

from .member_view import LiveMemberView

_logger = logging.getLogger(__name__)

OTP_PURPOSE = "ussd_pin"
OTP_REFUSALS = {
    OTP_EXPIRED: CODE_EXPIRED,
    OTP_USED: CODE_EXPIRED,
    OTP_TOO_MANY_ATTEMPTS: CODE_EXPIRED,
}


class UssdExecutor:
    """``executor(action)`` for ``ussd.advance``: one per request, for one session."""

    def __init__(self, session, member, credential):
        self.session, self.member, self.credential = session, member, credential
        self.env = session.env
        self.done = []  # what was carried out, for the session log
        self.acted = False  # whether the request asked for any action (PIN check included)

    def __call__(self, action):
        self.acted = True
        handler = getattr(self, f"_{type(action).__name__}")
        try:
            with self.env.cr.savepoint():
                return handler(action)
        except (UserError, ValidationError) as error:
            _logger.info("USSD %s refused: %s", type(action).__name__, error)
            self.done.append(f"{type(action).__name__}: refused ({error})")
            return Refusal(FAILED)

    # PIN and first use ---------------------------------------------------------------

    def _pin_refusal(self, pin):
        """None when the PIN is right; else the refusal (the third wrong PIN locks)."""
        check = self.credential._check_pin(pin)
        if check.outcome == PIN_OK:
            return None
        self.done.append("wrong PIN" if check.attempts_left else "locked after 3 wrong PINs")
        reason = WRONG_PIN if check.attempts_left else ACCESS_LOCKED
        return Refusal(reason, check.attempts_left)

    def _VerifyPin(self, action: VerifyPin):
        return self._pin_refusal(action.pin)

    def _SendOtp(self, action: SendOtp):
        try:
            self.env["sacco.member.otp"].sudo()._issue(self.member, OTP_PURPOSE)
        except OtpRateLimited:
            return Refusal(CODE_LIMIT)
        self.done.append("code sent by SMS")
        return None

    def _VerifyIdAndOtp(self, action: VerifyIdAndOtp):
        Otp = self.env["sacco.member.otp"].sudo()
        outcome = Otp._verify(self.member, OTP_PURPOSE, action.otp)
        if outcome == OTP_WRONG:
            latest = Otp.search(
                [("member_id", "=", self.member.id), ("purpose", "=", OTP_PURPOSE)], limit=1
            )
            return Refusal(WRONG_OTP, max(OTP_MAX_ATTEMPTS - latest.attempts, 0))
        if outcome != OTP_OK:
            return Refusal(OTP_REFUSALS.get(outcome, CODE_EXPIRED))
        if (self.member.id_number or "").upper() != action.id_number.upper():
            self.done.append("ID number did not match")
            return Refusal(ID_MISMATCH)
        self.done.append("ID and code verified")
        return None

    def _StagePin(self, action: StagePin):
        self.credential._stage_pin(action.pin)

    def _CommitPin(self, action: CommitPin):
        if not self.credential._commit_pin(action.pin):
            return Refusal(PIN_MISMATCH)
        self.done.append("PIN set")
        return None

    def _SetLanguage(self, action: SetLanguage):
        self.credential.language = action.language
        self.done.append(f"language {action.language}")

    # Money ---------------------------------------------------------------------------

    def _QueueStkDeposit(self, action: QueueStkDeposit):
        Model = "sacco.loan" if action.kind == "loan" else "sacco.savings.account"
        target = self.env[Model].sudo().browse(int(action.ref))
        # A deposit ends the session: one STK push per session, whatever the gateway re-sends.
        key = f"ussd-{self.session.channel_id.id}-{self.session.session_id}"
        request = (
            self.env["sacco.mpesa.request"]
            .sudo()
            .request_stk_push(
                self.member,
                self.session.phone,
                action.amount,
                target,
                idempotency_key=key,
                defer=True,
            )
        )
        self.done.append(f"STK push {request.name} queued")
        return None

    def _RequestWithdrawal(self, action: RequestWithdrawal):
        refusal = self._pin_refusal(action.pin)
        if refusal:
            return refusal
        self._lock_member()
        account = self.env["sacco.savings.account"].sudo().browse(int(action.account))
        limits = self._fresh_limits()
        if action.amount > limits.daily_withdraw_max - limits.withdrawn_today:
            return Refusal(OVER_LIMIT)
        account._lock_for_posting()
        needed = action.amount + action.charge
        if account.currency_id.compare_amounts(float(needed), account.available_balance) > 0:
            return Refusal(INSUFFICIENT)
        request = (
            self.env["sacco.mpesa.request"]
            .sudo()
            .request_b2c(self.member, self.session.phone, float(action.amount), account, defer=True)
        )
        self.env["sacco.sms.message"]._queue_from_template(
            "sacco_ussd.sacco_sms_template_ussd_withdrawal",
            self.member,
            {"amount": f"{account.currency_id.name} {action.amount:,.2f}"},
        )
        self.done.append(f"withdrawal {request.name} requested")
        return None

    def _lock_member(self):
        """One money request of a member at a time: the daily limit is checked in order."""
        self.env.cr.execute(
            "SELECT id FROM sacco_member WHERE id = %s FOR UPDATE", [self.member.id]
        )

    def _fresh_limits(self):
        view = LiveMemberView.load(self.member, self.session.channel_id, self.credential)
        return view.limits

    def _ApplyLoan(self, action: ApplyLoan):
        refusal = self._pin_refusal(action.pin)
        if refusal:
            return refusal
        product = self.env["sacco.loan.product"].sudo().browse(int(action.product))
        application = (
            self.env["sacco.loan.application"]
            .sudo()
            ._sacco_channel_apply(
                self.member, product, float(action.amount), action.term_months, channel="ussd"
            )
        )
        self.done.append(f"loan application {application.name} ({application.state})")
        return None

    def _RespondGuarantee(self, action: RespondGuarantee):
        refusal = self._pin_refusal(action.pin)
        if refusal:
            return refusal
        line = self.env["sacco.loan.guarantor"].sudo().browse(int(action.request))
        if line.member_id != self.member or line.consent_state != "requested":
            return Refusal(FAILED)
        if action.accept:
            line.action_accept_guarantee(amount=float(action.amount), channel="ussd")
            self.done.append(f"guarantee accepted for {line.application_id.name}")
        else:
            line.action_decline_guarantee(channel="ussd")
            self.done.append(f"guarantee declined for {line.application_id.name}")
        return None

    def _SendStatementSms(self, action: SendStatementSms):
        account = self.env["sacco.savings.account"].sudo().browse(int(action.account))
        today = fields.Date.context_today(account)
        start = today - relativedelta(months=action.months) + timedelta(days=1)
        statement = account._statement(start, today)
        currency = account.currency_id.name

        def fmt(value):
            return f"{currency} {value:,.2f}"

        self.env["sacco.sms.message"]._queue_from_template(
            "sacco_ussd.sacco_sms_template_ussd_statement",
            self.member,
            {
                "account": f"{account.name} {account.product_id.name}",
                "period": f"{start:%d/%m/%Y}-{today:%d/%m/%Y}",
                "opening": fmt(statement["opening"]),
                "credits": fmt(statement["total_credit"]),
                "debits": fmt(statement["total_debit"]),
                "closing": fmt(statement["closing"]),
            },
        )
        self.done.append(f"statement of {action.months} months sent by SMS")
        return None
