from collections import defaultdict

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# Amount columns of a journal item, scaled when one item is split into several.
SCALED_COLUMNS = (
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
    "price_unit",
    "price_subtotal",
    "price_total",
    "tax_base_amount",
    "discount_amount_currency",
    "discount_balance",
)


def split_item_columns(Line, varying=("partner_id", "name")):
    """The stored columns of a journal item copied into its parts: those copied as they
    are, and the amounts scaled to each part's share (the ``varying`` columns differ)."""
    scaled = [name for name in SCALED_COLUMNS if name in Line._fields]
    copied = [
        name
        for name, field in Line._fields.items()
        if field.store and field.column_type and name not in ("id", *varying, *scaled)
    ]
    return copied, scaled


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
    def _post_bulk_entry(self, journal, date, ref, lines):
        """``_post_entry`` for many lines (a batch of payments): the ORM posts one item per
        account and side, each then split by one INSERT ... SELECT into the given lines
        (partner, label and ``vals`` of each, amounts scaled from the item), so the entry is
        the same posted, balanced, sealed entry (the seal sums per account) while a
        thousand lines cost a statement instead of a thousand ORM records."""
        currency = journal.company_id.currency_id
        groups = defaultdict(list)
        for line in lines:
            side = "debit" if line.get("debit") else "credit"
            groups[(line["account"], side)].append(
                dict(line, **{side: currency.round(line.get(side, 0.0))})
            )
        totals = [
            group[0]
            if len(group) == 1
            else self._line(
                account,
                self._common_partner(group),
                ref,
                **{side: sum(line[side] for line in group)},
            )
            for (account, side), group in groups.items()
        ]
        move = self._post_entry(journal, date, ref, totals)
        self.env.flush_all()
        items = dict(zip(groups, move.line_ids.sorted("id"), strict=True))
        for key, group in groups.items():
            if len(group) > 1:
                self._split_item(items[key], key[1], group)
        move.invalidate_recordset(["line_ids"])
        return move

    def _common_partner(self, group):
        partners = {line["partner"] for line in group}
        return partners.pop() if len(partners) == 1 else self.env["res.partner"]

    def _split_item(self, item, side, parts):
        """Replace journal ``item`` by one item per part (same account, journal, date...),
        in the parts' order; amounts are the item's scaled to each part."""
        Line = self.env["account.move.line"]
        extra = sorted({name for part in parts for name in part.get("vals", {})})
        given = ["partner_id", "name", *extra]
        copied, scaled = split_item_columns(Line, given)
        arrays = [
            SQL("%s::int4[]", [part["partner"].id or None for part in parts]),
            SQL("%s::varchar[]", [part["name"] for part in parts]),
            SQL("%s::numeric[]", [part[side] for part in parts]),
            *(
                SQL(
                    "%s::%s[]",
                    [part.get("vals", {}).get(name) or None for part in parts],
                    SQL(Line._fields[name].column_type[1]),
                )
                for name in extra
            ),
        ]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO account_move_line (%s, %s, %s)
                SELECT %s, %s, %s
                  FROM account_move_line t,
                       unnest(%s) WITH ORDINALITY AS p(%s)
                 WHERE t.id = %s
                 ORDER BY p.part_order
                """,
                SQL(", ").join(map(SQL.identifier, copied)),
                SQL(", ").join(map(SQL.identifier, given)),
                SQL(", ").join(map(SQL.identifier, scaled)),
                SQL(", ").join(SQL.identifier("t", name) for name in copied),
                SQL(", ").join(SQL.identifier("p", name) for name in given),
                SQL(", ").join(
                    SQL(
                        "ROUND((%s * p.part_amount / %s)::numeric, 2)",
                        SQL.identifier("t", name),
                        item[side],
                    )
                    for name in scaled
                ),
                SQL(", ").join(arrays),
                SQL(", ").join(
                    map(SQL.identifier, ["partner_id", "name", "part_amount", *extra, "part_order"])
                ),
                item.id,
            )
        )
        self.env.cr.execute("DELETE FROM account_move_line WHERE id = %s", [item.id])
        Line.invalidate_model()

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
