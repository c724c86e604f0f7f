from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from sacco_core.money import to_money


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

    _sql_constraints = [
        (
            "member_application_uniq",
            "unique(application_id, member_id)",
            "A member guarantees an application once.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        guarantors = super().create(vals_list)
        guarantors._check_application_open()
        return guarantors

    def write(self, vals):
        # Approval links the hold; anything else would bypass the appraisal.
        if set(vals) - {"hold_id"}:
            self._check_application_open()
        return super().write(vals)

    def _check_application_open(self):
        if self.env.context.get("sacco_guarantor_substitution"):
            return
        if self.application_id.filtered(lambda app: app.state not in ("draft", "submitted")):
            raise UserError(self.env._("Guarantors cannot change once the loan is appraised."))

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
