from odoo import api, fields, models


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

    @api.model
    def _sacco_demo_bank_statement(self):
        """Demo data: today's statement of the demo SACCO's bank: the bank's ledger fee
        reconciled (written off to Bank Charges), its SMS charge left for the accountant."""
        company = self.env.ref("sacco_base.res_company_sacco_demo")
        # The chart's bank journal (the first; the M-Pesa paybill's journal comes later).
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], order="id", limit=1
        )
        charges = self.env["account.account"].search(
            [("name", "=", "Bank Charges"), ("company_ids", "in", company.id)], limit=1
        )
        if not (journal and charges):
            return
        today = fields.Date.context_today(self)
        statement = (
            self.env["account.bank.statement"]
            .with_company(company)
            .create(
                {
                    "name": f"{journal.code} {today}",
                    "journal_id": journal.id,
                    "line_ids": [
                        fields.Command.create(
                            {
                                "journal_id": journal.id,
                                "date": today,
                                "payment_ref": label,
                                "amount": amount,
                            }
                        )
                        for label, amount in (
                            ("LEDGER FEES", -450.0),
                            ("SMS BANKING CHARGES", -120.0),
                        )
                    ],
                }
            )
        )
        statement.line_ids[0]._sacco_reconcile(
            self.env["account.move.line"], charges, "Ledger fees"
        )
