from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.sacco_base.models.sacco_member import MANAGER_GROUP

from .sacco_savings_transaction import Movement

REFUNDABLE_KINDS = ("bosa_deposit", "fosa_savings", "fixed_deposit", "target_savings")


class SaccoMemberExit(models.Model):
    """Withdrawal from membership: notice, then refund of deposits and savings less what the
    member still owes; shares go to another member unless the company allows a cash refund."""

    _name = "sacco.member.exit"
    _description = "Membership Exit"
    _inherit = ["mail.thread"]
    _order = "notice_date desc, id desc"
    _check_company_auto = True

    member_id = fields.Many2one("sacco.member", required=True, index=True, check_company=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True)
    branch_id = fields.Many2one(related="member_id.branch_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    reason = fields.Text(required=True)
    notice_date = fields.Date(required=True, default=fields.Date.context_today)
    exit_date = fields.Date(compute="_compute_exit_date", store=True, readonly=False)
    share_transferee_id = fields.Many2one(
        "sacco.member",
        string="Shares Transferred To",
        domain="[('state', '=', 'active'), ('id', '!=', member_id)]",
        check_company=True,
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Payout Journal",
        domain="[('type', 'in', ('cash', 'bank')), ('company_id', '=', company_id)]",
    )
    refundable = fields.Monetary(compute="_compute_refund", help="Deposits and savings.")
    obligations = fields.Monetary(compute="_compute_refund", help="Loans and other amounts owed.")
    refund = fields.Monetary(compute="_compute_refund")
    state = fields.Selection(
        [("notice", "Notice Served"), ("settled", "Settled"), ("cancelled", "Cancelled")],
        default="notice",
        required=True,
        tracking=True,
    )
    move_id = fields.Many2one("account.move", readonly=True, copy=False)

    @api.depends("notice_date", "company_id.sacco_exit_notice_days")
    def _compute_exit_date(self):
        for record in self:
            record.exit_date = record.notice_date and record.notice_date + relativedelta(
                days=record.company_id.sacco_exit_notice_days
            )

    @api.depends("member_id.savings_account_ids.balance")
    def _compute_refund(self):
        for record in self:
            accounts = record._refund_accounts()
            record.refundable = sum(accounts.mapped("balance"))
            record.obligations = record.member_id._exit_obligations()
            record.refund = record.refundable - record.obligations

    def _refund_accounts(self):
        accounts = self.member_id.savings_account_ids.filtered(lambda a: a.state != "closed")
        if self.company_id.sacco_share_refund_allowed:
            return accounts
        return accounts.filtered(lambda a: a.kind in REFUNDABLE_KINDS)

    def action_cancel(self):
        self.filtered(lambda r: r.state == "notice").write({"state": "cancelled"})

    def action_settle(self):
        """After the notice period: transfer shares, refund the rest, close, mark exited."""
        self.ensure_one()
        self._check_can_settle()
        accounts = self.member_id.savings_account_ids.filtered(lambda a: a.state != "closed")
        shares = accounts.filtered(lambda a: a.kind == "share_capital") - self._refund_accounts()
        for share_account in shares.filtered("balance"):
            share_account.transfer_to(
                self._transferee_share_account(share_account),
                share_account.balance,
                narration=self.env._("Shares of exiting member %s", self.member_id.member_number),
            )
        refunds = [
            Movement(account, "refund", -account.balance)
            for account in self._refund_accounts()
            if not account.currency_id.is_zero(account.balance)
        ]
        if refunds:
            total = -sum(m.amount for m in refunds)
            transactions = self.env["sacco.savings.transaction"]._post_movements(
                refunds,
                [self._payout_line(total)],
                self.journal_id,
                fields.Date.context_today(self),
                "cash" if self.journal_id.type == "cash" else "bank",
                narration=self.env._("Exit refund"),
            )
            self.move_id = transactions.move_id
        accounts.action_close()
        self.member_id.sudo()._set_state("exited", fields.Date.context_today(self), self.reason)
        self.state = "settled"

    def _check_can_settle(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a branch manager can settle an exit."))
        if self.state != "notice":
            raise UserError(self.env._("Only a served notice can be settled."))
        if fields.Date.context_today(self) < self.exit_date:
            raise UserError(self.env._("The notice period runs until %s.", self.exit_date))
        if self.obligations > 0:
            raise UserError(
                self.env._(
                    "%s still owes the SACCO; recover it before the exit.", self.member_id.name
                )
            )
        if self.member_id.savings_account_ids.hold_ids.filtered(lambda h: h.state == "active"):
            raise UserError(
                self.env._("Release the holds (guarantees) on the member's accounts first.")
            )
        if not self.journal_id and self._refund_accounts().filtered("balance"):
            raise UserError(self.env._("Choose the payout journal."))

    def _transferee_share_account(self, share_account):
        if not self.share_transferee_id:
            raise UserError(self.env._("Choose the member who takes over the shares."))
        target = self.share_transferee_id.savings_account_ids.filtered(
            lambda a: a.product_id == share_account.product_id and a.state != "closed"
        )
        return target[:1] or self.env["sacco.savings.account"].create(
            {"member_id": self.share_transferee_id.id, "product_id": share_account.product_id.id}
        )

    def _payout_line(self, total):
        return {
            "account": self.journal_id._sacco_money_account("outbound"),
            "partner": self.member_id.partner_id,
            "name": self.env._("Exit refund %s", self.member_id.member_number),
            "credit": total,
        }
