from odoo import fields, models


class SaccoLoanRescheduleLine(models.Model):
    """An installment as it stood when a reschedule replaced it."""

    _name = "sacco.loan.reschedule.line"
    _description = "Replaced Loan Installment"
    _order = "reschedule_id, number"

    reschedule_id = fields.Many2one(
        "sacco.loan.reschedule", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="reschedule_id.company_id", store=True)
    currency_id = fields.Many2one(related="reschedule_id.currency_id")
    number = fields.Integer(readonly=True)
    due_date = fields.Date(readonly=True)
    principal = fields.Monetary(readonly=True)
    interest = fields.Monetary(readonly=True)
    fee = fields.Monetary(readonly=True)
    penalty = fields.Monetary(readonly=True)
    principal_paid = fields.Monetary(readonly=True)
    interest_paid = fields.Monetary(readonly=True)
    fee_paid = fields.Monetary(readonly=True)
    penalty_paid = fields.Monetary(readonly=True)
    interest_receivable = fields.Monetary(readonly=True)
