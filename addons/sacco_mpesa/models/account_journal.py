from odoo import models


class AccountJournal(models.Model):
    _inherit = "account.journal"

    def _sacco_money_account(self, direction):
        """A paybill journal's money in and out goes through its shortcode's one outstanding
        account: the paybill's bank account moves only with the imported M-Pesa statement."""
        self.ensure_one()
        config = (
            self.env["sacco.mpesa.config"]
            .sudo()
            .with_context(active_test=False)
            .search([("journal_id", "=", self.id)], limit=1)
        )
        return config.outstanding_account_id or super()._sacco_money_account(direction)
