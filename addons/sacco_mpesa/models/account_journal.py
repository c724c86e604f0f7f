from odoo import models


class AccountJournal(models.Model):
    _inherit = "account.journal"

    def _sacco_money_account(self):
        """A paybill journal's money goes through its outstanding account: the paybill's
        bank account moves only with the imported M-Pesa statement (no money counted twice)."""
        self.ensure_one()
        config = (
            self.env["sacco.mpesa.config"]
            .sudo()
            .with_context(active_test=False)
            .search([("journal_id", "=", self.id)], limit=1)
        )
        return config.outstanding_account_id or super()._sacco_money_account()
