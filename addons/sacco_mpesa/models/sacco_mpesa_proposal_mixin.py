from odoo import fields, models


class SaccoMpesaProposalMixin(models.AbstractModel):
    """A wizard proposing a correction of one M-Pesa payment (allocation, refund or
    reversal) that a second accountant approves: the payment and its amount."""

    _name = "sacco.mpesa.proposal.mixin"
    _description = "M-Pesa Payment Correction Proposal"

    transaction_id = fields.Many2one("sacco.mpesa.transaction", required=True, readonly=True)
    amount = fields.Monetary(related="transaction_id.amount")
    currency_id = fields.Many2one(related="transaction_id.currency_id")
