from odoo import fields, models

from sacco_core.sasra import GL_LINES


class AccountAccount(models.Model):
    _inherit = "account.account"

    sacco_sasra_line = fields.Selection(
        [(code, label) for code, label, _nature in GL_LINES],
        string="SASRA Return Line",
        tracking=True,
        help="The line of the SASRA Statement of Financial Position (Form 6) or of "
        "Comprehensive Income (Form 7) this account feeds; every other form follows from them.",
    )
