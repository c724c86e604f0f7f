from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sacco_excise_rate = fields.Float(
        string="Excise Duty on Fees (%)",
        default=20.0,
        help="Kenyan excise duty charged on fees and commissions.",
    )
    sacco_wht_interest_rate = fields.Float(
        string="WHT on Deposit Interest (%)",
        default=15.0,
        help="Withholding tax deducted from year-end interest on deposits.",
    )
    sacco_wht_dividend_rate = fields.Float(
        string="WHT on Dividends (%)",
        default=5.0,
        help="Withholding tax deducted from dividends on share capital.",
    )
    # Dividends are an appropriation of profit, not an expense: they are declared to this
    # equity account, closed into retained earnings with the year.
    sacco_account_dividend_source_id = fields.Many2one(
        "account.account",
        string="Dividends Declared",
        check_company=True,
        domain="[('deprecated', '=', False)]",
    )
    sacco_exit_notice_days = fields.Integer(string="Exit Notice (days)", default=60)
    sacco_share_refund_allowed = fields.Boolean(
        string="Refund Shares in Cash on Exit",
        help="By default shares are transferred to another member, not refunded.",
    )
    sacco_standing_order_retries = fields.Integer(
        string="Standing Order Retries",
        default=2,
        help="Daily retries after a failed standing order before the month is skipped.",
    )

    def _sacco_setup_accounts(self):
        """Also the equity account dividends are declared from (305300 by default)."""
        result = super()._sacco_setup_accounts()
        Account = self.env["account.account"].sudo()
        for company in self.filtered(lambda c: not c.sacco_account_dividend_source_id):
            accounts = Account.with_company(company)
            company.sacco_account_dividend_source_id = accounts.search(
                [*Account._check_company_domain(company), ("code", "=", "305300")], limit=1
            ) or accounts.create(
                {
                    "code": "305300",
                    "name": "Dividends Declared",
                    "account_type": "equity",
                    "company_ids": [(6, 0, company.ids)],
                }
            )
        return result
