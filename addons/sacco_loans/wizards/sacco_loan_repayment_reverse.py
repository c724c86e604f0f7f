from odoo import fields, models


class SaccoLoanRepaymentReverse(models.TransientModel):
    """Loan officer or accountant screen to reverse a repayment, with the reason."""

    _name = "sacco.loan.repayment.reverse"
    _description = "Reverse a Loan Repayment"

    repayment_id = fields.Many2one("sacco.loan.repayment", required=True, readonly=True)
    loan_id = fields.Many2one(related="repayment_id.loan_id")
    currency_id = fields.Many2one(related="repayment_id.currency_id")
    amount = fields.Monetary(related="repayment_id.amount")
    date = fields.Date(related="repayment_id.date")
    reason = fields.Char(required=True)

    def action_reverse(self):
        self.ensure_one()
        self.repayment_id.action_reverse(self.reason)
        return {"type": "ir.actions.act_window_close"}
