from odoo import fields, models

from .sacco_member import IDENTITY_FIELDS


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Members are looked up and de-duplicated by phone (USSD, M-Pesa, registration).
    phone = fields.Char(index="btree_not_null")
    sacco_is_employer = fields.Boolean(
        string="Check-off Employer",
        help="An employer that deducts members' contributions from payroll and remits them.",
    )
    sacco_employer_code = fields.Char(string="Employer Code", copy=False)
    sacco_member_ids = fields.One2many("sacco.member", "partner_id", string="SACCO Member")

    _sql_constraints = [
        (
            "sacco_employer_code_company_uniq",
            "unique(sacco_employer_code, company_id)",
            "The employer code must be unique per company.",
        ),
    ]

    def write(self, vals):
        """A member's name and phone live on their contact: editing them there (Contacts) is
        held to the same maker-checker rule as on the member."""
        if any(name in vals for name in IDENTITY_FIELDS):
            self.sudo().sacco_member_ids.sudo(self.env.su)._check_identity_unchanged(vals)
        return super().write(vals)
