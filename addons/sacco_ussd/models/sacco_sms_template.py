from odoo import models

# The statement SMS names the account, the period and its totals; the withdrawal SMS the
# amount and the phone.
USSD_PLACEHOLDERS = ("account", "period", "opening", "credits", "debits", "closing", "amount")


class SaccoSmsTemplate(models.Model):
    _inherit = "sacco.sms.template"

    def _placeholders(self):
        return super()._placeholders() + USSD_PLACEHOLDERS
