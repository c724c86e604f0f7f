from odoo import fields, models


class SaccoLoanWriteOff(models.TransientModel):
    """Credit committee screen to write a loan off against the loan-loss provision."""

    _name = "sacco.loan.write.off"
    _description = "Write Off a Loan"

    loan_id = fields.Many2one("sacco.loan", required=True, readonly=True)
    currency_id = fields.Many2one(related="loan_id.currency_id")
    principal_outstanding = fields.Monetary(related="loan_id.principal_outstanding")
    date = fields.Date(required=True, default=fields.Date.context_today)
    reason = fields.Text(required=True)

    def action_write_off(self):
        self.ensure_one()
        self.loan_id.write_off(self.date, self.reason)
        return {"type": "ir.actions.act_window_close"}
