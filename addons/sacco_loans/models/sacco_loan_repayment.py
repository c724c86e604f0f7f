from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.sacco_savings.models.sacco_savings_transaction import CHANNELS

from sacco_core.money import to_money

from .sacco_loan_application import OFFICER
from .sacco_loan_cob_run import COB_JOURNAL_CODE

ACCOUNTANT = "sacco_base.sacco_base_group_accountant"
REPAYMENT_CHANNELS = [("fosa", "Member's FOSA Account"), *CHANNELS]
# What a repayment line records, as the installment field it changed.
LINE_PARTS = ("principal", "interest", "fee", "penalty", "interest_receivable", "interest_waived")


class SaccoLoanRepayment(models.Model):
    """One payment on a loan and how it was applied, written with the payment: the record
    a reversal undoes exactly (its entry reversed, its parts taken off the installments)."""

    _name = "sacco.loan.repayment"
    _description = "Loan Repayment"
    _order = "id desc"
    _check_company_auto = True

    loan_id = fields.Many2one("sacco.loan", required=True, readonly=True, ondelete="restrict")
    member_id = fields.Many2one(related="loan_id.member_id", store=True, index=True)
    branch_id = fields.Many2one(related="loan_id.branch_id", store=True)
    company_id = fields.Many2one(related="loan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="loan_id.currency_id")
    kind = fields.Selection(
        [("repayment", "Repayment"), ("settlement", "Early Settlement")],
        required=True,
        default="repayment",
        readonly=True,
    )
    date = fields.Date(required=True, readonly=True)
    amount = fields.Monetary(readonly=True)
    channel = fields.Selection(REPAYMENT_CHANNELS, readonly=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, index=True)
    checkoff_batch_id = fields.Many2one(
        "sacco.checkoff.batch",
        string="Check-off Remittance",
        readonly=True,
        index="btree_not_null",
        help="The employer's remittance whose entry holds this repayment with the others.",
    )
    line_ids = fields.One2many("sacco.loan.repayment.line", "repayment_id", readonly=True)
    prepaid = fields.Monetary(
        string="Principal Prepaid", readonly=True, help="Paid ahead of the schedule."
    )
    credit_amount = fields.Monetary(
        string="Credited to FOSA", readonly=True, help="The excess credited to the member's FOSA."
    )
    rescheduled = fields.Boolean(
        readonly=True, help="The payment lowered the remaining installments."
    )
    closed_loan = fields.Boolean(readonly=True, help="The payment repaid the loan in full.")
    schedule_mark = fields.Integer(
        readonly=True,
        help="The loan's highest installment id at the payment: a reschedule since adds higher.",
    )
    hold_amounts = fields.Json(
        readonly=True, help="The guarantors' active holds before the payment, by hold id."
    )
    state = fields.Selection(
        [("posted", "Posted"), ("reversed", "Reversed")],
        default="posted",
        required=True,
        readonly=True,
    )
    reversal_move_id = fields.Many2one("account.move", readonly=True, copy=False)
    reversal_reason = fields.Char(readonly=True, copy=False)
    reversed_on = fields.Date(readonly=True, copy=False)
    reversed_by_id = fields.Many2one("res.users", readonly=True, copy=False)

    @api.depends("loan_id.name", "date", "amount")
    def _compute_display_name(self):
        for repayment in self:
            repayment.display_name = (
                f"{repayment.loan_id.name} {repayment.date} "
                f"{repayment.currency_id.format(repayment.amount)}"
            )

    @api.model
    def _record(self, loan, move, applied, amount, channel, date, holds, kind="repayment", **extra):
        """Write the repayment of ``loan`` and its lines (``(installment, parts)`` pairs, an
        installment's parts merged) in one create."""
        merged = {}
        for line, parts in applied:
            vals = merged.setdefault(line, dict.fromkeys(LINE_PARTS, 0.0))
            for key, value in parts.items():
                vals[key] += float(value)
        return self.sudo().create(
            {
                "loan_id": loan.id,
                "kind": kind,
                "date": date,
                "amount": float(amount),
                "channel": channel,
                "move_id": move.id,
                "hold_amounts": holds,
                "schedule_mark": max(loan.installment_ids.ids, default=0),
                "closed_loan": loan.state == "closed",
                "prepaid": float(extra.get("prepaid") or 0),
                "credit_amount": float(extra.get("credit") or 0),
                "rescheduled": extra.get("rescheduled", False),
                "checkoff_batch_id": extra.get("checkoff_batch_id", False),
                "line_ids": [
                    Command.create(
                        {"installment_id": line.id, "installment_number": line.number, **vals}
                    )
                    for line, vals in sorted(merged.items(), key=lambda item: item[0].number)
                ],
            }
        )

    # ---------------------------------------------------------------- reversal

    def action_reverse(self, reason):
        """Undo repayments exactly: loan officers and accountants, with a reason."""
        user = self.env.user
        if not (user.has_group(OFFICER) or user.has_group(ACCOUNTANT)):
            raise AccessError(self.env._("Only loan officers and accountants reverse repayments."))
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the repayment is reversed."))
        for repayment in self:
            repayment.sudo()._reverse(reason.strip())
        return True

    def _reverse(self, reason):
        """Post the reversing entry of the payment, take its parts off the installments,
        reopen the loan it closed, restore the guarantors' holds and recompute the loan's
        standing. Returns the reversing entry."""
        self.ensure_one()
        loan = self.loan_id
        loan._lock()
        self.invalidate_recordset()  # a reversal committed meanwhile shows under the lock
        self._check_reversible()
        label = self.env._(
            "Reversal of repayment of %(loan)s: %(reason)s", loan=loan.name, reason=reason
        )
        move = self._reverse_move(label)
        for line in self.line_ids:
            line._undo_on_installment()
        if self.closed_loan and loan.state == "closed":
            loan.write({"state": "active", "closed_on": False})
        self._restore_holds()
        self.write(
            {
                "state": "reversed",
                "reversal_move_id": move.id,
                "reversal_reason": reason,
                "reversed_on": fields.Date.context_today(self),
                "reversed_by_id": self.env.uid,
            }
        )
        loan._cob_after_repayment(self.date)
        loan.message_post(
            body=self.env._(
                "Repayment of %(amount)s on %(date)s reversed: %(reason)s",
                amount=self.currency_id.format(self.amount),
                date=self.date,
                reason=reason,
            )
        )
        return move

    def _check_reversible(self):
        """Refuse what cannot be undone exactly."""
        self.ensure_one()
        if self.state != "posted":
            raise UserError(
                self.env._("This repayment of %s is already reversed.", self.loan_id.name)
            )
        if self.loan_id.state == "written_off":
            raise UserError(
                self.env._("%s is written off; its repayments stay.", self.loan_id.name)
            )
        if self.rescheduled:
            raise UserError(
                self.env._(
                    "This repayment lowered the remaining installments of %s; a reversal cannot "
                    "restore the old schedule.",
                    self.loan_id.name,
                )
            )
        if self._later_changes():
            raise UserError(
                self.env._(
                    "%s moved after this repayment (a later payment, settlement or recovery); "
                    "reverse the latest first.",
                    self.loan_id.name,
                )
            )
        if max(self.loan_id.installment_ids.ids, default=0) > self.schedule_mark:
            raise UserError(
                self.env._("%s was rescheduled after this repayment.", self.loan_id.name)
            )
        if self.credit_amount:
            self._check_fosa_credit_left()

    def _later_changes(self):
        """Posted loan entries after this payment's, other than the close of business and
        repayments reversed since (with their reversals)."""
        undone = self.search([("loan_id", "=", self.loan_id.id), ("state", "=", "reversed")])
        return self.env["account.move.line"].search_count(
            [
                ("sacco_loan_id", "=", self.loan_id.id),
                ("id", ">", max(self.move_id.line_ids.ids)),
                ("move_id", "not in", (undone.move_id | undone.reversal_move_id).ids),
                ("parent_state", "=", "posted"),
                ("journal_id.code", "!=", COB_JOURNAL_CODE),
            ],
            limit=1,
        )

    def _check_fosa_credit_left(self):
        fosa = self.loan_id._fosa_account().sudo()
        if to_money(fosa.available_balance, strict=False) < to_money(self.credit_amount):
            raise UserError(
                self.env._(
                    "The %(credit)s this repayment credited to %(account)s has since been "
                    "withdrawn; it cannot be reversed.",
                    credit=self.currency_id.format(self.credit_amount),
                    account=fosa.name,
                )
            )

    def _reverse_move(self, label):
        """The reversing entry of the payment's entry: through the savings engine when the
        entry moved a member account (FOSA debit or credit), so its balance follows; a
        check-off repayment's own lines only (the remittance's entry holds other members')."""
        if self.checkoff_batch_id:
            return self.checkoff_batch_id._reverse_loan_repayment(self, label)
        savings = self.env["sacco.savings.transaction"].search([("move_id", "=", self.move_id.id)])
        if savings:
            savings.action_reverse(label)
            return savings.reversed_by_id.move_id[:1]
        return self.env["sacco.ledger"]._reverse_entry(
            self.move_id, fields.Date.context_today(self), label
        )

    def _restore_holds(self):
        """Put the guarantors' holds back to what they were before the payment, as far as
        their deposits still allow (a guarantor may have used what the payment freed)."""
        holds = self.env["sacco.savings.hold"].browse([int(key) for key in self.hold_amounts or {}])
        for hold in holds.exists():
            before = self.hold_amounts[str(hold.id)]
            current = hold.amount if hold.state == "active" else 0.0
            account = hold.account_id
            free = account.balance - account.held_amount + current
            amount = hold.currency_id.round(min(before, free))
            if hold.currency_id.compare_amounts(amount, current) <= 0:
                continue
            hold.write({"state": "active", "amount": amount, "released_on": False})
            if hold.currency_id.compare_amounts(amount, before) < 0:
                self.loan_id.message_post(
                    body=self.env._(
                        "%(member)s's guarantee hold restored to %(amount)s only: the rest of "
                        "the deposits was used meanwhile.",
                        member=hold.member_id.name,
                        amount=hold.currency_id.format(amount),
                    )
                )
