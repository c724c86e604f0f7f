from decimal import Decimal

from odoo import fields, models

from sacco_core.sasra import Thresholds

# SACCO GL map settings (sacco_base, sacco_savings) -> the return line they feed.
SACCO_ACCOUNT_LINES = {
    "sacco_account_registration_fee_id": "other_operating_income",
    "sacco_account_share_capital_id": "share_capital",
    "sacco_account_deposits_id": "non_withdrawable_deposits",
    "sacco_account_savings_id": "savings_deposits",
    "sacco_account_loan_portfolio_id": "gross_loans",
    "sacco_account_interest_receivable_id": "receivables",
    "sacco_account_penalty_receivable_id": "receivables",
    "sacco_account_checkoff_receivable_id": "receivables",
    "sacco_account_mpesa_clearing_id": "cash_at_bank",
    "sacco_account_provision_id": "loan_loss_allowance",
    "sacco_account_interest_income_id": "interest_income_loans",
    "sacco_account_fee_income_id": "fee_income_loans",
    "sacco_account_penalty_income_id": "fee_income_loans",
    "sacco_account_provision_expense_id": "provision_expense",
    "sacco_account_deposit_interest_id": "interest_on_deposits",
    "sacco_account_suspense_id": "other_payables",
    "sacco_account_interest_payable_id": "interest_dividends_payable",
    "sacco_account_dividend_payable_id": "interest_dividends_payable",
    "sacco_account_wht_payable_id": "tax_payable",
    "sacco_account_excise_payable_id": "tax_payable",
    "sacco_account_insurance_payable_id": "other_payables",
    "sacco_account_recovery_income_id": "loan_recoveries",
    "sacco_account_opening_balance_id": "retained_earnings",
    "sacco_account_dividend_source_id": "proposed_dividends",
}
# Savings product kinds -> the deposit line of their control account.
PRODUCT_KIND_LINES = {
    "share_capital": "share_capital",
    "bosa_deposit": "non_withdrawable_deposits",
    "fosa_savings": "savings_deposits",
    "target_savings": "savings_deposits",
    "fixed_deposit": "term_deposits",
}
# Default line of any other account (the Kenyan chart l10n_ke, or the generic one) by type.
ACCOUNT_TYPE_LINES = {
    "asset_cash": "cash_at_bank",
    "asset_receivable": "receivables",
    "asset_current": "prepayments",
    "asset_prepayments": "prepayments",
    "asset_non_current": "other_assets",
    "asset_fixed": "property_equipment",
    "liability_payable": "other_payables",
    "liability_credit_card": "other_payables",
    "liability_current": "other_payables",
    "liability_non_current": "external_borrowings",
    "equity": "other_reserves",
    "equity_unaffected": "retained_earnings",
    "income": "other_operating_income",
    "income_other": "non_operating_income",
    "expense": "administrative_expense",
    "expense_depreciation": "depreciation",
    "expense_direct_cost": "administrative_expense",
}
THRESHOLD_FIELDS = {
    "core_capital_min": "sacco_sasra_core_capital_min",
    "cc_ta_min": "sacco_sasra_cc_ta_min",
    "ic_ta_min": "sacco_sasra_ic_ta_min",
    "cc_td_min": "sacco_sasra_cc_td_min",
    "liquidity_min": "sacco_sasra_liquidity_min",
    "lb_ta_max": "sacco_sasra_lb_ta_max",
    "fi_cc_max": "sacco_sasra_fi_cc_max",
    "fi_td_max": "sacco_sasra_fi_td_max",
    "nea_ta_max": "sacco_sasra_nea_ta_max",
    "surplus_counted": "sacco_sasra_surplus_counted",
    **{
        name: f"sacco_sasra_{name}"
        for name in (
            "nwdt_cc_ta_min",
            "nwdt_re_cc_min",
            "nwdt_cc_td_min",
            "nwdt_liquidity_min",
            "nwdt_lbe_ta_max",
            "nwdt_equity_cc_max",
            "nwdt_subsidiary_cc_max",
            "nwdt_other_cc_max",
        )
    },
}


