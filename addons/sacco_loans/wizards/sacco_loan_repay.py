from odoo import api, fields, models


class SaccoLoanRepay(models.TransientModel):
    """Teller screen for a repayment or an early settlement of one loan."""

    _name = "sacco.loan.repay"
    _description = "Loan Repayment"

    loan_id = fields.Many2one("sacco.loan", required=True, readonly=True)
    currency_id = fields.Many2one(related="loan_id.currency_id")
    mode = fields.Selection(
        [("repay", "Repayment"), ("settle", "Early Settlement")], required=True, default="repay"
    )
    channel = fields.Selection(
        [("cash", "Cash"), ("fosa", "Member's FOSA Account")], required=True, default="cash"
    )
    journal_id = fields.Many2one(
        "account.journal", domain="[('type', '=', 'cash')]", help="Your till by default."
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    amount = fields.Monetary()
    settlement_amount = fields.Monetary(compute="_compute_settlement_amount")

    @api.depends("loan_id", "date", "mode")
    def _compute_settlement_amount(self):
        for wizard in self:
            quote = wizard.loan_id.settlement_quote(wizard.date) if wizard.loan_id else None
            wizard.settlement_amount = float(quote["total"]) if quote else 0.0

    def action_post(self):
        self.ensure_one()
        journal = self.journal_id if self.channel == "cash" else None
        if self.mode == "settle":
            self.loan_id.settle(channel=self.channel, journal=journal, date=self.date)
        else:
            self.loan_id.repay(self.amount, channel=self.channel, journal=journal, date=self.date)
        return {"type": "ir.actions.act_window_close"}
