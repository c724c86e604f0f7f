from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    sacco_loan_id = fields.Many2one(
        "sacco.loan",
        string="Loan",
        index="btree_not_null",
        readonly=True,
        help="The loan this journal item moves; ties the loan sub-ledger to the GL.",
    )
