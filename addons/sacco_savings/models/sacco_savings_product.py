from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Product kind -> the company setting holding its default control account.
KIND_ACCOUNT_SETTINGS = {
    "share_capital": "sacco_account_share_capital_id",
    "bosa_deposit": "sacco_account_deposits_id",
    "fosa_savings": "sacco_account_savings_id",
    "fixed_deposit": "sacco_account_savings_id",
    "target_savings": "sacco_account_savings_id",
}
# Kinds a member may withdraw from in cash while a member.
WITHDRAWABLE_KINDS = ("fosa_savings", "fixed_deposit", "target_savings")


class SaccoSavingsProduct(models.Model):
    _name = "sacco.savings.product"
    _description = "Savings / Share Product"
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [
            ("share_capital", "Share Capital"),
            ("bosa_deposit", "BOSA Deposits"),
            ("fosa_savings", "FOSA Savings"),
            ("fixed_deposit", "Fixed Deposit"),
            ("target_savings", "Target / Junior Savings"),
        ],
        required=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(default=True)
    mandatory = fields.Boolean(
        help="An account is opened automatically for every member on activation."
    )
    account_prefix = fields.Char(
        required=True, help="Account numbers are this prefix followed by a sequence."
    )
    sequence_id = fields.Many2one(
        "ir.sequence", string="Account Number Sequence", readonly=True, copy=False
    )
    gl_account_id = fields.Many2one(
        "account.account",
        string="Control Account",
        check_company=True,
        help="The GL account holding members' balances of this product. "
        "Defaults to the company's SACCO account for the product kind.",
    )
    charge_income_account_id = fields.Many2one(
        "account.account", string="Charges Income Account", check_company=True
    )
    interest_expense_account_id = fields.Many2one("account.account", check_company=True)
    # Share capital
    share_price = fields.Monetary(default=100.0)
    minimum_shares = fields.Integer()
    maximum_holding_percent = fields.Float(
        string="Maximum Holding (%)",
        help="Largest share of the SACCO's total share capital one member may hold.",
    )
    transferable = fields.Boolean(default=True)
    dividend_basis = fields.Selection(
        [("closing", "Closing balance"), ("weighted", "Weighted (average month-end) balance")],
        default="weighted",
        help="Closing: the dividend rate applies to the share balance on the last day of the "
        "financial year. Weighted: to the average of the 12 month-end balances, so shares "
        "bought in month m earn (13 - m) / 12 of a full year's dividend.",
    )
    # Deposits
    minimum_monthly_contribution = fields.Monetary()
    year_end_basis = fields.Selection(
        [
            ("month_end", "Month-end balances (each month's closing balance earns one month)"),
            ("minimum_monthly", "Lowest balance in each month"),
        ],
        string="Year-end Interest Basis",
        default="month_end",
        help="Year-end interest (rebate) = sum of 12 monthly balances x annual rate / 12. "
        "Month-end: each month's closing balance, so a deposit made any day of month m earns "
        "13 - m months. Lowest: the least balance held during each month, so a deposit earns "
        "from the month after it is made and a withdrawal loses its whole month.",
    )
    # Check-off (payroll deductions)
    checkoff_priority = fields.Integer(
        string="Check-off Priority",
        default=10,
        help="Order in which a member's check-off remittance is allocated: lower is paid first.",
    )
    checkoff_amount = fields.Monetary(
        string="Monthly check-off amount",
        help="Expected monthly payroll deduction per account; 0 = not deducted. "
        "BOSA deposit products use the minimum monthly contribution instead.",
    )
    # Withdrawable savings
    minimum_balance = fields.Monetary()
    charge_tier_ids = fields.One2many(
        "sacco.savings.charge.tier", "product_id", string="Withdrawal Charges"
    )
    # Interest
    interest_rate = fields.Float(string="Annual Interest Rate (%)", digits=(6, 3))
    interest_method = fields.Selection(
        [
            ("daily_balance", "Daily balance"),
            ("minimum_monthly_balance", "Minimum monthly balance"),
            ("average_daily_balance", "Average daily balance"),
        ],
        default="daily_balance",
    )
    days_in_year = fields.Selection([("365", "365"), ("360", "360")], default="365")
    interest_posting = fields.Selection(
        [("monthly", "Monthly"), ("quarterly", "Quarterly"), ("annually", "Annually")],
        default="annually",
    )
    # Fixed deposits and locked savings
    term_months = fields.Integer()
    maturity_action = fields.Selection(
        [("rollover", "Roll over"), ("transfer_fosa", "Transfer to FOSA")], default="rollover"
    )
    early_withdrawal_penalty = fields.Float(string="Early Withdrawal Penalty (% of interest)")
    locked_until_months = fields.Integer(
        help="Target/junior savings stay locked this many months after opening."
    )
    dormancy_months = fields.Integer(
        default=12, help="Months without member activity before the account is flagged dormant."
    )

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The product code must be unique."),
    ]

    @api.constrains("kind", "share_price", "maximum_holding_percent")
    def _check_share_settings(self):
        for product in self.filtered(lambda p: p.kind == "share_capital"):
            if product.share_price <= 0:
                raise ValidationError(self.env._("The share price must be greater than zero."))
            if not 0 <= product.maximum_holding_percent <= 100:
                raise ValidationError(self.env._("The maximum holding is a percentage (0-100)."))

    @api.model_create_multi
    def create(self, vals_list):
        products = super().create(vals_list)
        for product in products:
            product.sequence_id = (
                self.env["ir.sequence"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Accounts of %s", product.name),
                        "prefix": product.account_prefix,
                        "padding": 6,
                        "implementation": "no_gap",
                        "company_id": product.company_id.id,
                    }
                )
            )
        return products

    @property
    def is_withdrawable(self):
        return self.kind in WITHDRAWABLE_KINDS

    def _control_account(self):
        self.ensure_one()
        return self.gl_account_id or self.company_id._sacco_account(
            KIND_ACCOUNT_SETTINGS[self.kind]
        )

    def _charge_income_account(self):
        self.ensure_one()
        return self.charge_income_account_id or self.company_id._sacco_account(
            "sacco_account_fee_income_id"
        )

    def _interest_expense_account(self):
        self.ensure_one()
        return self.interest_expense_account_id or self.company_id._sacco_account(
            "sacco_account_deposit_interest_id"
        )
