from odoo import api, fields, models
from odoo.exceptions import UserError

# Line kind -> the company setting of its payable account.
PAYABLE_SETTINGS = {
    "interest": "sacco_account_interest_payable_id",
    "dividend": "sacco_account_dividend_payable_id",
}


class SaccoSavingsYearEndLine(models.Model):
    _name = "sacco.savings.year.end.line"
    _description = "Year-end Interest / Dividend Line"
    _order = "year_end_id, member_id, kind, id"

    year_end_id = fields.Many2one(
        "sacco.savings.year.end", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="year_end_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="year_end_id.currency_id")
    member_id = fields.Many2one("sacco.member", required=True, index=True)
    partner_id = fields.Many2one(related="member_id.partner_id")
    account_id = fields.Many2one(
        "sacco.savings.account", string="Source Account", required=True, index=True
    )
    product_id = fields.Many2one(related="account_id.product_id", store=True)
    kind = fields.Selection([("interest", "Interest"), ("dividend", "Dividend")], required=True)
    basis = fields.Selection(
        [
            ("month_end", "Month-end balances"),
            ("minimum_monthly", "Lowest balance in each month"),
            ("closing", "Closing balance"),
            ("weighted", "Weighted (average month-end) balance"),
        ],
        required=True,
    )
    base = fields.Monetary(
        help="The balance the rate applies to: the closing balance, or the average of the 12 "
        "monthly balances of the basis."
    )
    gross = fields.Monetary()
    wht = fields.Monetary(string="WHT")
    net = fields.Monetary()
    payout_account_id = fields.Many2one(
        "sacco.savings.account",
        readonly=True,
        help="Where the net amount is credited: the member's FOSA account, or the source "
        "account when capitalised. Set on compute and refreshed on payment.",
    )
    paid = fields.Boolean(readonly=True, copy=False)
    transaction_id = fields.Many2one(
        "sacco.savings.transaction", string="Payout Transaction", readonly=True, copy=False
    )

    def _set_payout_accounts(self):
        for line in self:
            method = line.year_end_id.payout_method
            if method == "capitalise":
                line.payout_account_id = line.account_id
            elif method == "credit_fosa":
                line.payout_account_id = line.member_id.savings_account_ids.filtered(
                    lambda account: account.kind == "fosa_savings" and account.state != "closed"
                )[:1]
            else:
                line.payout_account_id = False

    def write(self, vals):
        # Posted figures are final; paying only marks the lines.
        posted = any(line.year_end_id.state in ("posted", "paid") for line in self)
        if posted and set(vals) - {"paid", "transaction_id", "payout_account_id"}:
            raise UserError(self.env._("Lines of a posted year-end cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_not_posted(self):
        if any(line.year_end_id.state in ("posted", "paid") for line in self):
            raise UserError(self.env._("Lines of a posted year-end cannot be deleted."))

    def _expense_account(self):
        """Interest is an expense; dividends are an appropriation of equity."""
        self.ensure_one()
        if self.kind == "interest":
            return self.product_id._interest_expense_account()
        return self.company_id._sacco_account("sacco_account_dividend_source_id")

    def _payable_account(self):
        self.ensure_one()
        return self.company_id._sacco_account(PAYABLE_SETTINGS[self.kind])

    def _ledger_line(self, gl_account, label, debit=0.0, credit=0.0):
        return self.env["sacco.ledger"]._line(gl_account, self.partner_id, label, debit, credit)
