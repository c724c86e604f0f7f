from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sacco_loan_officer_limit = fields.Monetary(
        string="Loan Officer Approval Limit",
        currency_field="currency_id",
        default=100000.0,
        help="Loan officers approve loans up to this amount; the credit committee above it.",
    )
