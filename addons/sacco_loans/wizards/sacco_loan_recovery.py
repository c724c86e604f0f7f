from odoo import api, fields, models


class SaccoLoanRecovery(models.TransientModel):
    """Teller screen for money received on a written-off loan (to recovery income)."""

    _name = "sacco.loan.recovery"
    _description = "Recovery on a Written-off Loan"

    loan_id = fields.Many2one("sacco.loan", required=True, readonly=True)
    currency_id = fields.Many2one(related="loan_id.currency_id")
    channel = fields.Selection(
        [("cash", "Cash"), ("fosa", "Member's FOSA Account")], required=True, default="cash"
    )
    journal_id = fields.Many2one(
        "account.journal", domain="[('type', '=', 'cash')]", help="Your till by default."
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    amount = fields.Monetary(required=True)
    left_to_recover = fields.Monetary(compute="_compute_left_to_recover")

    @api.depends("loan_id")
    def _compute_left_to_recover(self):
        for wizard in self:
            loan = wizard.loan_id
            wizard.left_to_recover = (
                loan.principal_written_off + loan.charges_written_off - loan.recovered_amount
            )

    def action_post(self):
        self.ensure_one()
        journal = self.journal_id if self.channel == "cash" else None
        self.loan_id.receive_recovery(self.amount, self.channel, journal, self.date)
        return {"type": "ir.actions.act_window_close"}
