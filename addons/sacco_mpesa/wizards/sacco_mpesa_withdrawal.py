from odoo import api, fields, models


class SaccoMpesaWithdrawal(models.TransientModel):
    """Teller: pay a member's FOSA withdrawal to their phone by M-Pesa (B2C), showing what
    the member is charged before it is sent."""

    _name = "sacco.mpesa.withdrawal"
    _description = "FOSA Withdrawal to M-Pesa"

    savings_account_id = fields.Many2one(
        "sacco.savings.account",
        string="FOSA Account",
        required=True,
        domain="[('kind', '=', 'fosa_savings'), ('state', '=', 'active')]",
    )
    member_id = fields.Many2one(related="savings_account_id.member_id")
    currency_id = fields.Many2one(related="savings_account_id.currency_id")
    available_balance = fields.Monetary(related="savings_account_id.available_balance")
    phone = fields.Char(required=True)
    amount = fields.Monetary(required=True)
    charge = fields.Monetary(string="Withdrawal Charge", compute="_compute_quote")
    excise = fields.Monetary(string="Excise Duty", compute="_compute_quote")
    b2c_charge = fields.Monetary(string="M-Pesa Charge", compute="_compute_quote")
    total = fields.Monetary(string="Total Debited", compute="_compute_quote")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "sacco.savings.account":
            account = self.env["sacco.savings.account"].browse(self.env.context["active_id"])
            values.update(savings_account_id=account.id, phone=account.member_id.phone)
        return values

    @api.depends("savings_account_id", "amount")
    def _compute_quote(self):
        for wizard in self:
            quote = {"charge": 0.0, "excise": 0.0, "b2c_charge": 0.0, "total": 0.0}
            if wizard.savings_account_id and wizard.amount > 0:
                quote = wizard.savings_account_id._mpesa_withdrawal_quote(wizard.amount)
            wizard.update({key: quote[key] for key in ("charge", "excise", "b2c_charge", "total")})

    def action_withdraw(self):
        self.ensure_one()
        request = self.env["sacco.mpesa.request"].request_b2c(
            self.member_id, self.phone, self.amount, self.savings_account_id
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sacco.mpesa.request",
            "res_id": request.id,
            "view_mode": "form",
        }
