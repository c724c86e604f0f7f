from odoo import fields, models


class SaccoMpesaTransactionRefund(models.TransientModel):
    """Pay a suspense payment back to the payer by B2C (C2B v2 masks the payer's number,
    so staff enter the phone the payer gives them)."""

    _name = "sacco.mpesa.transaction.refund"
    _inherit = ["sacco.mpesa.proposal.mixin"]
    _description = "Refund M-Pesa Payment"

    member_id = fields.Many2one(
        "sacco.member", help="The paying member, when known (the refund is booked to them)."
    )
    phone = fields.Char(required=True)

    def action_refund(self):
        """Propose the refund; a second accountant approves it (and the B2C is sent then)."""
        self.ensure_one()
        self.transaction_id.propose_refund(self.phone, self.member_id)
        return {"type": "ir.actions.act_window_close"}
