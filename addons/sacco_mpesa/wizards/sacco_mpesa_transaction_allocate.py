from odoo import fields, models


class SaccoMpesaTransactionAllocate(models.TransientModel):
    """Allocate an M-Pesa payment waiting in suspense to a member's account or loan."""

    _name = "sacco.mpesa.transaction.allocate"
    _inherit = ["sacco.mpesa.proposal.mixin", "sacco.mpesa.target.mixin"]
    _description = "Allocate M-Pesa Payment"

    bill_ref = fields.Char(related="transaction_id.bill_ref")

    def action_allocate(self):
        """Propose the allocation; a second accountant approves it (and it posts then)."""
        self.ensure_one()
        target = self._target()
        self.transaction_id.propose_allocation(
            account=target if target._name == "sacco.savings.account" else None,
            loan=target if target._name == "sacco.loan" else None,
        )
        return {"type": "ir.actions.act_window_close"}
