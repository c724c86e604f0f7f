from odoo import fields, models


class SaccoMpesaTransactionReverse(models.TransientModel):
    """Propose the M-Pesa reversal of a wrong payment (a second accountant approves it)."""

    _name = "sacco.mpesa.transaction.reverse"
    _inherit = ["sacco.mpesa.proposal.mixin"]
    _description = "Reverse M-Pesa Payment"

    member_id = fields.Many2one(related="transaction_id.member_id")
    reason = fields.Char(required=True)

    def action_propose(self):
        self.ensure_one()
        self.transaction_id.propose_reversal(self.reason)
        return {"type": "ir.actions.act_window_close"}
