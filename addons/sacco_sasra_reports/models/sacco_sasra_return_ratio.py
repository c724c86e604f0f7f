from odoo import fields, models


class SaccoSasraReturnRatio(models.Model):
    """A prudential ratio of a return against its limit in settings."""

    _name = "sacco.sasra.return.ratio"
    _description = "SASRA Prudential Ratio"
    _order = "return_id, id"

    return_id = fields.Many2one("sacco.sasra.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    code = fields.Char(required=True, readonly=True)
    label = fields.Char(readonly=True)
    value = fields.Float(digits=(16, 2), readonly=True)
    limit = fields.Float(digits=(16, 2), readonly=True)
    is_minimum = fields.Boolean(readonly=True, help="A minimum; otherwise a maximum.")
    excess = fields.Float(string="Excess / (Deficiency)", digits=(16, 2), readonly=True)
    passed = fields.Boolean(readonly=True)
