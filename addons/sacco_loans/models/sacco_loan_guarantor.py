from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import to_money
from sacco_core.sms import sms_amount

CONSENT_STATES = [
    ("requested", "Awaiting Consent"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
]
CONSENT_CHANNELS = [("counter", "Counter"), ("ussd", "USSD"), ("app", "Mobile App")]
# The consent fields a guarantor's answer writes.
CONSENT_FIELDS = {"amount", "consent_state", "consent_date", "consent_channel"}
OPEN_STATES = ("draft", "submitted")


class SaccoLoanGuarantor(models.Model):
    """A member's pledge of part of their free BOSA deposits for another member's loan."""

    _name = "sacco.loan.guarantor"
    _description = "Loan Guarantor"
    _order = "id"

    application_id = fields.Many2one(
        "sacco.loan.application", required=True, ondelete="cascade", index=True
    )
    loan_id = fields.Many2one(related="application_id.loan_id", store=True, index=True)
    member_id = fields.Many2one("sacco.member", string="Guarantor", required=True, index=True)
    branch_id = fields.Many2one(related="application_id.branch_id", store=True)
    company_id = fields.Many2one(related="application_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="application_id.currency_id")
    amount = fields.Monetary(string="Pledged", required=True)
    hold_id = fields.Many2one("sacco.savings.hold", readonly=True, copy=False)
    active = fields.Boolean(default=True, help="Cleared when the guarantor is replaced.")
    substituted_by_id = fields.Many2one("sacco.loan.guarantor", readonly=True, copy=False)
    held_amount = fields.Monetary(
        string="Still Held", compute="_compute_held_amount", help="Pledge not yet released."
    )
    # Back-office lines record a signed paper form (accepted); channel applications ask the
    # guarantor, who answers by USSD or the app.
    consent_state = fields.Selection(
        CONSENT_STATES, string="Consent", default="accepted", required=True, index=True
    )
    requested_amount = fields.Monetary(
        string="Requested", help="What the borrower asked this guarantor to pledge."
    )
    consent_date = fields.Datetime(readonly=True, copy=False)
    consent_channel = fields.Selection(CONSENT_CHANNELS, readonly=True, copy=False)

    _sql_constraints = [
        (
            "member_application_uniq",
            "unique(application_id, member_id)",
            "A member guarantees an application once.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # A request names the amount asked; a paper form the amount pledged.
            vals.setdefault("amount", vals.get("requested_amount"))
            vals.setdefault("requested_amount", vals.get("amount"))
        guarantors = super().create(vals_list)
        guarantors._check_application_open()
        guarantors.filtered(lambda g: g.consent_state == "requested")._request_consent()
        return guarantors

    def write(self, vals):
        # Approval links the hold; anything else would bypass the appraisal.
        if set(vals) - {"hold_id"}:
            self._check_application_open()
        return super().write(vals)

    def _check_application_open(self):
        context = self.env.context
        if context.get("sacco_guarantor_substitution") or context.get("sacco_late_decline"):
            return
        if self.application_id.filtered(lambda app: app.state not in OPEN_STATES):
            raise UserError(self.env._("Guarantors cannot change once the loan is appraised."))

    # ---------------------------------------------------------------- consent

    def _request_consent(self):
        """Text each guarantor who asks them, for how much, and how to answer."""
        Sms = self.env["sacco.sms.message"]
        for guarantor in self:
            app = guarantor.application_id
            Sms._queue_from_template(
                "sacco_loans.sacco_sms_template_guarantee_requested",
                guarantor.member_id,
                {
                    "borrower": f"{app.member_id.name} ({app.member_id.member_number})",
                    "application": app.name,
                    "amount": sms_amount(guarantor.currency_id.name, guarantor.requested_amount),
                },
            )
            app.message_post(
                body=self.env._(
                    "%(guarantor)s asked to guarantee %(amount)s.",
                    guarantor=guarantor.member_id.name,
                    amount=guarantor.currency_id.format(guarantor.requested_amount),
                )
            )

    def _check_channel(self, channel):
        if channel not in dict(CONSENT_CHANNELS):
            raise UserError(self.env._("Unknown channel %s.", channel))

    def action_accept_guarantee(self, amount=None, channel="counter"):
        """The guarantor pledges ``amount`` (default: what was asked), at most what was asked
        and their free deposits, while the application is open; the borrower is told."""
        self.ensure_one()
        self._check_channel(channel)
        self._check_application_open()
        cur, member = self.currency_id, self.member_id
        if self.consent_state == "accepted":
            raise UserError(self.env._("%s has already accepted this guarantee.", member.name))
        pledge = self._pledge_amount(amount)
        free = self._free_deposits()
        if cur.compare_amounts(float(pledge), free) > 0:
            raise UserError(
                self.env._(
                    "%(member)s can pledge at most %(free)s: the free deposits.",
                    member=member.name,
                    free=cur.format(max(free, 0.0)),
                )
            )
        self.write(
            {
                "amount": float(pledge),
                "consent_state": "accepted",
                "consent_date": fields.Datetime.now(),
                "consent_channel": channel,
            }
        )
        self._notify_borrower(
            "accepted",
            self.env._(
                "%(member)s accepted to guarantee %(amount)s (%(channel)s).",
                member=member.name,
                amount=cur.format(self.amount),
                channel=dict(CONSENT_CHANNELS)[channel],
            ),
        )
        return True

    def _pledge_amount(self, amount):
        cur = self.currency_id
        try:
            pledge = to_money(self.requested_amount if amount is None else amount, strict=False)
        except SaccoRuleError:
            raise UserError(self.env._("Enter the amount to guarantee in figures.")) from None
        if pledge <= 0:
            raise UserError(self.env._("A guarantee must be greater than zero."))
        if cur.compare_amounts(float(pledge), self.requested_amount) > 0:
            raise UserError(
                self.env._(
                    "The borrower asked for %s; a guarantee cannot be more.",
                    cur.format(self.requested_amount),
                )
            )
        return pledge

    def action_decline_guarantee(self, channel="counter"):
        """The guarantor refuses; the borrower is told. Staff may record a refusal of an
        unanswered request after the appraisal too, which counted only accepted pledges."""
        self.ensure_one()
        self._check_channel(channel)
        state = self.application_id.state
        unanswered_after_appraisal = state == "appraised" and self.consent_state == "requested"
        if self.consent_state == "declined":
            raise UserError(self.env._("%s has already declined.", self.member_id.name))
        if state not in OPEN_STATES and not unanswered_after_appraisal:
            raise UserError(self.env._("Guarantors cannot change once the loan is appraised."))
        self.with_context(sacco_late_decline=unanswered_after_appraisal).write(
            {
                "consent_state": "declined",
                "consent_date": fields.Datetime.now(),
                "consent_channel": channel,
            }
        )
        self._notify_borrower(
            "declined",
            self.env._(
                "%(member)s declined to guarantee (%(channel)s).",
                member=self.member_id.name,
                channel=dict(CONSENT_CHANNELS)[channel],
            ),
        )
        return True

    def _notify_borrower(self, answer, note):
        app = self.application_id
        app.message_post(body=note)
        self.env["sacco.sms.message"]._queue_from_template(
            f"sacco_loans.sacco_sms_template_guarantee_{answer}",
            app.member_id,
            {
                "guarantor": self.member_id.name,
                "application": app.name,
                "amount": sms_amount(self.currency_id.name, self.amount),
            },
        )

    @api.depends("hold_id.amount", "hold_id.state")
    def _compute_held_amount(self):
        for guarantor in self:
            hold = guarantor.hold_id
            guarantor.held_amount = hold.amount if hold.state == "active" else 0.0

    @api.constrains("amount", "member_id")
    def _check_pledge(self):
        for guarantor in self:
            if guarantor.currency_id.compare_amounts(guarantor.amount, 0) <= 0:
                raise ValidationError(self.env._("A guarantee must be greater than zero."))
            if guarantor.member_id == guarantor.application_id.member_id:
                raise ValidationError(
                    self.env._(
                        "Borrowers cover their own loans by self-guarantee, not as guarantors."
                    )
                )

    def _free_deposits(self):
        account = self.member_id._bosa_deposit_account()
        return account.balance - account.held_amount if account else 0.0

    def _check_can_guarantee(self, today):
        self.ensure_one()
        member, cur = self.member_id, self.currency_id
        if member.state != "active":
            raise UserError(self.env._("Guarantor %s is not an active member.", member.name))
        if member._in_loan_arrears(today):
            raise UserError(self.env._("Guarantor %s has a loan in arrears.", member.name))
        free = self._free_deposits()
        if cur.compare_amounts(self.amount, free) > 0:
            raise UserError(
                self.env._(
                    "Guarantor %(member)s pledges %(pledge)s but has only %(free)s free deposits.",
                    member=member.name,
                    pledge=cur.format(self.amount),
                    free=cur.format(max(free, 0.0)),
                )
            )

    def _place_holds(self):
        for guarantor in self:
            account = guarantor.member_id._bosa_deposit_account()
            hold = account.sudo()._place_hold(
                guarantor.amount,
                self.env._("Guarantee for %s", guarantor.application_id.name),
                guarantor.application_id,
            )
            guarantor.hold_id = hold

    def _release_holds(self):
        self.hold_id.sudo().action_release()

    def _reduce_holds(self, principal, outstanding):
        """Release pledges in proportion to the principal repaid (Decimal arguments)."""
        for guarantor in self.filtered(lambda g: g.hold_id.state == "active"):
            pledge = to_money(guarantor.amount, strict=False)
            # Never raised again: a default recovery may have consumed part of the hold.
            keep = min(
                to_money(pledge * outstanding / principal, strict=False),
                to_money(guarantor.hold_id.amount, strict=False),
            )
            if keep <= 0:
                guarantor.hold_id.sudo().action_release()
            else:
                guarantor.hold_id.sudo().amount = float(keep)

    # ---------------------------------------------------------------- recovery and substitution

    def _recoverable(self):
        """What a default recovery may take from this guarantor: the pledge still held, or
        less if the deposits under it are short (Decimal)."""
        self.ensure_one()
        account = self.hold_id.account_id
        held = to_money(self.held_amount, strict=False)
        others = to_money(account.held_amount, strict=False) - held
        return max(min(held, to_money(account.balance, strict=False) - others), to_money(0))

    def _consume_hold(self, taken):
        """Lower the pledge hold by what a recovery takes, so the debit fits."""
        self.ensure_one()
        if taken <= 0:
            return
        rest = to_money(self.hold_id.amount, strict=False) - taken
        if rest <= 0:
            self.hold_id.sudo().action_release()
        else:
            self.hold_id.sudo().amount = float(rest)

    def _substitute(self, member, today):
        """Replace this guarantor of an active loan by ``member``: the same pledge, the
        appraisal's guarantor checks, and the hold still in place moved to the new
        guarantor's deposits. The replaced guarantor is archived."""
        self.ensure_one()
        loan = self.loan_id
        if loan.state != "active":
            raise UserError(self.env._("Guarantors are replaced on active loans only."))
        if not self.hold_id or self.hold_id.state != "active":
            raise UserError(
                self.env._("%s no longer holds a pledge on this loan.", self.member_id.name)
            )
        pledged = self.application_id.with_context(active_test=False).guarantor_ids
        if member in pledged.member_id:
            raise UserError(self.env._("%s already guarantees this loan.", member.name))
        held = self.held_amount
        new = self.with_context(sacco_guarantor_substitution=True).create(
            {
                "application_id": self.application_id.id,
                "member_id": member.id,
                "amount": self.amount,
            }
        )
        new._check_can_guarantee(today)
        self.hold_id.sudo().action_release()
        hold = (
            member._bosa_deposit_account()
            .sudo()
            ._place_hold(
                held, self.env._("Guarantee for %s", self.application_id.name), self.application_id
            )
        )
        new.hold_id = hold
        self.with_context(sacco_guarantor_substitution=True).write(
            {"active": False, "substituted_by_id": new.id}
        )
        loan.sudo().message_post(
            body=self.env._(
                "Guarantor %(old)s replaced by %(new)s (%(held)s held).",
                old=self.member_id.name,
                new=member.name,
                held=self.currency_id.format(held),
            )
        )
        return new
