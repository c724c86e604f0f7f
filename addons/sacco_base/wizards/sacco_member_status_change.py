from odoo import api, fields, models

from ..models.sacco_member import MEMBER_STATES, MEMBER_TRANSITIONS


class SaccoMemberStatusChange(models.TransientModel):
    _name = "sacco.member.status.change"
    _description = "Change a Member's Status"

    member_id = fields.Many2one("sacco.member", required=True, readonly=True)
    current_state = fields.Selection(related="member_id.state")
    new_state = fields.Selection(MEMBER_STATES, required=True)
    allowed_states = fields.Char(compute="_compute_allowed_states")
    date = fields.Date(required=True, default=fields.Date.context_today)
    reason = fields.Text(required=True)

    @api.depends("member_id.state")
    def _compute_allowed_states(self):
        for wizard in self:
            wizard.allowed_states = ",".join(MEMBER_TRANSITIONS.get(wizard.member_id.state, ()))

    def action_apply(self):
        self.ensure_one()
        self.member_id._change_state(self.new_state, self.date, self.reason)
        return {"type": "ir.actions.act_window_close"}
