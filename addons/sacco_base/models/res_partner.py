from odoo import fields, models


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
