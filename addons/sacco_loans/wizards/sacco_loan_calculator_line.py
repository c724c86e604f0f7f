from odoo import fields, models


class SaccoLoanCalculatorLine(models.TransientModel):
    """One installment of the schedule the loan calculator shows."""

    _name = "sacco.loan.calculator.line"
    _description = "Loan Calculator Installment"
    _order = "calculator_id, number"

    calculator_id = fields.Many2one("sacco.loan.calculator", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="calculator_id.currency_id")
    number = fields.Integer(string="No.", required=True)
    due_date = fields.Date(required=True)
    principal = fields.Monetary()
    interest = fields.Monetary()
    total = fields.Monetary(string="Installment")
    balance = fields.Monetary()
