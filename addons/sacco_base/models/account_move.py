from odoo import fields, models
from odoo.tools import SQL


def fingerprint_query(where):
    """(move_id, fingerprint) of the moves matching ``where`` (an SQL condition on
    ``m``, the account_move row): an md5 of the move's date and journal and, per GL account,
    its rounded debit and credit totals. Splitting an item into several on the same account
    (the close of business splits accrual debits per loan) keeps it; changing an amount, an
    account, the date or the journal of a posted entry, or adding or deleting an item, does not.
    Which member or loan an item carries is proved by the sub-ledger checks instead."""
    return SQL(
        """
        SELECT t.move_id,
               md5(t.head || string_agg(
                   t.account_id || ':' || round(t.debit, 2) || ':' || round(t.credit, 2),
                   ';' ORDER BY t.account_id)) AS fingerprint
          FROM (SELECT l.move_id, l.account_id, m.date || '|' || m.journal_id || '|' AS head,
                       SUM(l.debit) AS debit, SUM(l.credit) AS credit
                  FROM account_move m
                  JOIN account_move_line l ON l.move_id = m.id
                 WHERE %s
                 GROUP BY l.move_id, l.account_id, m.date, m.journal_id) t
         GROUP BY t.move_id, t.head
        """,
        where,
    )


class AccountMove(models.Model):
    _inherit = "account.move"

    sacco_fingerprint = fields.Char(
        string="SACCO Seal",
        readonly=True,
        copy=False,
        help="Taken when the SACCO posting service posted this entry; the ledger integrity "
        "check recomputes it to prove the posted entry was not edited since.",
    )

    def _sacco_seal(self):
        """Record the fingerprint of these just-posted entries (one UPDATE)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move SET sacco_fingerprint = f.fingerprint
                  FROM (%s) f WHERE account_move.id = f.move_id
                """,
                fingerprint_query(SQL("m.id = ANY(%s)", self.ids)),
            )
        )
        self.invalidate_recordset(["sacco_fingerprint"])
