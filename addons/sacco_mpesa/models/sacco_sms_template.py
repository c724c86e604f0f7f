from odoo import models

# M-Pesa receipts name the receipt number and what the payment went to.
MPESA_PLACEHOLDERS = ("receipt", "target")


class SaccoSmsTemplate(models.Model):
    _inherit = "sacco.sms.template"

    def _placeholders(self):
        return super()._placeholders() + MPESA_PLACEHOLDERS
