from odoo import fields, models

from odoo.addons.sacco_loans.report.sacco_loan_portfolio_report import SASRA_CLASSES

from sacco_core.sasra import INSIDER_PARTS, INSIDER_ROLES


class SaccoSasraReturnInsiderLoan(models.Model):
    """One row of Form 9's loan-by-loan parts, frozen with the return's figures."""

    _name = "sacco.sasra.return.insider.loan"
    _description = "SASRA Form 9 Insider Loan"
    _order = "return_id, part, sequence"

    return_id = fields.Many2one("sacco.sasra.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    currency_id = fields.Many2one(related="return_id.currency_id")
    part = fields.Selection(INSIDER_PARTS, required=True, readonly=True)
    sequence = fields.Integer(readonly=True)
    row = fields.Integer(readonly=True, help="Row of the Excel return.")
    loan_id = fields.Many2one("sacco.loan", readonly=True, ondelete="restrict")
    borrower = fields.Char(string="Name of Borrower", readonly=True)
    member_number = fields.Char(string="Member No.", readonly=True)
    position = fields.Selection(INSIDER_ROLES, string="Position Held", readonly=True)
    loan_type = fields.Char(readonly=True)
    amount_applied = fields.Monetary(readonly=True)
    amount_granted = fields.Monetary(readonly=True)
    approved_on = fields.Date(string="Date Approved / Ratified", readonly=True)
    bosa_deposits = fields.Monetary(string="BOSA Deposits", readonly=True)
    security = fields.Char(string="Nature of Security", readonly=True)
    repayment_start = fields.Date(string="Repayment Commencement", readonly=True)
    repayment_months = fields.Integer(string="Repayment Period (months)", readonly=True)
    outstanding = fields.Monetary(string="Outstanding Amount", readonly=True)
    sasra_class = fields.Selection(SASRA_CLASSES, string="Performance Category", readonly=True)
    remarks = fields.Char(readonly=True)
