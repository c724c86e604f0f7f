from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sacco_account_registration_fee_id = fields.Many2one(
        related="company_id.sacco_account_registration_fee_id", readonly=False
    )
    sacco_account_share_capital_id = fields.Many2one(
        related="company_id.sacco_account_share_capital_id", readonly=False
    )
    sacco_account_deposits_id = fields.Many2one(
        related="company_id.sacco_account_deposits_id", readonly=False
    )
    sacco_account_savings_id = fields.Many2one(
        related="company_id.sacco_account_savings_id", readonly=False
    )
    sacco_account_loan_portfolio_id = fields.Many2one(
        related="company_id.sacco_account_loan_portfolio_id", readonly=False
    )
    sacco_account_interest_receivable_id = fields.Many2one(
        related="company_id.sacco_account_interest_receivable_id", readonly=False
    )
    sacco_account_penalty_receivable_id = fields.Many2one(
        related="company_id.sacco_account_penalty_receivable_id", readonly=False
    )
    sacco_account_checkoff_receivable_id = fields.Many2one(
        related="company_id.sacco_account_checkoff_receivable_id", readonly=False
    )
    sacco_account_mpesa_clearing_id = fields.Many2one(
        related="company_id.sacco_account_mpesa_clearing_id", readonly=False
    )
    sacco_account_provision_id = fields.Many2one(
        related="company_id.sacco_account_provision_id", readonly=False
    )
    sacco_account_interest_income_id = fields.Many2one(
        related="company_id.sacco_account_interest_income_id", readonly=False
    )
    sacco_account_fee_income_id = fields.Many2one(
        related="company_id.sacco_account_fee_income_id", readonly=False
    )
    sacco_account_penalty_income_id = fields.Many2one(
        related="company_id.sacco_account_penalty_income_id", readonly=False
    )
    sacco_account_provision_expense_id = fields.Many2one(
        related="company_id.sacco_account_provision_expense_id", readonly=False
    )
    sacco_account_deposit_interest_id = fields.Many2one(
        related="company_id.sacco_account_deposit_interest_id", readonly=False
    )
    sacco_account_suspense_id = fields.Many2one(
        related="company_id.sacco_account_suspense_id", readonly=False
    )
    sacco_account_interest_payable_id = fields.Many2one(
        related="company_id.sacco_account_interest_payable_id", readonly=False
    )
    sacco_account_dividend_payable_id = fields.Many2one(
        related="company_id.sacco_account_dividend_payable_id", readonly=False
    )
    sacco_account_wht_payable_id = fields.Many2one(
        related="company_id.sacco_account_wht_payable_id", readonly=False
    )
    sacco_account_excise_payable_id = fields.Many2one(
        related="company_id.sacco_account_excise_payable_id", readonly=False
    )
    sacco_account_insurance_payable_id = fields.Many2one(
        related="company_id.sacco_account_insurance_payable_id", readonly=False
    )
    sacco_account_recovery_income_id = fields.Many2one(
        related="company_id.sacco_account_recovery_income_id", readonly=False
    )
    sacco_account_opening_balance_id = fields.Many2one(
        related="company_id.sacco_account_opening_balance_id", readonly=False
    )
    sacco_registration_fee = fields.Monetary(
        related="company_id.sacco_registration_fee", readonly=False
    )
    sacco_member_number_template = fields.Char(
        related="company_id.sacco_member_number_template", readonly=False
    )
    sacco_minimum_age = fields.Integer(related="company_id.sacco_minimum_age", readonly=False)
    sacco_require_kin = fields.Boolean(related="company_id.sacco_require_kin", readonly=False)
    sacco_required_document_type_ids = fields.Many2many(
        related="company_id.sacco_required_document_type_ids", readonly=False
    )
    sacco_sms_username = fields.Char(related="company_id.sacco_sms_username", readonly=False)
    sacco_sms_sandbox = fields.Boolean(related="company_id.sacco_sms_sandbox", readonly=False)
    sacco_sms_api_key = fields.Char(related="company_id.sacco_sms_api_key", readonly=False)
    sacco_sms_sender_id = fields.Char(related="company_id.sacco_sms_sender_id", readonly=False)
    sacco_sms_api_url = fields.Char(related="company_id.sacco_sms_api_url", readonly=False)
    sacco_sms_callback_token = fields.Char(
        related="company_id.sacco_sms_callback_token", readonly=False
    )
    sacco_sms_max_attempts = fields.Integer(
        related="company_id.sacco_sms_max_attempts", readonly=False
    )

    sacco_phone_cooling_off_hours = fields.Integer(
        related="company_id.sacco_phone_cooling_off_hours", readonly=False
    )

    def action_sacco_setup_accounts(self):
        self.company_id._sacco_setup_accounts()
