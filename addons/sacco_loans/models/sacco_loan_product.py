from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_rules import DEFAULT_ORDER, settlement_amount
from sacco_core.loans import build_schedule
from sacco_core.money import to_money
from sacco_core.savings import excise_duty

ALLOCATION_ORDERS = {
    "penalty_fee_interest_principal": DEFAULT_ORDER,
    "interest_principal_penalty_fee": ("interest", "principal", "penalty", "fee"),
    "principal_interest_penalty_fee": ("principal", "interest", "penalty", "fee"),
}
PERIODS_PER_YEAR = {"monthly": 12, "fortnightly": 26, "weekly": 52}


class SaccoLoanProduct(models.Model):
    _name = "sacco.loan.product"
    _description = "Loan Product"
    _order = "code"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_amount = fields.Monetary(string="Minimum Amount", default=1000.0)
    max_amount = fields.Monetary(string="Maximum Amount", default=1000000.0)
    min_term = fields.Integer(string="Minimum Installments", default=1)
    max_term = fields.Integer(string="Maximum Installments", default=36)
    interest_rate = fields.Float(string="Interest Rate (% a year)", digits=(16, 4), default=12.0)
    monthly_rate = fields.Float(
        string="Interest Rate (% a month)", digits=(16, 4), compute="_compute_monthly_rate"
    )
    method = fields.Selection(
        [
            ("flat", "Flat Rate"),
            ("annuity", "Reducing Balance (Annuity)"),
            ("equal_principal", "Reducing Balance (Equal Principal)"),
            ("interest_only", "Interest Only"),
            ("daily_reducing", "Daily Reducing Balance"),
            ("rule_of_78", "Rule of 78"),
        ],
        required=True,
        default="annuity",
    )
    frequency = fields.Selection(
        [("monthly", "Monthly"), ("fortnightly", "Fortnightly"), ("weekly", "Weekly")],
        required=True,
        default="monthly",
    )
    installment_multiple = fields.Monetary(
        default=0.01, help="Level installments are rounded to a multiple of this amount."
    )
    rounding = fields.Selection(
        [("half_even", "Half to Even (Banker's)"), ("half_up", "Half Up")],
        required=True,
        default="half_up",
    )
    principal_grace = fields.Integer(help="First installments paying interest only.")
    interest_grace = fields.Integer(help="First installments whose interest is deferred.")
    deposit_multiplier = fields.Float(
        default=3.0, help="Members borrow up to this multiple of their free BOSA deposits."
    )
    min_membership_months = fields.Integer(string="Minimum Membership (months)")
    max_concurrent_loans = fields.Integer(
        default=1, help="Active loans of this product a member may hold (0: no limit)."
    )
    self_guarantee_allowed = fields.Boolean(
        help="The borrower's own free deposits count towards the guarantee cover."
    )
    min_guarantors = fields.Integer(string="Minimum Guarantors", default=0)
    payslip_required = fields.Boolean(
        string="Debt Service on Payslip",
        default=True,
        help="Appraisal checks that the installments leave a third of the basic pay. Mobile "
        "channel applications use the payslip the member last gave; products secured by "
        "deposits alone may leave this off.",
    )
    # Mobile channels (USSD and the members' app).
    channel_ok = fields.Boolean(
        string="Offered on Mobile Channels",
        help="Members may apply on USSD and in the app, within their eligibility.",
    )
    instant_approval = fields.Boolean(
        help="Channel applications up to the limit that pass appraisal and need no guarantors "
        "are approved by the system and disbursed at once."
    )
    instant_approval_limit = fields.Monetary()
    guarantee_coverage = fields.Float(
        string="Guarantee Coverage (%)", default=100.0, help="Of the loan amount."
    )
    allocation_order = fields.Selection(
        [
            ("penalty_fee_interest_principal", "Penalties, Fees, Interest, Principal"),
            ("interest_principal_penalty_fee", "Interest, Principal, Penalties, Fees"),
            ("principal_interest_penalty_fee", "Principal, Interest, Penalties, Fees"),
        ],
        required=True,
        default="penalty_fee_interest_principal",
        help="How a repayment is split within an installment; oldest installment first.",
    )
    processing_fee_type = fields.Selection(
        [("percent", "Percentage of the Loan"), ("fixed", "Fixed Amount")],
        required=True,
        default="percent",
    )
    processing_fee = fields.Float(help="Percent of the loan or a fixed amount, by the type.")
    insurance_rate = fields.Float(string="Insurance (%)", help="Of the loan.")
    fee_collection = fields.Selection(
        [("disbursement", "Deducted at Disbursement"), ("spread", "Spread over the Installments")],
        required=True,
        default="disbursement",
        help="Processing fee, insurance and their excise duty are deducted from the amount "
        "disbursed, or added in equal parts to the installments and recognised as paid.",
    )
    overpayment_action = fields.Selection(
        [
            ("refuse", "Refuse (settle early instead)"),
            ("reduce_term", "Prepay Principal, Shorter Term"),
            ("reduce_installment", "Prepay Principal, Lower Installments"),
            ("credit_fosa", "Credit the Member's FOSA Account"),
        ],
        required=True,
        default="refuse",
        help="What a repayment beyond the installments due does.",
    )
    topup_after_percent = fields.Float(
        string="Top-up After (% repaid)",
        default=50.0,
        help="A loan of this product may be topped up once this share of its principal is repaid.",
    )
    early_settlement_rule = fields.Selection(
        [
            ("interest_to_date", "Interest to Date"),
            ("scheduled_interest", "Remaining Scheduled Interest"),
            ("penalty", "Interest to Date plus a Penalty"),
        ],
        required=True,
        default="interest_to_date",
        help="What a member pays besides the principal outstanding to settle a loan early.",
    )
    early_settlement_penalty = fields.Float(
        string="Early Settlement Penalty (%)",
        digits=(16, 4),
        help="Of the principal outstanding, charged as a fee (plus excise duty) on an early "
        "settlement under the penalty rule.",
    )
    # Close of business: accrual accounting and penalties on overdue installments.
    accounting_basis = fields.Selection(
        [("accrual", "Accrual"), ("cash", "Cash")],
        required=True,
        default="accrual",
        help="Accrual: each installment's interest is accrued to interest receivable on its due "
        "date. Cash: interest is income when paid.",
    )
    penalty_rate = fields.Float(
        string="Penalty Rate (% a month)",
        digits=(16, 4),
        default=0.0,
        help="Of an overdue installment's unpaid amount, for each full month overdue.",
    )
    penalty_grace_days = fields.Integer(
        default=0, help="Days after the due date before months count."
    )
    penalty_cap_percent = fields.Float(
        string="Penalty Cap (%)",
        default=0.0,
        help="Total penalties of an installment stay within this share of it (0: no cap).",
    )
    account_portfolio_id = fields.Many2one(
        "account.account", string="Loan Portfolio Account", check_company=True
    )
    account_interest_income_id = fields.Many2one(
        "account.account", string="Interest Income Account", check_company=True
    )
    account_fee_income_id = fields.Many2one(
        "account.account", string="Fee Income Account", check_company=True
    )
    account_interest_receivable_id = fields.Many2one(
        "account.account", string="Interest Receivable Account", check_company=True
    )
    account_penalty_income_id = fields.Many2one(
        "account.account", string="Penalty Income Account", check_company=True
    )
    account_excise_payable_id = fields.Many2one(
        "account.account", string="Excise Duty Payable Account", check_company=True
    )
    account_insurance_payable_id = fields.Many2one(
        "account.account", string="Insurance Payable Account", check_company=True
    )

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The product code must be unique."),
    ]

    @api.depends("interest_rate")
    def _compute_monthly_rate(self):
        for product in self:
            product.monthly_rate = product.interest_rate / 12

    @api.constrains("min_amount", "max_amount", "min_term", "max_term")
    def _check_limits(self):
        for product in self:
            cur = product.currency_id
            if (
                cur.compare_amounts(product.min_amount, 0) <= 0
                or cur.compare_amounts(product.min_amount, product.max_amount) > 0
            ):
                raise ValidationError(
                    self.env._("Loan amounts: 0 < minimum <= maximum (%s).", product.code)
                )
            if not 1 <= product.min_term <= product.max_term:
                raise ValidationError(
                    self.env._("Installments: 1 <= minimum <= maximum (%s).", product.code)
                )

    @api.constrains(
        "interest_rate",
        "deposit_multiplier",
        "guarantee_coverage",
        "processing_fee",
        "insurance_rate",
        "min_guarantors",
        "max_concurrent_loans",
    )
    def _check_rates(self):
        for product in self:
            values = (
                product.interest_rate,
                product.guarantee_coverage,
                product.processing_fee,
                product.insurance_rate,
                product.min_guarantors,
                product.max_concurrent_loans,
            )
            if any(value < 0 for value in values) or product.deposit_multiplier <= 0:
                raise ValidationError(
                    self.env._("Rates, fees and counts of %s cannot be negative.", product.code)
                )

    @api.constrains("instant_approval", "instant_approval_limit", "max_amount")
    def _check_instant_approval(self):
        for product in self.filtered("instant_approval"):
            cur = product.currency_id
            if (
                not product.channel_ok
                or cur.compare_amounts(product.instant_approval_limit, 0) <= 0
                or cur.compare_amounts(product.instant_approval_limit, product.max_amount) > 0
            ):
                raise ValidationError(
                    self.env._(
                        "Instant approval of %s needs the product on mobile channels and a "
                        "limit above zero, at most the maximum amount.",
                        product.code,
                    )
                )

    @api.constrains("topup_after_percent")
    def _check_topup_after_percent(self):
        for product in self:
            if not 0 <= product.topup_after_percent <= 100:
                raise ValidationError(
                    self.env._("The top-up threshold of %s is a percentage.", product.code)
                )

    @api.constrains("early_settlement_rule", "early_settlement_penalty")
    def _check_early_settlement_penalty(self):
        for product in self:
            penalty = Decimal(str(product.early_settlement_penalty))
            if (
                penalty < 0
                or penalty > 100
                or (product.early_settlement_rule == "penalty" and not penalty)
            ):
                raise ValidationError(
                    self.env._(
                        "The early-settlement penalty of %s is a percentage above zero.",
                        product.code,
                    )
                )

    @api.constrains("penalty_rate", "penalty_grace_days", "penalty_cap_percent")
    def _check_penalty(self):
        for product in self:
            if (
                product.penalty_rate < 0
                or product.penalty_grace_days < 0
                or not 0 <= product.penalty_cap_percent <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "Penalty rate and grace days of %s cannot be negative; the cap is a "
                        "percentage.",
                        product.code,
                    )
                )

    def _account(self, field_name, company_field):
        self.ensure_one()
        return self[field_name] or self.company_id._sacco_account(company_field)

    def _portfolio_account(self):
        return self._account("account_portfolio_id", "sacco_account_loan_portfolio_id")

    def _interest_income_account(self):
        return self._account("account_interest_income_id", "sacco_account_interest_income_id")

    def _fee_income_account(self):
        return self._account("account_fee_income_id", "sacco_account_fee_income_id")

    def _interest_receivable_account(self):
        return self._account(
            "account_interest_receivable_id", "sacco_account_interest_receivable_id"
        )

    def _penalty_income_account(self):
        return self._account("account_penalty_income_id", "sacco_account_penalty_income_id")

    def _penalty_receivable_account(self):
        return self.company_id._sacco_account("sacco_account_penalty_receivable_id")

    def _excise_payable_account(self):
        return self._account("account_excise_payable_id", "sacco_account_excise_payable_id")

    def _insurance_payable_account(self):
        return self._account("account_insurance_payable_id", "sacco_account_insurance_payable_id")

    def _allocation_components(self):
        self.ensure_one()
        return ALLOCATION_ORDERS[self.allocation_order]

    def _schedule(self, amount, term, disbursed_on, grace=True):
        """The repayment schedule of a loan of this product (sacco_core.loans); without
        ``grace`` for a rebuilt remainder of a schedule."""
        self.ensure_one()
        try:
            return build_schedule(
                to_money(amount, strict=False),
                Decimal(str(self.interest_rate)),
                term,
                self.frequency,
                self.method,
                disbursed_on,
                principal_grace=self.principal_grace if grace else 0,
                interest_grace=self.interest_grace if grace else 0,
                installment_multiple=to_money(self.installment_multiple, strict=False),
                rounding=self.rounding,
            )
        except SaccoRuleError as error:
            raise UserError(str(error)) from error

    def _disbursement_fees(self, amount):
        """Processing fee, insurance and the excise duty on them, as Decimals."""
        self.ensure_one()
        principal = to_money(amount, strict=False)
        if self.processing_fee_type == "fixed":
            processing = to_money(self.processing_fee, strict=False)
        else:
            processing = to_money(principal * Decimal(str(self.processing_fee)) / 100, strict=False)
        insurance = to_money(principal * Decimal(str(self.insurance_rate)) / 100, strict=False)
        rate = to_money(self.company_id.sacco_excise_rate, strict=False)
        return processing, insurance, excise_duty(processing + insurance, rate)

    def _settlement_amount(self, owed, earned):
        """The early-settlement payoff under this product's rule (sacco_core.loan_rules)."""
        self.ensure_one()
        try:
            return settlement_amount(
                self.early_settlement_rule,
                owed,
                earned,
                Decimal(str(self.early_settlement_penalty)),
                to_money(self.company_id.sacco_excise_rate, strict=False),
            )
        except SaccoRuleError as error:
            raise UserError(str(error)) from error
