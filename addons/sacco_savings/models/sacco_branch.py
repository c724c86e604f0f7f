from odoo import fields, models


class SaccoBranch(models.Model):
    _inherit = "sacco.branch"

    cash_journal_id = fields.Many2one(
        "account.journal",
        string="Branch Cash Journal",
        domain="[('type', '=', 'cash'), ('company_id', '=', company_id)]",
        check_company=True,
        help="The till the branch's tellers post cash to, unless a teller has a till of their own.",
    )
