from odoo import fields, models
from odoo.exceptions import UserError

from .sacco_savings_transaction import Movement


class SaccoCheckoffSuspense(models.Model):
    """Check-off money posted to suspense (unknown members), queued for staff to allocate."""

    _name = "sacco.checkoff.suspense"
    _description = "Check-off Suspense Item"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    batch_id = fields.Many2one(
        "sacco.checkoff.batch", required=True, readonly=True, index=True, ondelete="restrict"
    )
    line_id = fields.Many2one("sacco.checkoff.line", string="File Row", readonly=True)
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="batch_id.currency_id")
    employer_id = fields.Many2one(related="batch_id.employer_id", store=True)
    period = fields.Date(related="batch_id.period", store=True)
    payroll_number = fields.Char(readonly=True)
    member_number = fields.Char(readonly=True)
    member_id = fields.Many2one(
        "sacco.member", string="Matched Member", readonly=True, check_company=True
    )
    amount = fields.Monetary(readonly=True)
    note = fields.Char(readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("allocated", "Allocated")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    allocated_account_id = fields.Many2one(
        "sacco.savings.account",
        string="Allocate To",
        check_company=True,
        domain="[('state', '!=', 'closed')]",
        tracking=True,
    )
    move_id = fields.Many2one("account.move", string="Allocation Entry", readonly=True)
    allocated_by_id = fields.Many2one("res.users", readonly=True)
    allocated_on = fields.Date(readonly=True)

    def action_allocate(self, account=None):
        """Move the money from suspense to ``account`` (default: the chosen one):
        Dr check-off suspense, Cr the member account, in the company's general journal."""
        # Refuse before posting anything: the move is made with the posting service's rights.
        self.check_access("write")
        for item in self:
            item._allocate_to(account or item.allocated_account_id)
        return True

    def _allocate_to(self, account):
        self.ensure_one()
        self._lock()
        if self.state != "open":
            raise UserError(self.env._("%s is already allocated.", self.name))
        if not account:
            raise UserError(self.env._("Choose the member account to allocate %s to.", self.name))
        if account.company_id != self.company_id:
            raise UserError(self.env._("The account must belong to %s.", self.company_id.name))
        journal = account._system_journal()
        if not journal:
            raise UserError(self.env._("No general journal is configured."))
        if account.kind == "share_capital":
            account._check_share_limits(self.amount)
        label = self.env._("Check-off suspense %s allocated", self.name)
        transaction = self.env["sacco.savings.transaction"]._post_movements(
            [Movement(account, "deposit", self.amount)],
            [
                {
                    "account": self.company_id._sacco_account("sacco_account_suspense_id"),
                    "partner": self.employer_id,
                    "name": label,
                    "debit": self.amount,
                }
            ],
            journal,
            fields.Date.context_today(self),
            "checkoff",
            narration=label,
        )
        self.write(
            {
                "state": "allocated",
                "allocated_account_id": account.id,
                "move_id": transaction.move_id.id,
                "allocated_by_id": self.env.user.id,
                "allocated_on": fields.Date.context_today(self),
            }
        )

    def _lock(self):
        """Row-lock the item so two users cannot allocate it twice, and reread its state."""
        self.flush_recordset()
        self.env.cr.execute(
            "SELECT id FROM sacco_checkoff_suspense WHERE id IN %s FOR UPDATE", [tuple(self.ids)]
        )
        self.invalidate_recordset(["state"])
