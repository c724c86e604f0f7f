from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sacco_excise_rate = fields.Float(
        string="Excise Duty on Fees (%)",
        default=20.0,
        help="Kenyan excise duty charged on fees and commissions.",
    )
