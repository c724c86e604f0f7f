from odoo import fields, models

from .sacco_mpesa_statement import LINE_STATES


class SaccoMpesaStatementLine(models.Model):
    _name = "sacco.mpesa.statement.line"
    _description = "M-Pesa Statement Line"
    _order = "statement_id, completed_at, id"

    statement_id = fields.Many2one(
        "sacco.mpesa.statement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="statement_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    receipt = fields.Char(required=True, index=True)
    completed_at = fields.Datetime()
    details = fields.Char()
    account_ref = fields.Char(string="A/C No.")
    paid_in = fields.Monetary()
    withdrawn = fields.Monetary()
    is_charge = fields.Boolean(
        string="Charge", help="M-Pesa's charge for the transaction of the same receipt."
    )
    state = fields.Selection(LINE_STATES, required=True)
    transaction_id = fields.Many2one("sacco.mpesa.transaction")
