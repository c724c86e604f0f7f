from odoo import fields, models


class SaccoCheckoffAllocation(models.Model):
    _inherit = "sacco.checkoff.allocation"

    loan_id = fields.Many2one(
        "sacco.loan",
        readonly=True,
        index=True,
        check_company=True,
        help="The loan repaid by this allocation (key loan:<id>).",
    )
