from odoo import fields, models

from .sacco_member import MEMBER_STATES


class SaccoMemberStatusLog(models.Model):
    _name = "sacco.member.status.log"
    _description = "Member Status Change"
    _order = "date desc, id desc"

    member_id = fields.Many2one("sacco.member", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True)
    date = fields.Date(required=True)
    from_state = fields.Selection(MEMBER_STATES, required=True)
    to_state = fields.Selection(MEMBER_STATES, required=True)
    reason = fields.Text(required=True)
    user_id = fields.Many2one("res.users", required=True, default=lambda self: self.env.user)
