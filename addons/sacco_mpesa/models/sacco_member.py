from odoo import fields, models


class SaccoMember(models.Model):
    _inherit = "sacco.member"

    mpesa_transaction_ids = fields.One2many("sacco.mpesa.transaction", "member_id")
    mpesa_transaction_count = fields.Integer(compute="_compute_mpesa_transaction_count")

    def _compute_mpesa_transaction_count(self):
        counts = dict(
            self.env["sacco.mpesa.transaction"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.mpesa_transaction_count = counts.get(member, 0)

    def action_view_mpesa_transactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sacco_mpesa.sacco_mpesa_transaction_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        return action
