from odoo import api, fields, models


class SaccoMpesaTransactionAllocate(models.TransientModel):
    """Allocate an M-Pesa payment waiting in suspense to a member's account or loan."""

    _name = "sacco.mpesa.transaction.allocate"
    _description = "Allocate M-Pesa Payment"

    transaction_id = fields.Many2one("sacco.mpesa.transaction", required=True, readonly=True)
    amount = fields.Monetary(related="transaction_id.amount")
    currency_id = fields.Many2one(related="transaction_id.currency_id")
    bill_ref = fields.Char(related="transaction_id.bill_ref")
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

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "sacco.mpesa.transaction":
            values["transaction_id"] = self.env.context.get("active_id")
        return values

    def action_allocate(self):
        self.ensure_one()
        account = self.savings_account_id if self.target == "account" else None
        loan = self.loan_id if self.target == "loan" else None
        self.transaction_id._allocate(account=account, loan=loan)
        return {"type": "ir.actions.act_window_close"}
