from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_repr

from odoo.addons.sacco_savings.tools.xlsx import download_action, xlsx_workbook

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_cost import effective_annual_rate, total_cost, total_interest
from sacco_core.loans import build_schedule

METHODS = [
    ("flat", "Flat Rate"),
    ("annuity", "Reducing Balance (Annuity)"),
    ("equal_principal", "Reducing Balance (Equal Principal)"),
    ("interest_only", "Interest Only"),
    ("daily_reducing", "Daily Reducing Balance"),
    ("rule_of_78", "Rule of 78"),
]
FREQUENCIES = [("monthly", "Monthly"), ("fortnightly", "Fortnightly"), ("weekly", "Weekly")]
ROUNDINGS = [("half_even", "Half to Even (Banker's)"), ("half_up", "Half Up")]
# Terms a loan product sets on the calculator, by calculator field: product field.
PRODUCT_TERMS = {
    "method": "method",
    "annual_rate": "interest_rate",
    "frequency": "frequency",
    "installment_multiple": "installment_multiple",
    "rounding": "rounding",
    "principal_grace": "principal_grace",
    "interest_grace": "interest_grace",
}


class SaccoLoanCalculator(models.TransientModel):
    """Schedule, total cost and APR of a loan, and the same loan under every method."""

    _name = "sacco.loan.calculator"
    _description = "Loan Calculator"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one(
        "sacco.loan.product",
        string="Loan Product",
        check_company=True,
        help="Fills the method, rate, frequency, rounding, grace and fees from the product.",
    )
    amount = fields.Monetary(string="Loan Amount", required=True)
    installments = fields.Integer(string="Term (Installments)", required=True, default=12)
    frequency = fields.Selection(FREQUENCIES, required=True, default="monthly")
    annual_rate = fields.Float(string="Annual Rate (%)", digits=(16, 4), required=True)
    monthly_rate = fields.Float(
        string="Rate per Month (%)", digits=(16, 4), compute="_compute_monthly_rate"
    )
    method = fields.Selection(METHODS, string="Repayment Method", required=True, default="annuity")
    disbursed_on = fields.Date(
        string="Disbursement Date", required=True, default=fields.Date.context_today
    )
    first_due_on = fields.Date(
        string="First Due Date", help="Empty: one period after the disbursement."
    )
    installment_multiple = fields.Monetary(
        string="Round Installments To",
        default=0.01,
        help="Level installments are rounded to a multiple of this amount.",
    )
    rounding = fields.Selection(ROUNDINGS, required=True, default="half_even")
    principal_grace = fields.Integer(help="First installments paying interest only.")
    interest_grace = fields.Integer(
        help="First installments whose interest is deferred to the later ones."
    )
    fee_amount = fields.Monetary(
        string="Upfront Fees", help="Deducted from the loan when paid out."
    )

    line_ids = fields.One2many("sacco.loan.calculator.line", "calculator_id", readonly=True)
    comparison_ids = fields.One2many(
        "sacco.loan.calculator.comparison", "calculator_id", readonly=True
    )
    calculated = fields.Boolean(readonly=True)
    installment_amount = fields.Monetary(readonly=True, help="The first installment.")
    total_interest = fields.Monetary(readonly=True)
    total_cost = fields.Monetary(string="Total Cost of Credit", readonly=True)
    total_repayable = fields.Monetary(readonly=True)
    effective_rate = fields.Float(
        string="APR (%)",
        digits=(16, 2),
        readonly=True,
        help="Effective annual rate: the yearly rate at which the installments are worth the "
        "amount received (loan less fees) on the disbursement date.",
    )

    @api.onchange("product_id")
    def _onchange_product_id(self):
        for wizard in self.filtered("product_id"):
            product = wizard.product_id
            wizard.update({field: product[term] for field, term in PRODUCT_TERMS.items()})
            wizard.installments = min(max(wizard.installments, product.min_term), product.max_term)

    @api.onchange("product_id", "amount")
    def _onchange_product_fees(self):
        for wizard in self.filtered("product_id"):
            if wizard.currency_id.compare_amounts(wizard.amount, 0) > 0:
                wizard.fee_amount = float(sum(wizard.product_id._disbursement_fees(wizard.amount)))

    @api.depends("annual_rate")
    def _compute_monthly_rate(self):
        for wizard in self:
            wizard.monthly_rate = wizard.annual_rate / 12

    def action_calculate(self):
        self._calculate()
        return self._reopen()

    def action_print_pdf(self):
        self._calculate()
        return self.env.ref("sacco_loans.sacco_loan_calculator_report_action").report_action(self)

    def action_export_xlsx(self):
        self.ensure_one()
        self._calculate()
        filename = f"Loan calculation {float_repr(self.amount, 2)} {self.method}.xlsx"
        return download_action(self, filename, self._xlsx_content())

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Loan Calculator"),
        }

    def _calculate(self):
        """Write the schedule, totals and comparison of each wizard from its inputs."""
        for wizard in self:
            schedule = wizard._schedule(wizard.method)
            values = wizard._cost_values(schedule)
            comparison = []
            for sequence, (method, _label) in enumerate(METHODS):
                other = schedule if method == wizard.method else wizard._schedule(method)
                cost = wizard._cost_values(other)
                comparison.append(
                    Command.create(
                        {
                            "sequence": sequence,
                            "method": method,
                            "first_installment": float(other[0].total),
                            "last_installment": float(other[-1].total),
                            "total_interest": cost["total_interest"],
                            "total_cost": cost["total_cost"],
                            "effective_rate": cost["effective_rate"],
                        }
                    )
                )
            wizard.write(
                {
                    **values,
                    "calculated": True,
                    "line_ids": [Command.clear()]
                    + [
                        Command.create(
                            {
                                "number": row.number,
                                "due_date": row.due_on,
                                "principal": float(row.principal),
                                "interest": float(row.interest),
                                "total": float(row.total),
                                "balance": float(row.balance),
                            }
                        )
                        for row in schedule
                    ],
                    "comparison_ids": [Command.clear(), *comparison],
                }
            )

    def _schedule(self, method):
        """The sacco_core schedule of this loan under ``method``."""
        self.ensure_one()
        try:
            return build_schedule(
                self._decimal(self.amount),
                Decimal(float_repr(self.annual_rate, 4)),
                self.installments,
                self.frequency,
                method,
                self.disbursed_on,
                first_due_on=self.first_due_on or None,
                principal_grace=self.principal_grace,
                interest_grace=self.interest_grace,
                installment_multiple=self._decimal(self.installment_multiple),
                rounding=self.rounding,
            )
        except SaccoRuleError as error:
            raise UserError(str(error)) from None

    def _cost_values(self, schedule):
        """Total interest, cost, repayable and APR of ``schedule`` with this wizard's fees."""
        fees = self._decimal(self.fee_amount)
        try:
            rate = effective_annual_rate(
                self._decimal(self.amount), schedule, self.disbursed_on, fees
            )
            cost = total_cost(schedule, fees)
        except SaccoRuleError as error:
            raise UserError(str(error)) from None
        return {
            "installment_amount": float(schedule[0].total),
            "total_interest": float(total_interest(schedule)),
            "total_cost": float(cost),
            "total_repayable": float(sum(row.total for row in schedule)),
            "effective_rate": float(rate),
        }

    def _decimal(self, amount):
        """A monetary field's value as a ``Decimal`` in the currency's cents."""
        return Decimal(float_repr(self.currency_id.round(amount), self.currency_id.decimal_places))

    def _method_label(self, method):
        return dict(self._fields["method"]._description_selection(self.env))[method]

    def _xlsx_content(self):
        """A workbook with the schedule on one sheet and the method comparison on another."""
        self.ensure_one()
        frequency = dict(self._fields["frequency"]._description_selection(self.env))
        title_rows = [
            (self.env._("Loan amount"), self.amount),
            (self.env._("Installments"), f"{self.installments} ({frequency[self.frequency]})"),
            (self.env._("Annual rate (%)"), self.annual_rate),
            (self.env._("Method"), self._method_label(self.method)),
            (self.env._("Disbursement date"), self.disbursed_on),
            (self.env._("Upfront fees"), self.fee_amount),
            (self.env._("Total interest"), self.total_interest),
            (self.env._("Total cost of credit"), self.total_cost),
            (self.env._("APR (%)"), self.effective_rate),
        ]
        header = [
            self.env._("No."),
            self.env._("Due date"),
            self.env._("Principal"),
            self.env._("Interest"),
            self.env._("Installment"),
        ]
        header.append(self.env._("Balance"))
        rows = [
            (line.number, line.due_date, line.principal, line.interest, line.total, line.balance)
            for line in self.line_ids
        ]
        schedule = (self.env._("Schedule"), title_rows, header, rows, (2, 3, 4, 5))
        header = [
            self.env._("Method"),
            self.env._("First installment"),
            self.env._("Last installment"),
        ]
        header += [self.env._("Total interest"), self.env._("Total cost"), self.env._("APR (%)")]
        rows = [
            (
                self._method_label(line.method),
                line.first_installment,
                line.last_installment,
                line.total_interest,
                line.total_cost,
                line.effective_rate,
            )
            for line in self.comparison_ids
        ]
        comparison = (self.env._("Comparison"), title_rows[:6], header, rows, (1, 2, 3, 4))
        return xlsx_workbook([schedule, comparison])
