from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.members import DEFAULT_MEMBER_NUMBER_TEMPLATE, validate_member_number_template

from ..services.africastalking_gateway import AfricasTalkingConfig, AfricasTalkingGateway
from .sacco_callback_token_mixin import new_callback_token, same_token

# (company field, default code, default name, account type): the SACCO GL map of design.md.
SACCO_ACCOUNTS = [
    ("sacco_account_registration_fee_id", "405400", "Membership Registration Fees", "income"),
    ("sacco_account_share_capital_id", "305100", "Member Share Capital", "equity"),
    ("sacco_account_deposits_id", "295100", "Member Deposits (BOSA)", "liability_non_current"),
    ("sacco_account_savings_id", "205100", "Member Savings (FOSA)", "liability_current"),
    ("sacco_account_loan_portfolio_id", "105100", "Loans to Members", "asset_current"),
    ("sacco_account_interest_receivable_id", "105200", "Loan Interest Receivable", "asset_current"),
    ("sacco_account_penalty_receivable_id", "105300", "Loan Penalty Receivable", "asset_current"),
    ("sacco_account_checkoff_receivable_id", "105400", "Check-off Receivable", "asset_current"),
    ("sacco_account_mpesa_clearing_id", "105500", "M-Pesa Clearing", "asset_current"),
    ("sacco_account_provision_id", "105900", "Loan Loss Provision", "asset_current"),
    ("sacco_account_interest_income_id", "405100", "Loan Interest Income", "income"),
    ("sacco_account_fee_income_id", "405200", "Fees and Commissions", "income"),
    ("sacco_account_penalty_income_id", "405300", "Loan Penalty Income", "income"),
    ("sacco_account_provision_expense_id", "605100", "Loan Loss Provision Expense", "expense"),
    ("sacco_account_deposit_interest_id", "605200", "Interest on Member Deposits", "expense"),
    ("sacco_account_suspense_id", "205600", "Unallocated Receipts (Suspense)", "liability_current"),
    (
        "sacco_account_interest_payable_id",
        "205200",
        "Interest on Deposits Payable",
        "liability_current",
    ),
    ("sacco_account_dividend_payable_id", "205300", "Dividends Payable", "liability_current"),
    ("sacco_account_wht_payable_id", "205400", "Withholding Tax Payable", "liability_current"),
    ("sacco_account_excise_payable_id", "205500", "Excise Duty Payable", "liability_current"),
    ("sacco_account_insurance_payable_id", "205700", "Loan Insurance Payable", "liability_current"),
    ("sacco_account_recovery_income_id", "405600", "Recoveries of Written-off Loans", "income"),
    ("sacco_account_opening_balance_id", "309900", "Opening Balances (Migration)", "equity"),
]


def _account_field(string):
    return fields.Many2one(
        "account.account",
        string=string,
        check_company=True,
        domain="[('deprecated', '=', False)]",
    )


