from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    sacco_savings_account_id = fields.Many2one(
        "sacco.savings.account",
        string="Member Account",
        index="btree_not_null",
        readonly=True,
        help="The member account this journal item moves; ties the sub-ledger to the GL.",
    )
