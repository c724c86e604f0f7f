from odoo import models

from odoo.addons.sacco_base.models.sacco_sms_template import TEMPLATE_PLACEHOLDERS

# Loan application messages also name the application, its amount and a rejection reason.
LOAN_PLACEHOLDERS = ("application", "amount", "reason")
# Close of business reminders name the loan, a due date and the days in arrears.
COB_PLACEHOLDERS = ("loan", "due_date", "days")


class SaccoSmsTemplate(models.Model):
    _inherit = "sacco.sms.template"

    def _placeholders(self):
        return TEMPLATE_PLACEHOLDERS + LOAN_PLACEHOLDERS + COB_PLACEHOLDERS
