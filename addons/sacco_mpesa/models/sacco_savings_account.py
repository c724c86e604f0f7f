from odoo import models


class SaccoSavingsAccount(models.Model):
    _inherit = "sacco.savings.account"

    def _mpesa_withdrawal_quote(self, amount):
        """What a withdrawal of ``amount`` to M-Pesa costs the member, for the channels
        (teller wizard, USSD, mobile app) to show before the member confirms: the product's
        withdrawal charge and excise duty, and M-Pesa's B2C charge when members bear it."""
        self.ensure_one()
        config = self.env["sacco.mpesa.request"]._config_for(self.member_id)
        charge, excise = self._withdrawal_charges(amount)
        b2c = float(config._member_b2c_charge(amount))
        return {
            "amount": float(amount),
            "charge": charge,
            "excise": excise,
            "b2c_charge": b2c,
            "total": float(amount) + charge + excise + b2c,
        }

    def _withdrawal_charge(self, amount, channel="mpesa"):
        """With M-Pesa's B2C charge when the members bear it, as the quote shows."""
        total = super()._withdrawal_charge(amount, channel=channel)
        config = (
            self.env["sacco.mpesa.config"]
            .sudo()
            .search([("company_id", "=", self.company_id.id)], limit=1)
        )
        if channel != "mpesa" or not config:
            return total
        return total + config._member_b2c_charge(amount)
