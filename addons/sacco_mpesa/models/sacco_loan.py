from odoo import fields, models

from .sacco_loan_application import MPESA_CHANNEL


class SaccoLoan(models.Model):
    _inherit = "sacco.loan"

    disbursement_channel = fields.Selection(
        selection_add=MPESA_CHANNEL, ondelete={"mpesa": "set null"}
    )
