from odoo import fields, models


class SaccoMember(models.Model):
    _inherit = "sacco.member"

    savings_account_ids = fields.One2many("sacco.savings.account", "member_id")
    savings_account_count = fields.Integer(compute="_compute_savings_totals")
    share_capital = fields.Monetary(compute="_compute_savings_totals")
    deposits = fields.Monetary(string="BOSA Deposits", compute="_compute_savings_totals")
    savings = fields.Monetary(string="FOSA Savings", compute="_compute_savings_totals")

    def _compute_savings_totals(self):
        totals = {
            (member.id, kind): balance
            for member, kind, balance in self.env["sacco.savings.account"]._read_group(
                [("member_id", "in", self.ids)], ["member_id", "kind"], ["balance:sum"]
            )
        }
        counts = dict(
            self.env["sacco.savings.account"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.savings_account_count = counts.get(member, 0)
            member.share_capital = totals.get((member.id, "share_capital"), 0.0)
            member.deposits = totals.get((member.id, "bosa_deposit"), 0.0)
            member.savings = sum(
                totals.get((member.id, kind), 0.0)
                for kind in ("fosa_savings", "fixed_deposit", "target_savings")
            )

    def action_approve(self):
        result = super().action_approve()
        self.env["sacco.savings.account"].sudo()._open_mandatory_accounts(self)
        return result

    def action_view_savings_accounts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sacco_savings.sacco_savings_account_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"default_member_id": self.id}
        return action

    def _exit_obligations(self):
        """What the member still owes at exit (the loans module adds loans and guarantees)."""
        self.ensure_one()
        return 0.0

    def action_exit(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sacco.member.exit",
            "view_mode": "form",
            "context": {"default_member_id": self.id},
        }
