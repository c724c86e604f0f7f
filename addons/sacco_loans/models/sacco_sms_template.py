from odoo import models

# Loan application messages also name the application, its amount and a rejection reason;
# guarantee requests and answers name the borrower and the guarantor.
LOAN_PLACEHOLDERS = ("application", "amount", "reason", "borrower", "guarantor")
# Close of business reminders name the loan, a due date and the days in arrears.
COB_PLACEHOLDERS = ("loan", "due_date", "days")


class SaccoSmsTemplate(models.Model):
    _inherit = "sacco.sms.template"

    def _placeholders(self):
        return super()._placeholders() + LOAN_PLACEHOLDERS + COB_PLACEHOLDERS
