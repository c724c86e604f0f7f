from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_fees import spread_evenly
from sacco_core.loans import build_schedule
from sacco_core.money import to_money

SNAPSHOT_FIELDS = (
    "number",
    "due_date",
    "principal",
    "interest",
    "fee",
    "penalty",
    "principal_paid",
    "interest_paid",
    "fee_paid",
    "penalty_paid",
    "interest_receivable",
)


def _money(value):
    return to_money(value, strict=False)


def _methods(env):
    return env["sacco.loan.product"]._fields["method"].selection


class SaccoLoanReschedule(models.Model):
    """One reschedule of a loan: the old and new terms and the installments it replaced."""

    _name = "sacco.loan.reschedule"
    _description = "Loan Reschedule"
    _order = "loan_id, id"
    _check_company_auto = True

    loan_id = fields.Many2one("sacco.loan", required=True, readonly=True, index=True)
    member_id = fields.Many2one(related="loan_id.member_id", store=True)
    company_id = fields.Many2one(related="loan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="loan_id.currency_id")
    date = fields.Date(required=True, readonly=True)
    reason = fields.Text(readonly=True)
    principal = fields.Monetary(
        string="Principal Rescheduled", readonly=True, help="The principal outstanding."
    )
    old_term = fields.Integer(string="Old Installments Left", readonly=True)
    new_term = fields.Integer(string="New Installments", readonly=True)
    old_rate = fields.Float(string="Old Rate (% a year)", digits=(16, 4), readonly=True)
    new_rate = fields.Float(string="New Rate (% a year)", digits=(16, 4), readonly=True)
    old_method = fields.Selection(selection=_methods, readonly=True)
    new_method = fields.Selection(selection=_methods, readonly=True)
    carried_interest = fields.Monetary(
        readonly=True, help="Interest due or accrued, moved to the first new installment."
    )
    carried_penalty = fields.Monetary(
        readonly=True, help="Unpaid penalties, moved to the first new installment."
    )
    carried_fee = fields.Monetary(
        readonly=True, help="Unpaid spread fees, spread again over the new installments."
    )
    approved_by_id = fields.Many2one("res.users", readonly=True)
    line_ids = fields.One2many(
        "sacco.loan.reschedule.line", "reschedule_id", string="Replaced Installments", readonly=True
    )

    @api.depends("loan_id", "date")
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.loan_id.name} / {record.date}"

    @api.model
    def _reschedule(self, loan, term, rate, method, date, reason):
        """Close the unpaid installments at what they have received, build the new
        schedule on the principal outstanding and record the change."""
        principal = _money(loan.principal_outstanding)
        if principal <= 0:
            raise UserError(self.env._("%s has no principal left to reschedule.", loan.name))
        if term < 1:
            raise UserError(self.env._("The new schedule needs at least one installment."))
        if rate < 0:
            raise UserError(self.env._("The interest rate cannot be negative."))
        rows = self._new_rows(loan, principal, term, rate, method, date)
        unpaid = loan.installment_ids.filtered(lambda line: not line.paid).sorted("number")
        carried = self._carried(unpaid, date)
        record = self.create(
            {
                "loan_id": loan.id,
                "date": date,
                "reason": reason,
                "principal": float(principal),
                "old_term": len(unpaid),
                "new_term": term,
                "old_rate": loan.interest_rate,
                "new_rate": rate,
                "old_method": loan.product_id.method,
                "new_method": method,
                "carried_interest": float(carried["interest"]),
                "carried_penalty": float(carried["penalty"]),
                "carried_fee": float(carried["fee"]),
                "approved_by_id": self.env.user.id,
                "line_ids": [
                    Command.create({name: line[name] for name in SNAPSHOT_FIELDS})
                    for line in unpaid
                ],
            }
        )
        record._replace_schedule(unpaid, rows, carried)
        loan.message_post(
            body=self.env._(
                "Rescheduled: %(principal)s over %(term)s installments at %(rate)s%% a year.",
                principal=loan.currency_id.format(float(principal)),
                term=term,
                rate=rate,
            )
        )
        return record

    @api.model
    def _new_rows(self, loan, principal, term, rate, method, date):
        product = loan.product_id
        try:
            return build_schedule(
                principal,
                Decimal(str(rate)),
                term,
                product.frequency,
                method,
                date,
                installment_multiple=_money(product.installment_multiple),
                rounding=product.rounding,
            )
        except SaccoRuleError as error:
            raise UserError(str(error)) from error

    @api.model
    def _carried(self, unpaid, date):
        """What the replaced installments still owe besides principal: interest due (and
        on later installments only what was accrued), penalties and spread fees."""
        carried = dict.fromkeys(("interest", "receivable", "penalty", "fee"), Decimal(0))
        for line in unpaid:
            due, receivable = line._due(), _money(line.interest_receivable)
            interest = due.interest if line.due_date <= date else min(receivable, due.interest)
            carried["interest"] += interest
            carried["receivable"] += min(receivable, interest)
            carried["penalty"] += due.penalty
            carried["fee"] += due.fee
        return carried

    def _replace_schedule(self, unpaid, rows, carried):
        """Unpaid installments that received nothing go (their snapshot is in
        ``line_ids``); the others are closed at what they received. The loan's principal
        outstanding and portfolio balance do not change."""
        self.ensure_one()
        loan = self.loan_id
        untouched = unpaid.filtered(
            lambda line: (
                not (
                    line.principal_paid or line.interest_paid or line.fee_paid or line.penalty_paid
                )
            )
        )
        for line in unpaid - untouched:
            line.sudo().write(
                {
                    "principal": line.principal_paid,
                    "interest": line.interest_paid + line.interest_waived,
                    "fee": line.fee_paid,
                    "penalty": line.penalty_paid,
                    "interest_receivable": 0.0,
                }
            )
        untouched.sudo().unlink()
        start = max(loan.installment_ids.mapped("number"), default=0)
        fees = spread_evenly(carried["fee"], len(rows))
        first = rows[0].number
        loan.sudo().write(
            {
                "term": start + len(rows),
                "interest_rate": self.new_rate,
                "rescheduled": True,
                "installment_ids": [
                    Command.create(
                        {
                            "number": start + row.number,
                            "due_date": row.due_on,
                            "principal": float(row.principal),
                            "interest": float(
                                row.interest + (carried["interest"] if row.number == first else 0)
                            ),
                            "fee": float(fee),
                            "penalty": float(carried["penalty"]) if row.number == first else 0.0,
                            "interest_receivable": float(carried["receivable"])
                            if row.number == first
                            else 0.0,
                        }
                    )
                    for row, fee in zip(rows, fees, strict=True)
                ],
            }
        )
