from odoo import fields, models


class SaccoSasraReturnCheck(models.Model):
    """A cross-form check of SASRA's portal involving the return's form."""

    _name = "sacco.sasra.return.check"
    _description = "SASRA Cross-form Check"
    _order = "return_id, passed, id"

    return_id = fields.Many2one("sacco.sasra.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    label = fields.Char(readonly=True)
    description = fields.Char(string="Cells", readonly=True)
    left = fields.Float(digits=(16, 2), readonly=True)
    right = fields.Float(digits=(16, 2), readonly=True)
    passed = fields.Boolean(readonly=True)
