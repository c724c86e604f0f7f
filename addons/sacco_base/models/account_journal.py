from odoo import models
from odoo.exceptions import UserError

# Odoo's outstanding accounts of a company (account.payment._get_outstanding_account):
# chart template references, with the liquidity transfer account as the last resort.
OUTSTANDING_ACCOUNT_REFS = {
    "inbound": "account_journal_payment_debit_account_id",
    "outbound": "account_journal_payment_credit_account_id",
}


class AccountJournal(models.Model):
    _inherit = "account.journal"

    def _sacco_money_account(self, direction):
        """The account SACCO postings debit for money in (``direction`` "inbound") and
        credit for money out ("outbound") through this journal. A cash journal (a till)
        posts to its cash account; a bank journal to Odoo's outstanding receipts or payments
        account, so its bank account moves only with the imported statement, whose lines
        are then reconciled with these open items."""
        self.ensure_one()
        journal = self.sudo()
        account = (
            journal._sacco_outstanding_account(direction)
            if journal.type == "bank"
            else journal.default_account_id
        )
        if not account:
            raise UserError(self.env._("Set the accounts of journal %s.", self.name))
        return account

    def _sacco_outstanding_account(self, direction):
        """Odoo's outstanding receipts ("inbound") or payments ("outbound") account of this
        journal: its payment methods' account, else the company's, as account.payment does."""
        self.ensure_one()
        journal = self.sudo()
        methods = (
            journal.inbound_payment_method_line_ids
            if direction == "inbound"
            else journal.outbound_payment_method_line_ids
        )
        chart = self.env["account.chart.template"].with_company(journal.company_id.root_id)
        return (
            methods.payment_account_id[:1]
            or chart.ref(OUTSTANDING_ACCOUNT_REFS[direction], raise_if_not_found=False)
            or journal.company_id.transfer_account_id
        )

    def _sacco_outstanding_accounts(self):
        """Every outstanding receipts/payments account this journal's SACCO money waits on
        (none for a cash journal)."""
        self.ensure_one()
        journal = self.sudo()
        if journal.type != "bank":
            return self.env["account.account"]
        methods = journal.inbound_payment_method_line_ids | journal.outbound_payment_method_line_ids
        return (
            methods.payment_account_id
            | journal._sacco_outstanding_account("inbound")
            | journal._sacco_outstanding_account("outbound")
        )
