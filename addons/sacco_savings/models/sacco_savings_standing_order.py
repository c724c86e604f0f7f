from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


def _due_date(year, month, day):
    """``day`` of the month, clamped to the month's last day (31 → 30 April)."""
    return fields.Date.to_date(f"{year}-{month:02d}-01") + relativedelta(day=day)


class SaccoSavingsStandingOrder(models.Model):
    """A member's monthly instruction to move money from FOSA to deposits, shares (or loans)."""

    _name = "sacco.savings.standing.order"
    _description = "Standing Order"
    _inherit = ["mail.thread"]
    _order = "next_attempt_date, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    member_id = fields.Many2one("sacco.member", required=True, index=True, check_company=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True)
    branch_id = fields.Many2one(related="member_id.branch_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    source_account_id = fields.Many2one(
        "sacco.savings.account",
        required=True,
        domain="[('member_id', '=', member_id), ('kind', '=', 'fosa_savings')]",
    )
    destination_account_id = fields.Many2one(
        "sacco.savings.account",
        required=True,
        domain="[('member_id', '=', member_id), ('id', '!=', source_account_id)]",
    )
    amount = fields.Monetary(required=True)
    day_of_month = fields.Integer(required=True, default=1)
    start_date = fields.Date(required=True, default=fields.Date.context_today)
    end_date = fields.Date()
    due_date = fields.Date(readonly=True, copy=False, help="The current period's due date.")
    next_attempt_date = fields.Date(readonly=True, copy=False, index=True)
    attempts = fields.Integer(readonly=True, copy=False, help="Failed tries in the current period.")
    state = fields.Selection(
        [("active", "Active"), ("paused", "Paused"), ("ended", "Ended")],
        default="active",
        required=True,
        tracking=True,
    )

    @api.depends("member_id", "destination_account_id", "amount")
    def _compute_name(self):
        for order in self:
            order.name = (
                f"{order.member_id.member_number or ''} → {order.destination_account_id.name or ''}"
            )

    @api.constrains("day_of_month", "amount", "source_account_id", "destination_account_id")
    def _check_order(self):
        for order in self:
            if not 1 <= order.day_of_month <= 31:
                raise ValidationError(self.env._("The day of the month must be between 1 and 31."))
            if order.currency_id.compare_amounts(order.amount, 0) <= 0:
                raise ValidationError(self.env._("The amount must be greater than zero."))
            if order.destination_account_id.member_id != order.member_id:
                raise ValidationError(
                    self.env._("Standing orders move money between own accounts.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        for order in orders:
            due = _due_date(order.start_date.year, order.start_date.month, order.day_of_month)
            if due < order.start_date:
                due = _due_date(*order._month_after(due), order.day_of_month)
            order.write({"due_date": due, "next_attempt_date": due})
        return orders

    @staticmethod
    def _month_after(day):
        following = day + relativedelta(months=1)
        return following.year, following.month

    def _period_key(self):
        return f"SO{self.id}/{self.due_date:%Y-%m}"

    def action_pause(self):
        self.write({"state": "paused"})

    def action_resume(self):
        self.write({"state": "active"})

    @api.model
    def _cron_run(self, batch_size=500):
        """Run due orders; each period posts once (its external reference is unique)."""
        today = fields.Date.context_today(self)
        orders = self.search(
            [("state", "=", "active"), ("next_attempt_date", "<=", today)], limit=batch_size
        )
        for order in orders:
            order._run_once(today)
        return orders

    def _run_once(self, today):
        self.ensure_one()
        if self.end_date and self.due_date > self.end_date:
            self.state = "ended"
            return
        retries = self.company_id.sacco_standing_order_retries
        try:
            with self.env.cr.savepoint():
                self.source_account_id.transfer_to(
                    self.destination_account_id,
                    self.amount,
                    channel="standing_order",
                    external_ref=self._period_key(),
                    narration=self.env._("Standing order %s", self.name),
                )
        except UserError as error:
            if self.attempts < retries:
                self.write(
                    {
                        "attempts": self.attempts + 1,
                        "next_attempt_date": today + relativedelta(days=1),
                    }
                )
                return
            self.message_post(body=self.env._("Skipped this month: %s", error))
            self.env["sacco.sms.message"]._queue_from_template(
                "sacco_savings.sacco_sms_template_standing_order_failed", self.member_id
            )
        self._advance()

    def _advance(self):
        due = _due_date(*self._month_after(self.due_date), self.day_of_month)
        self.write({"attempts": 0, "due_date": due, "next_attempt_date": due})