class ResCompany(models.Model):
    _inherit = "res.company"

    sacco_account_registration_fee_id = _account_field("Registration Fee Income")
    sacco_account_share_capital_id = _account_field("Share Capital")
    sacco_account_deposits_id = _account_field("Member Deposits (BOSA)")
    sacco_account_savings_id = _account_field("Member Savings (FOSA)")
    sacco_account_loan_portfolio_id = _account_field("Loan Portfolio")
    sacco_account_interest_receivable_id = _account_field("Interest Receivable")
    sacco_account_penalty_receivable_id = _account_field("Penalty Receivable")
    sacco_account_checkoff_receivable_id = _account_field("Check-off Receivable")
    sacco_account_mpesa_clearing_id = _account_field("M-Pesa Clearing")
    sacco_account_provision_id = _account_field("Loan Loss Provision")
    sacco_account_interest_income_id = _account_field("Loan Interest Income")
    sacco_account_fee_income_id = _account_field("Fee Income")
    sacco_account_penalty_income_id = _account_field("Penalty Income")
    sacco_account_provision_expense_id = _account_field("Provision Expense")
    sacco_account_deposit_interest_id = _account_field("Interest on Deposits Expense")
    sacco_account_suspense_id = _account_field("Suspense")
    sacco_account_interest_payable_id = _account_field("Interest Payable")
    sacco_account_dividend_payable_id = _account_field("Dividends Payable")
    sacco_account_wht_payable_id = _account_field("Withholding Tax Payable")
    sacco_account_excise_payable_id = _account_field("Excise Duty Payable")
    sacco_account_insurance_payable_id = _account_field("Loan Insurance Payable")
    sacco_account_recovery_income_id = _account_field("Recovery Income")
    sacco_account_opening_balance_id = _account_field("Opening Balances")

    sacco_registration_fee = fields.Monetary(
        string="Registration Fee", currency_field="currency_id", default=1000.0
    )
    sacco_member_number_template = fields.Char(
        string="Member Number Format",
        default=DEFAULT_MEMBER_NUMBER_TEMPLATE,
        required=True,
        help="Placeholders: {prefix} (the branch prefix), {seq} (the branch's next number, "
        "e.g. {seq:05d}) and {year} (the join year).",
    )
    sacco_minimum_age = fields.Integer(string="Minimum Member Age", default=18)
    sacco_require_kin = fields.Boolean(
        string="Next of Kin Required for Activation",
        default=True,
    )
    sacco_required_document_type_ids = fields.Many2many(
        "sacco.document.type",
        string="Required KYC Documents",
        help="Verified documents of these types are needed before an applicant is activated.",
    )
    sacco_sms_username = fields.Char(string="Africa's Talking Username")
    sacco_sms_sandbox = fields.Boolean(
        string="SMS Sandbox",
        default=True,
        help="Send through Africa's Talking's sandbox (username 'sandbox') instead of live.",
    )
    sacco_sms_api_key = fields.Char(string="Africa's Talking API Key", groups="base.group_system")
    sacco_sms_sender_id = fields.Char(string="SMS Sender ID")
    sacco_sms_api_url = fields.Char(
        string="SMS API Base URL",
        help="Leave empty for Africa's Talking (sandbox or live by the username). "
        "Set only to route through a gateway proxy.",
    )
    sacco_sms_callback_token = fields.Char(
        string="SMS Callback Token",
        groups="base.group_system",
        copy=False,
        default=new_callback_token,
        help="Secret part of the delivery-report URL given to Africa's Talking.",
    )
    sacco_sms_max_attempts = fields.Integer(string="SMS Send Attempts", default=5)
    sacco_phone_cooling_off_hours = fields.Integer(
        string="Phone Change Cooling-off (hours)",
        default=24,
        help="After an approved change of a member's phone, USSD, app logins and M-Pesa routing "
        "by phone stay closed this long (the SIM-swap window).",
    )

    @api.constrains("sacco_member_number_template")
    def _check_sacco_member_number_template(self):
        for company in self:
            try:
                validate_member_number_template(company.sacco_member_number_template)
            except SaccoRuleError as error:
                raise ValidationError(str(error)) from error

    @api.constrains("sacco_minimum_age")
    def _check_sacco_minimum_age(self):
        if any(not 0 <= company.sacco_minimum_age <= 120 for company in self):
            raise ValidationError(self.env._("The minimum member age must be between 0 and 120."))

    @api.constrains("sacco_phone_cooling_off_hours")
    def _check_sacco_phone_cooling_off_hours(self):
        if any(company.sacco_phone_cooling_off_hours < 0 for company in self):
            raise ValidationError(self.env._("The cooling-off period cannot be negative."))

    def _sacco_setup_accounts(self):
        """Create the missing SACCO GL accounts (by default code) and map the empty settings."""
        for company in self:
            for field_name, code, name, account_type in SACCO_ACCOUNTS:
                if company[field_name]:
                    continue
                account = company._sacco_find_or_create_account(code, name, account_type)
                company[field_name] = account

    def _sacco_find_or_create_account(self, code, name, account_type):
        """The company's account with ``code``, created when the chart has none."""
        self.ensure_one()
        Account = self.env["account.account"].sudo().with_company(self)
        return Account.search(
            [*Account._check_company_domain(self), ("code", "=", code)], limit=1
        ) or Account.create(
            {
                "code": code,
                "name": name,
                "account_type": account_type,
                "company_ids": [(6, 0, self.ids)],
            }
        )

    def _sacco_account(self, field_name):
        """The mapped account, or a clear error telling which setting is missing."""
        self.ensure_one()
        account = self[field_name]
        if not account:
            raise UserError(
                self.env._(
                    "Set the '%(setting)s' account in SACCO settings for %(company)s.",
                    setting=self._fields[field_name].string,
                    company=self.name,
                )
            )
        return account

    def _sacco_sms_configured(self):
        self.ensure_one()
        company = self.sudo()
        return bool(
            company.sacco_sms_api_key and (company.sacco_sms_sandbox or company.sacco_sms_username)
        )

    def _sacco_sms_gateway(self):
        self.ensure_one()
        company = self.sudo()
        if not self._sacco_sms_configured():
            raise UserError(
                self.env._("Set the Africa's Talking username and API key in SACCO settings.")
            )
        return AfricasTalkingGateway(
            AfricasTalkingConfig(
                username="sandbox" if company.sacco_sms_sandbox else company.sacco_sms_username,
                api_key=company.sacco_sms_api_key,
                sender_id=company.sacco_sms_sender_id,
                base_url=company.sacco_sms_api_url,
            )
        )

    @api.model
    def _sacco_company_for_sms_token(self, token):
        """The company whose delivery-report URL carries ``token`` (compared in constant time)."""
        companies = self.search([("sacco_sms_callback_token", "!=", False)])
        return next(
            (c for c in companies if same_token(c.sacco_sms_callback_token, token)), self.browse()
        )
