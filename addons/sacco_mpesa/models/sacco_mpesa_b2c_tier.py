from odoo import fields, models

from sacco_core.money import to_money


class SaccoMpesaB2cTier(models.Model):
    """A band of Safaricom's B2C tariff on one shortcode: payouts up to ``up_to`` cost
    ``charge`` (the SACCO edits its own copy when the tariff changes)."""

    _name = "sacco.mpesa.b2c.tier"
    _description = "M-Pesa B2C Charge Tier"
    _order = "config_id, up_to"

    config_id = fields.Many2one("sacco.mpesa.config", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="config_id.company_id", store=True)
    currency_id = fields.Many2one(related="config_id.currency_id")
    up_to = fields.Monetary(
        string="Payouts up to", help="Leave empty for the band above all others."
    )
    charge = fields.Monetary(required=True)

    def _as_core_tiers(self):
        """``(up_to, charge)`` pairs for ``sacco_core.mpesa.b2c_charge``, open band last."""
        return [
            (
                to_money(tier.up_to, strict=False) if tier.up_to else None,
                to_money(tier.charge, strict=False),
            )
            for tier in self.sorted(lambda tier: (not tier.up_to, tier.up_to))
        ]
