from odoo import Command, api, models
from odoo.exceptions import UserError


class SaccoLedger(models.AbstractModel):
    """The one place sacco_base posts money: balanced, posted moves with the member as partner."""

    _name = "sacco.ledger"
    _description = "SACCO Posting Service"

    @api.model
    def _line(self, account, partner, label, debit=0.0, credit=0.0, **vals):
        """One journal line for ``_post_entry``: ``account`` debited or credited for
        ``partner``; keyword ``vals`` are extra fields of the journal item (e.g. the
        sub-ledger record it belongs to, ``sacco_loan_id=loan.id``)."""
        line = {
            "account": account,
            "partner": partner,
            "name": label,
            "debit": float(debit),
            "credit": float(credit),
        }
        if vals:
            line["vals"] = vals
        return line

    @api.model
    def _post_entry(self, journal, date, ref, lines):
        """Create and post a balanced journal entry.

        ``lines`` are dicts with ``account``, ``partner``, ``name`` and either ``debit`` or
        ``credit`` (amounts in the company currency, rounded here); an optional ``vals`` dict
        adds fields to the journal item (e.g. the sub-ledger record it belongs to).
        """
        currency = journal.company_id.currency_id
        rounded = [
            dict(
                line,
                debit=currency.round(line.get("debit", 0.0)),
                credit=currency.round(line.get("credit", 0.0)),
            )
            for line in lines
        ]
        total_debit = sum(line["debit"] for line in rounded)
        total_credit = sum(line["credit"] for line in rounded)
        if currency.is_zero(total_debit) or currency.compare_amounts(total_debit, total_credit):
            raise UserError(self.env._("A SACCO entry must be balanced and not zero."))
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": date,
                "ref": ref,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": line["account"].id,
                            "partner_id": line["partner"].id,
                            "name": line["name"],
                            "debit": line["debit"],
                            "credit": line["credit"],
                            **line.get("vals", {}),
                        }
                    )
                    for line in rounded
                ],
            }
        )
        move.action_post()
        move._sacco_seal()
        return move

    @api.model
    def _reverse_entry(self, move, date, reason):
        """Post the reversing entry of ``move``; posted money is never edited."""
        if move.state != "posted" or move.reversal_move_ids:
            raise UserError(self.env._("Only a posted, not yet reversed entry can be reversed."))
        reversal = move._reverse_moves(
            default_values_list=[
                {
                    "date": date,
                    "ref": self.env._(
                        "Reversal of %(ref)s: %(reason)s", ref=move.ref or move.name, reason=reason
                    ),
                }
            ]
        )
        reversal.action_post()
        reversal._sacco_seal()
        return reversal
