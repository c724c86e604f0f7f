from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sacco_excise_rate = fields.Float(related="company_id.sacco_excise_rate", readonly=False)
