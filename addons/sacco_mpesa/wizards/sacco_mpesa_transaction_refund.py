from odoo import api, fields, models


class SaccoMpesaTransactionRefund(models.TransientModel):
    """Pay a suspense payment back to the payer by B2C (C2B v2 masks the payer's number,
    so staff enter the phone the payer gives them)."""

    _name = "sacco.mpesa.transaction.refund"
    _description = "Refund M-Pesa Payment"

    transaction_id = fields.Many2one("sacco.mpesa.transaction", required=True, readonly=True)
    amount = fields.Monetary(related="transaction_id.amount")
    currency_id = fields.Many2one(related="transaction_id.currency_id")
    member_id = fields.Many2one(
        "sacco.member", help="The paying member, when known (the refund is booked to them)."
    )
    phone = fields.Char(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "sacco.mpesa.transaction":
            txn = self.env["sacco.mpesa.transaction"].browse(self.env.context.get("active_id"))
            values.update(transaction_id=txn.id, member_id=txn.member_id.id)
        return values

    def action_refund(self):
        self.ensure_one()
        txn = self.transaction_id
        if self.member_id and not txn.member_id:
            txn.sudo().member_id = self.member_id
        request = self.env["sacco.mpesa.request"].request_b2c(
            self.member_id or txn.member_id, self.phone, txn.amount, txn
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sacco.mpesa.request",
            "res_id": request.id,
            "view_mode": "form",
        }
