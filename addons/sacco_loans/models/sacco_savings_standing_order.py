from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from sacco_core.money import to_money

from .sacco_checkoff_batch import loan_amount_due


class SaccoSavingsStandingOrder(models.Model):
    """A standing order may repay a loan from the member's FOSA account instead of moving
    money to a savings account."""

    _inherit = "sacco.savings.standing.order"

    destination_account_id = fields.Many2one(required=False)
    loan_id = fields.Many2one(
        "sacco.loan",
        index=True,
        check_company=True,
        domain="[('member_id', '=', member_id), ('state', '=', 'active')]",
        help="Repay this loan from the FOSA account instead of a transfer to savings.",
    )
    loan_paid_period = fields.Char(
        readonly=True, copy=False, help="Reference of the last period the loan was repaid."
    )

    @api.depends("loan_id")
    def _compute_name(self):
        result = super()._compute_name()
        for order in self.filtered("loan_id"):
            order.name = f"{order.member_id.member_number or ''} → {order.loan_id.name}"
        return result

    @api.constrains(
        "day_of_month", "amount", "source_account_id", "destination_account_id", "loan_id"
    )
    def _check_order(self):
        loan_orders = self.filtered("loan_id")
        if any(not order.destination_account_id for order in self - loan_orders):
            raise ValidationError(self.env._("Choose the account or the loan to pay."))
        result = super(SaccoSavingsStandingOrder, self - loan_orders)._check_order()
        for order in loan_orders:
            order._check_loan_order()
        return result

    def _check_loan_order(self):
        if self.destination_account_id:
            raise ValidationError(
                self.env._("A standing order pays a loan or a savings account, not both.")
            )
        if self.loan_id.member_id != self.member_id:
            raise ValidationError(self.env._("Standing orders repay the member's own loans."))
        if not 1 <= self.day_of_month <= 31:
            raise ValidationError(self.env._("The day of the month must be between 1 and 31."))
        if self.currency_id.compare_amounts(self.amount, 0) <= 0:
            raise ValidationError(self.env._("The amount must be greater than zero."))

    def _run_once(self, today):
        """A loan order repays the loan from the member's FOSA account (``repay`` with
        channel "fosa") once per period. Retries and skipping are the savings orders' own."""
        if not self.loan_id:
            return super()._run_once(today)
        self.ensure_one()
        self._lock_for_run()
        if self.next_attempt_date > today:
            return None  # run meanwhile by another worker
        if self.loan_paid_period == self._period_key():
            self._advance()
            return None
        if self.loan_id.state != "active" or (self.end_date and self.due_date > self.end_date):
            self.state = "ended"
            return None
        try:
            with self.env.cr.savepoint():
                self._repay_loan(today)
        except UserError as error:
            if self.attempts < self.company_id.sacco_standing_order_retries:
                self.write(
                    {
                        "attempts": self.attempts + 1,
                        "next_attempt_date": today + relativedelta(days=1),
                    }
                )
                return None
            self.message_post(body=self.env._("Skipped this month: %s", error))
            self.env["sacco.sms.message"]._queue_from_template(
                "sacco_savings.sacco_sms_template_standing_order_failed", self.member_id
            )
        self._advance()
        return None

    def _repay_loan(self, today):
        """Repay the order's amount, at most what the loan's schedule still asks for."""
        loan = self.loan_id.sudo()
        owed = loan_amount_due(loan, max(loan.installment_ids.mapped("due_date")))
        loan.repay(min(owed, to_money(self.amount, strict=False)), channel="fosa", date=today)
        self.loan_paid_period = self._period_key()

    def _lock_for_run(self):
        """Row-lock the order and reread it: a period is paid once even when two workers
        run the order together (``loan_paid_period`` records the last one paid)."""
        self.flush_recordset()
        self.env.cr.execute(
            "SELECT id FROM sacco_savings_standing_order WHERE id = %s FOR UPDATE", [self.id]
        )
        self.invalidate_recordset()
