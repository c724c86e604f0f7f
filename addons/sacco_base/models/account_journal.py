from odoo import models


class AccountJournal(models.Model):
    _inherit = "account.journal"

    def _sacco_money_account(self):
        """The account SACCO postings debit for money in and credit for money out through
        this journal: its default (liquidity) account. A journal whose statement lines are
        reconciled against outstanding items (the M-Pesa paybill) returns that account."""
        self.ensure_one()
        return self.sudo().default_account_id

    def _sacco_outstanding_accounts(self):
        """The outstanding receipts/payments accounts set on this journal's payment methods."""
        self.ensure_one()
        journal = self.sudo()
        methods = journal.inbound_payment_method_line_ids | journal.outbound_payment_method_line_ids
        return methods.payment_account_id
