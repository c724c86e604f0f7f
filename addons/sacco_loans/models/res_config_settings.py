from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sacco_loan_officer_limit = fields.Monetary(
        related="company_id.sacco_loan_officer_limit", readonly=False
    )