class ResCompany(models.Model):
    _inherit = "res.company"

    sacco_sasra_regime = fields.Selection(
        [("dt", "Deposit-taking (Forms 1-9)"), ("nwdt", "Non-withdrawable (Forms 2A-2H)")],
        string="SASRA Regime",
        help="The SACCO's licence: deposit-taking SACCOs file Forms 1-9 monthly and the daily "
        "liquidity return; non-withdrawable-deposit (BOSA-only) SACCOs file Forms 2A-2H "
        "quarterly (2E yearly).",
        default="dt",
        required=True,
    )
    sacco_sasra_authorising_officer = fields.Char(string="Authorising Officer")
    sacco_sasra_countersigning_officer = fields.Char(string="Countersigning Officer")
    sacco_sasra_core_capital_min = fields.Monetary(
        string="Minimum Core Capital", default=10_000_000.0
    )
    sacco_sasra_cc_ta_min = fields.Float(string="Core Capital / Total Assets (min %)", default=10)
    sacco_sasra_ic_ta_min = fields.Float(
        string="Institutional Capital / Total Assets (min %)", default=8
    )
    sacco_sasra_cc_td_min = fields.Float(string="Core Capital / Deposits (min %)", default=8)
    sacco_sasra_liquidity_min = fields.Float(string="Liquidity Ratio (min %)", default=15)
    sacco_sasra_lb_ta_max = fields.Float(
        string="Land & Buildings / Total Assets (max %)", default=5
    )
    sacco_sasra_fi_cc_max = fields.Float(
        string="Financial Investments / Core Capital (max %)", default=40
    )
    sacco_sasra_fi_td_max = fields.Float(
        string="Financial Investments / Deposits (max %)", default=5
    )
    sacco_sasra_nea_ta_max = fields.Float(
        string="Non-earning Assets / Total Assets (max %)", default=10
    )
    sacco_sasra_surplus_counted = fields.Float(
        string="Current-year Surplus in Core Capital (%)", default=50
    )

    # Non-withdrawable-deposit SACCOs' limits (Forms 2A, 2B, 2E).
    sacco_sasra_nwdt_cc_ta_min = fields.Float(
        string="NWDT Core Capital / Total Assets (min %)", default=8
    )
    sacco_sasra_nwdt_re_cc_min = fields.Float(
        string="NWDT Retained Earnings and Reserves / Core Capital (min %)", default=50
    )
    sacco_sasra_nwdt_cc_td_min = fields.Float(
        string="NWDT Core Capital / Deposits (min %)", default=5
    )
    sacco_sasra_nwdt_liquidity_min = fields.Float(string="NWDT Liquidity Ratio (min %)", default=10)
    sacco_sasra_nwdt_lbe_ta_max = fields.Float(
        string="NWDT Land, Buildings and Equipment / Total Assets (max %)", default=10
    )
    sacco_sasra_nwdt_equity_cc_max = fields.Float(
        string="NWDT Equity Investments / Core Capital (max %)", default=20
    )
    sacco_sasra_nwdt_subsidiary_cc_max = fields.Float(
        string="NWDT Subsidiaries / Core Capital (max %)", default=50
    )
    sacco_sasra_nwdt_other_cc_max = fields.Float(
        string="NWDT Other Investments / Core Capital (max %)", default=30
    )

    def _sacco_sasra_thresholds(self):
        self.ensure_one()
        return Thresholds(
            **{
                name: Decimal(str(self[field_name]))
                for name, field_name in THRESHOLD_FIELDS.items()
            }
        )

    def _sacco_setup_accounts(self):
        result = super()._sacco_setup_accounts()
        self._sacco_sasra_map_accounts()
        return result

    def _sacco_sasra_remap_outstanding_accounts(self):
        """Upgrade to 18.0.1.1.0: SACCO money through a bank journal now waits on its
        outstanding receipts/payments accounts, money at the bank not yet on its statement.
        Those still on their account type's default line move to cash at bank; a line the
        accountant chose is kept."""
        for company in self:
            for account in company._sacco_bank_outstanding_accounts():
                if account.sacco_sasra_line == ACCOUNT_TYPE_LINES.get(account.account_type):
                    account.sacco_sasra_line = "cash_at_bank"

    def _sacco_bank_outstanding_accounts(self):
        """The outstanding receipts/payments accounts of this company's bank journals (e.g.
        the M-Pesa paybill's): money at the bank not yet on its statement."""
        self.ensure_one()
        journals = (
            self.env["account.journal"]
            .sudo()
            .search([("company_id", "=", self.id), ("type", "=", "bank")])
        )
        return self.env["account.account"].union(
            *(journal._sacco_outstanding_accounts() for journal in journals)
        )

    def _sacco_sasra_map_accounts(self):
        """Give every account of the companies without a SASRA line its default line: the
        SACCO GL map's own, the savings products', then by account type (cash journals'
        accounts are cash in hand). Lines the accountant set are kept."""
        Account = self.env["account.account"].sudo()
        for company in self:
            defaults = {}
            for journal in (
                self.env["account.journal"]
                .sudo()
                .search([("company_id", "=", company.id), ("type", "=", "cash")])
            ):
                defaults[journal.default_account_id] = "cash_in_hand"
            for account in company._sacco_bank_outstanding_accounts():
                defaults[account] = "cash_at_bank"
            for product in (
                self.env["sacco.savings.product"].sudo().search([("company_id", "=", company.id)])
            ):
                defaults[product.gl_account_id] = PRODUCT_KIND_LINES[product.kind]
            for field_name, line in SACCO_ACCOUNT_LINES.items():
                defaults[company[field_name]] = line
            accounts = Account.with_company(company).search(
                [*Account._check_company_domain(company), ("sacco_sasra_line", "=", False)]
            )
            for account in accounts:
                line = defaults.get(account) or ACCOUNT_TYPE_LINES.get(account.account_type)
                if line:
                    account.sacco_sasra_line = line
