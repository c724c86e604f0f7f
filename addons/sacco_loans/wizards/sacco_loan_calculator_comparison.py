from odoo import fields, models

from .sacco_loan_calculator import METHODS


class SaccoLoanCalculatorComparison(models.TransientModel):
    """The same loan under one repayment method, for the calculator's comparison table."""

    _name = "sacco.loan.calculator.comparison"
    _description = "Loan Calculator Method Comparison"
    _order = "calculator_id, sequence"

    calculator_id = fields.Many2one("sacco.loan.calculator", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="calculator_id.currency_id")
    sequence = fields.Integer()
    method = fields.Selection(METHODS, required=True)
    first_installment = fields.Monetary()
    last_installment = fields.Monetary()
    total_interest = fields.Monetary()
    total_cost = fields.Monetary()
    effective_rate = fields.Float(string="APR (%)", digits=(16, 2))
