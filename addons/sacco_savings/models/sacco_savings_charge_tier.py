from odoo import fields, models

from sacco_core.money import to_money
from sacco_core.savings import ChargeTier


class SaccoSavingsChargeTier(models.Model):
    _name = "sacco.savings.charge.tier"
    _description = "Withdrawal Charge Tier"
    _order = "product_id, up_to"

    product_id = fields.Many2one("sacco.savings.product", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="product_id.currency_id")
    up_to = fields.Monetary(
        string="Withdrawals up to", help="Leave empty for the tier above all others."
    )
    charge = fields.Monetary(required=True)

    def _as_core_tiers(self):
        """The tiers as sacco_core values, ascending, the open-ended tier last."""
        return [
            ChargeTier(
                up_to=to_money(tier.up_to, strict=False) if tier.up_to else None,
                charge=to_money(tier.charge, strict=False),
            )
            for tier in self.sorted(lambda tier: (not tier.up_to, tier.up_to))
        ]
