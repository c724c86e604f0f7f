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
        """Demo data: the demo SACCO bank's monthly statements. Each SACCO posting through
        the bank journal (check-off remittances, deposits, the exit payout) appears as the
        bank shows it and is reconciled with its outstanding item; this month's statement
        also has the bank's ledger fee (written off to Bank Charges) and its SMS charge, left
        for the accountant."""
        company = self.env.ref("sacco_base.res_company_sacco_demo")
        # The chart's bank journal (the first; the M-Pesa paybill's journal comes later).
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], order="id", limit=1
        )
        charges = self.env["account.account"].search(
            [("name", "=", "Bank Charges"), ("company_ids", "in", company.id)], limit=1
        )
        if journal and charges:
            self.with_company(company)._sacco_demo_monthly_statements(journal, charges)

    @api.model
    def _sacco_demo_monthly_statements(self, journal, charges):
        items = self.env["account.move.line"].search(
            [
                ("journal_id", "=", journal.id),
                ("account_id", "in", journal._sacco_outstanding_accounts().ids),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ],
            order="date, id",
        )
        by_month = items.grouped(lambda item: item.date.replace(day=1))
        this_month = fields.Date.context_today(self).replace(day=1)
        for month in sorted(set(by_month) | {this_month}):
            month_items = by_month.get(month, items.browse())
            lines = self.create([self._sacco_demo_line_vals(journal, item) for item in month_items])
            charge_lines = (
                self._sacco_demo_bank_charges(journal) if month == this_month else self.browse()
            )
            self.env["account.bank.statement"].create(
                {
                    "name": f"{journal.code} {month:%Y-%m}",
                    "journal_id": journal.id,
                    "line_ids": [fields.Command.set((lines | charge_lines).ids)],
                }
            )
            for line, item in zip(lines, month_items, strict=True):
                line._sacco_reconcile(item)
            if charge_lines:
                charge_lines[0]._sacco_reconcile(
                    self.env["account.move.line"], charges, "Ledger fees"
                )

    @api.model
    def _sacco_demo_line_vals(self, journal, item):
        """The statement line the bank shows for a SACCO posting's outstanding item."""
        text = " ".join(filter(None, [item.move_id.ref or item.name, item.partner_id.name]))
        return {
            "journal_id": journal.id,
            "date": item.date,
            "amount": item.amount_residual,
            "payment_ref": text.upper(),
            "partner_id": item.partner_id.id,
        }

    @api.model
    def _sacco_demo_bank_charges(self, journal):
        """Today's ledger fee and SMS charge: the bank's own, no SACCO posting behind them."""
        today = fields.Date.context_today(self)
        return self.create(
            [
                {"journal_id": journal.id, "date": today, "payment_ref": label, "amount": amount}
                for label, amount in (("LEDGER FEES", -450.0), ("SMS BANKING CHARGES", -120.0))
            ]
        )
