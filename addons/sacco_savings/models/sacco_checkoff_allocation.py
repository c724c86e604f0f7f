from odoo import fields, models


class SaccoCheckoffAllocation(models.Model):
    """Money of one member's remittance assigned to one target (a savings account; the loans
    module adds loans). ``key`` is the target's check-off key, e.g. "account:42"."""

    _name = "sacco.checkoff.allocation"
    _description = "Check-off Allocation"
    _order = "batch_id, member_id, id"
    _check_company_auto = True

    batch_id = fields.Many2one(
        "sacco.checkoff.batch", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="batch_id.currency_id")
    member_id = fields.Many2one(
        "sacco.member", required=True, readonly=True, index=True, check_company=True
    )
    key = fields.Char(string="Target", required=True, readonly=True)
    account_id = fields.Many2one(
        "sacco.savings.account", string="Member Account", readonly=True, check_company=True
    )
    amount = fields.Monetary(readonly=True)
    is_excess = fields.Boolean(
        string="Excess", readonly=True, help="Money beyond what was expected from the member."
    )
