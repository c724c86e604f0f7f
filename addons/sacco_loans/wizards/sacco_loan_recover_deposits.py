from odoo import api, fields, models

from sacco_core.money import to_money


class SaccoLoanRecoverDeposits(models.TransientModel):
    """Officer screen to recover a loan in default from the borrower's free deposits,
    then from the guarantors' deposits pro rata to their pledges."""

    _name = "sacco.loan.recover.deposits"
    _description = "Recover a Loan from Deposits"

    loan_id = fields.Many2one("sacco.loan", required=True, readonly=True)
    currency_id = fields.Many2one(related="loan_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today)
    owed = fields.Monetary(
        compute="_compute_plan",
        help="Everything due, plus the principal, charges and interest earned to date of the "
        "installments not yet due: the loan is recalled.",
    )
    amount = fields.Monetary(help="Leave empty to recover everything owed.")
    own_amount = fields.Monetary(string="From the Borrower", compute="_compute_plan")
    guarantors_amount = fields.Monetary(string="From the Guarantors", compute="_compute_plan")
    shortfall = fields.Monetary(compute="_compute_plan", help="Left owed after the recovery.")

    @api.depends("loan_id", "date", "amount")
    def _compute_plan(self):
        for wizard in self:
            loan = wizard.loan_id
            owed = loan._recall_amount(wizard.date) if loan and wizard.date else 0
            amount = to_money(wizard.amount, strict=False)
            wanted = min(amount, owed) if amount > 0 else owed
            plan = loan._recovery_plan(wanted) if wanted > 0 else None
            wizard.owed = float(owed)
            wizard.own_amount = float(plan.own) if plan else 0.0
            wizard.guarantors_amount = float(sum(plan.guarantors)) if plan else 0.0
            wizard.shortfall = float(wanted - plan.total) if plan else 0.0

    def action_recover(self):
        self.ensure_one()
        self.loan_id.recover_from_deposits(self.amount or None, self.date)
        return {"type": "ir.actions.act_window_close"}
