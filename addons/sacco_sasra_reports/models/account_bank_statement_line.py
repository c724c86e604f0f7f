from odoo import models


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    def action_sacco_open_reconcile(self):
        """The reconcile form of this line, its single exact proposal already chosen."""
        self.ensure_one()
        proposals = self._sacco_proposals()[self]
        wizard = self.env["sacco.statement.reconcile"].create(
            {
                "statement_line_id": self.id,
                "proposal_ids": proposals.ids,
                "move_line_ids": proposals.ids if len(proposals) == 1 else [],
            }
        )
        return wizard._reopen()

    def action_sacco_auto_reconcile(self):
        """Reconcile every chosen (or, with none chosen, every open) line with one exact
        proposal."""
        lines = self or self.search(
            [("is_reconciled", "=", False), ("journal_id.type", "=", "bank")]
        )
        done = lines._sacco_auto_reconcile()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if done else "warning",
                "message": self.env._(
                    "%(done)s of %(total)s statement lines reconciled automatically.",
                    done=len(done),
                    total=len(lines),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
