from odoo import api, fields, models


class SaccoBranch(models.Model):
    _name = "sacco.branch"
    _description = "SACCO Branch"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(required=True, tracking=True)
    member_number_prefix = fields.Char(
        required=True,
        tracking=True,
        help="Used as {prefix} in the company's member number format.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    manager_id = fields.Many2one("res.users", string="Branch Manager", check_company=True)
    user_ids = fields.Many2many(
        "res.users",
        "sacco_branch_res_users_rel",
        "branch_id",
        "user_id",
        string="Staff",
    )
    phone = fields.Char()
    street = fields.Char()
    city = fields.Char()
    sequence_id = fields.Many2one(
        "ir.sequence", string="Member Number Sequence", readonly=True, copy=False
    )
    member_count = fields.Integer(compute="_compute_member_count")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The branch code must be unique."),
        (
            "prefix_company_uniq",
            "unique(member_number_prefix, company_id)",
            "Another branch already uses this member number prefix.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        branches = super().create(vals_list)
        for branch in branches:
            branch.sequence_id = (
                self.env["ir.sequence"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Members of %s", branch.name),
                        "implementation": "no_gap",
                        "company_id": branch.company_id.id,
                    }
                )
            )
        return branches

    def _compute_member_count(self):
        counts = dict(
            self.env["sacco.member"]._read_group(
                [("branch_id", "in", self.ids)], ["branch_id"], ["__count"]
            )
        )
        for branch in self:
            branch.member_count = counts.get(branch, 0)

    def _next_member_sequence(self):
        """The branch's next member number as an int (gapless, locked by ir.sequence)."""
        self.ensure_one()
        return int(self.sequence_id.sudo().next_by_id())

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sacco_base.sacco_member_action")
        action["domain"] = [("branch_id", "=", self.id)]
        action["context"] = {"default_branch_id": self.id}
        return action
