from odoo import fields, models


class SaccoMpesaTargetMixin(models.AbstractModel):
    """A member's savings account or loan chosen in a wizard (where M-Pesa money goes)."""

    _name = "sacco.mpesa.target.mixin"
    _description = "M-Pesa Payment Target"

    member_id = fields.Many2one("sacco.member", required=True)
    target = fields.Selection(
        [("account", "Savings / Shares Account"), ("loan", "Loan")],
        default="account",
        required=True,
    )
    savings_account_id = fields.Many2one(
        "sacco.savings.account", domain="[('member_id', '=', member_id), ('state', '=', 'active')]"
    )
    loan_id = fields.Many2one(
        "sacco.loan", domain="[('member_id', '=', member_id), ('state', '=', 'active')]"
    )

    def _target(self):
        self.ensure_one()
        return self.savings_account_id if self.target == "account" else self.loan_id
