from odoo import fields, models

from sacco_core.sasra import INSIDER_ROLES


class SaccoMember(models.Model):
    _inherit = "sacco.member"

    sacco_insider_role = fields.Selection(
        [(role, label[:-1] if label.endswith("s") else label) for role, label in INSIDER_ROLES],
        string="Insider",
        tracking=True,
        help="Officials, committee members and staff: their loans are reported on SASRA Form 9.",
    )
