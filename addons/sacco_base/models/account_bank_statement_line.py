import re

from odoo import Command, models
from odoo.exceptions import UserError

# A reference shorter than this (e.g. "1", "DEP") matches too many statement texts by chance.
MIN_REFERENCE_LENGTH = 4


class AccountBankStatementLine(models.Model):
    """Statement-line reconciliation, the smallest equivalent of OCA's
    ``account_reconcile_oca`` (which does not install on this Odoo; see README).

    As Odoo and OCA do it: the statement line's entry keeps its liquidity item; its suspense
    item is replaced by one counterpart per matched open item (same account and partner) and,
    for a difference, a write-off item; each counterpart is reconciled with its item. Undo is
    Odoo's ``action_undo_reconciliation`` (back to liquidity + suspense)."""

    _inherit = "account.bank.statement.line"

    # ---------------------------------------------------------------- reconcile

    def _sacco_reconcile(self, items, writeoff_account=None, writeoff_label=None):
        """Reconcile this statement line with the open journal ``items``.

        Without ``writeoff_account`` the line's amount is allocated to the items in order (the
        last one may stay partly open) and must not exceed them; with it, every item is settled
        in full and the difference goes to that account (e.g. bank charges)."""
        self.ensure_one()
        items = items.with_env(self.env)
        self._sacco_check_reconcilable(items, writeoff_account)
        currency = self.company_id.currency_id
        counterparts = self._sacco_counterpart_amounts(items, bool(writeoff_account))
        # Balance of the lines replacing the suspense item: minus the liquidity item's.
        difference = -self.amount - sum(counterparts)
        if not currency.is_zero(difference) and not writeoff_account:
            raise UserError(
                self.env._(
                    "The statement line %(line)s is %(amount)s but the chosen items settle "
                    "only %(settled)s: choose more items or a write-off account for the "
                    "difference.",
                    line=self.payment_ref,
                    amount=self.amount,
                    settled=-sum(counterparts),
                )
            )
        label = self.payment_ref or self.move_id.name
        new_lines = [
            self._sacco_item_vals(item.account_id, item.partner_id, label, balance)
            for item, balance in zip(items, counterparts, strict=True)
        ]
        if not currency.is_zero(difference):
            new_lines.append(
                self._sacco_item_vals(
                    writeoff_account, self.partner_id, writeoff_label or label, difference
                )
            )
        liquidity, suspense, other = self._seek_for_lines()
        before = self.move_id.line_ids
        # The way Odoo rewrites a statement line's entry (action_undo_reconciliation).
        self.with_context(force_delete=True, skip_readonly_check=True).write(
            {
                "line_ids": [Command.delete(line.id) for line in suspense | other]
                + [Command.create(vals) for vals in new_lines]
            }
        )
        created = (self.move_id.line_ids - before).sorted("id")
        for item, counterpart in zip(items, created, strict=False):
            (item | counterpart).reconcile()
        return True

    def _sacco_check_reconcilable(self, items, writeoff_account):
        if self.is_reconciled:
            raise UserError(
                self.env._("The statement line %s is already reconciled.", self.payment_ref)
            )
        if self.foreign_currency_id or self.journal_id.currency_id not in (
            self.company_id.currency_id,
            self.env["res.currency"],
        ):
            raise UserError(
                self.env._("Only statement lines in the company currency can be reconciled here.")
            )
        if not items and not writeoff_account:
            raise UserError(self.env._("Choose the open items or a write-off account."))
        wrong = items.filtered(
            lambda item: (
                item.parent_state != "posted"
                or not item.account_id.reconcile
                or item.reconciled
                or item.company_id != self.company_id
                or item.move_id == self.move_id
            )
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only posted, open items on reconcilable accounts of the same company can "
                    "be matched: %s",
                    ", ".join(wrong.mapped("display_name")),
                )
            )
        if writeoff_account and writeoff_account.reconcile:
            raise UserError(
                self.env._(
                    "The write-off account %s is reconcilable: match its items instead.",
                    writeoff_account.display_name,
                )
            )

    def _sacco_counterpart_amounts(self, items, settle_in_full):
        """The counterpart balance per item: minus its residual, or (allocating) what is left
        of the line's amount, capped at the residual."""
        currency = self.company_id.currency_id
        if settle_in_full:
            return [-item.amount_residual for item in items]
        amounts, left = [], self.amount
        for item in items:
            if currency.is_zero(left):
                raise UserError(
                    self.env._(
                        "The items before %s already settle the statement line: leave it out.",
                        item.display_name,
                    )
                )
            residual = item.amount_residual
            same_direction = (residual > 0) == (left > 0)
            part = min(abs(residual), abs(left)) if same_direction else abs(residual)
            settled = currency.round(part if residual > 0 else -part)
            amounts.append(-settled)
            left = currency.round(left - settled)
        return amounts

    def _sacco_item_vals(self, account, partner, label, balance):
        return {
            "account_id": account.id,
            "partner_id": partner.id,
            "name": label,
            "debit": balance if balance > 0 else 0.0,
            "credit": -balance if balance < 0 else 0.0,
            "currency_id": self.company_id.currency_id.id,
        }

    # ---------------------------------------------------------------- proposals

    def _sacco_candidate_domain(self):
        """Open items any of these lines could be matched with (Odoo's own matching domain)."""
        self.ensure_one()
        return self._get_default_amls_matching_domain()

    def _sacco_proposals(self):
        """{statement line: open items with its exact amount and its partner or reference}.
        An item waiting on its bank journal's outstanding account (shared by the company's
        banks) is proposed only to that journal's statement lines."""
        proposals = {line: self.env["account.move.line"] for line in self}
        lines = self.filtered(lambda line: not line.is_reconciled)
        if not lines:
            return proposals
        domain = lines[0]._sacco_candidate_domain()
        domain = [term for term in domain if term[0] != "statement_line_id"] + [
            ("statement_line_id", "not in", lines.ids),
            ("amount_residual", "in", list(set(lines.mapped("amount")))),
            ("company_id", "in", lines.company_id.ids),
        ]
        candidates = self.env["account.move.line"].search(domain, order="date, id")
        by_amount = {}
        for item in candidates:
            by_amount.setdefault(item.amount_residual, []).append(item)
        waiting = {j: j._sacco_outstanding_accounts() for j in candidates.journal_id}
        for line in lines:
            texts = _normalise(" ".join(filter(None, [line.payment_ref, line.ref])))
            proposals[line] = self.env["account.move.line"].union(
                *(
                    item
                    for item in by_amount.get(line.amount, [])
                    if line._sacco_proposes(item, texts, waiting[item.journal_id])
                )
            )
        return proposals

    def _sacco_proposes(self, item, texts, outstanding):
        """Whether this line proposes ``item`` (of its amount): same company, not waiting on
        the ``outstanding`` account of another journal (the item's), the line's partner or a
        reference its normalised ``texts`` quote."""
        return (
            item.company_id == self.company_id
            and (item.journal_id == self.journal_id or item.account_id not in outstanding)
            and ((self.partner_id and item.partner_id == self.partner_id) or _mentions(texts, item))
        )

    def _sacco_auto_reconcile(self):
        """Reconcile each line that has exactly one proposal; return the reconciled lines."""
        done = self.browse()
        taken = self.env["account.move.line"]
        for line, items in self._sacco_proposals().items():
            if len(items) == 1 and not items & taken:
                line._sacco_reconcile(items)
                taken |= items
                done |= line
        return done


def _normalise(text):
    return re.sub(r"\s+", "", (text or "").upper())


def _mentions(texts, item):
    """Whether the statement texts quote the item's entry number, reference or label."""
    references = {item.move_id.name, item.move_id.ref, item.ref, item.name}
    return any(
        len(reference) >= MIN_REFERENCE_LENGTH and reference in texts
        for reference in map(_normalise, filter(None, references))
    )
