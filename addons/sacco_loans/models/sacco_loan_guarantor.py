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
            keep = to_money(pledge * outstanding / principal, strict=False)
            if keep <= 0:
                guarantor.hold_id.sudo().action_release()
            else:
                guarantor.hold_id.sudo().amount = float(keep)
