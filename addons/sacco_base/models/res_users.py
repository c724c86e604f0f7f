from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    sacco_branch_ids = fields.Many2many(
        "sacco.branch",
        "sacco_branch_res_users_rel",
        "user_id",
        "branch_id",
        string="SACCO Branches",
        help="Branch staff see only the members of these branches.",
    )
