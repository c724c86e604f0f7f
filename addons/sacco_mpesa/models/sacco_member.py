from odoo import fields, models

from sacco_core.exceptions import SaccoRuleError
from sacco_core.phones import normalize_msisdn


class SaccoMember(models.Model):
    _inherit = "sacco.member"

    mpesa_transaction_ids = fields.One2many("sacco.mpesa.transaction", "member_id")
    mpesa_transaction_count = fields.Integer(compute="_compute_mpesa_transaction_count")
    mpesa_payout = fields.Boolean(
        string="Dividends and Interest by M-Pesa",
        tracking=True,
        help="Year-end interest and dividends are sent to the member's M-Pesa (B2C) "
        "instead of their FOSA account.",
    )
    mpesa_payout_phone = fields.Char(
        string="M-Pesa Payout Phone", help="Defaults to the member's phone."
    )

    def _mpesa_payout_msisdn(self):
        """The number year-end payouts go to, when the member chose M-Pesa and it is valid."""
        self.ensure_one()
        if not self.mpesa_payout:
            return None
        try:
            return normalize_msisdn(self.mpesa_payout_phone or self.phone or "")
        except SaccoRuleError:
            return None

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
