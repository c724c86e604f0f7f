from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    sacco_cash_journal_id = fields.Many2one(
        "account.journal",
        string="Teller Cash Journal",
        domain="[('type', '=', 'cash')]",
        help="This teller's till; cash postings by the teller go to it.",
    )
