from odoo import fields, models


class SaccoDocumentType(models.Model):
    _name = "sacco.document.type"
    _description = "KYC Document Type"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    has_expiry = fields.Boolean(help="Documents of this type carry an expiry date.")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The document type code must be unique."),
    ]
