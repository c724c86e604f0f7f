import base64
import hashlib

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from sacco_core.mpesa import MpesaFormatError, parse_statement
from sacco_core.spreadsheet import read_rows

from .sacco_mpesa_request import EAT

LINE_STATES = [
    ("matched", "Matched"),
    ("recovered", "Recovered"),
    ("difference", "Amount Differs"),
    ("missing", "Missing on Statement"),
    ("unmatched", "Not Ours"),
]


class SaccoMpesaStatement(models.Model):
    """The organisation statement exported from the M-Pesa portal, reconciled by receipt:
    a payment we never heard of (a lost callback) is recovered and posted; differences and
    our receipts missing from the statement are listed for staff."""

    _name = "sacco.mpesa.statement"
    _description = "M-Pesa Statement Import"
    _order = "id desc"
    _rec_name = "filename"
    _check_company_auto = True

    config_id = fields.Many2one(
        "sacco.mpesa.config", string="Shortcode", required=True, check_company=True
    )
    company_id = fields.Many2one(related="config_id.company_id", store=True, index=True)
    file = fields.Binary(required=True, attachment=False)
    filename = fields.Char(required=True)
    checksum = fields.Char(readonly=True, index=True, copy=False)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Reconciled"), ("failed", "Refused")],
        default="draft",
        readonly=True,
    )
    errors = fields.Text(readonly=True)
    line_ids = fields.One2many("sacco.mpesa.statement.line", "statement_id", readonly=True)
    bank_statement_id = fields.Many2one(
        "account.bank.statement",
        readonly=True,
        copy=False,
        help="The paybill journal's statement of this file: each row's money reconciled with "
        "its receipt's or payout's outstanding item.",
    )
    recovered_count = fields.Integer(compute="_compute_counts")
    issue_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        (
            "checksum_company_uniq",
            "unique(checksum, company_id)",
            "This statement file was already imported.",
        ),
    ]

    @api.depends("line_ids.state")
    def _compute_counts(self):
        for statement in self:
            states = statement.line_ids.mapped("state")
            statement.recovered_count = states.count("recovered")
            statement.issue_count = sum(
                states.count(state) for state in ("difference", "missing", "unmatched")
            )

    def action_import(self):
        """Validate the whole file first: a file with any bad line posts nothing."""
        self.ensure_one()
        content = base64.b64decode(self.file)
        checksum = hashlib.sha256(content).hexdigest()
        if self.search_count(
            [("checksum", "=", checksum), ("company_id", "=", self.company_id.id)]
        ):
            raise UserError(self.env._("This statement file was already imported."))
        try:
            rows, errors = parse_statement(
                read_rows(content, self.filename, "M-Pesa statement", MpesaFormatError)
            )
        except MpesaFormatError as error:
            rows, errors = [], [str(error)]
        if errors:
            self.write({"state": "failed", "errors": "\n".join(errors)})
            return True
        self.write({"checksum": checksum, "errors": False})
        self._reconcile(rows)
        self.state = "done"
        return True

    def _reconcile(self, rows):
        Transaction = self.env["sacco.mpesa.transaction"].sudo()
        Request = self.env["sacco.mpesa.request"].sudo()
        receipts = [row.receipt for row in rows]
        known = {
            t.name: t
            for t in Transaction.search(
                [("name", "in", receipts), ("company_id", "=", self.company_id.id)]
            )
        }
        payouts = {
            r.receipt: r
            for r in Request.search([("receipt", "in", receipts), ("kind", "=", "b2c")])
        }
        lines, recovered = [], Transaction.browse()
        for row in rows:
            vals = {
                "receipt": row.receipt,
                "completed_at": row.completed_at and row.completed_at - EAT,
                "paid_in": float(row.paid_in),
                "withdrawn": float(row.withdrawn),
                "account_ref": row.account_ref,
                "details": row.details,
                "is_charge": row.is_charge,
            }
            ours, booked = self._row_booking(row, known, payouts)
            amount = row.paid_in or row.withdrawn
            if ours:
                currency = self.company_id.currency_id
                differs = currency.compare_amounts(booked, float(amount)) != 0
                vals.update(
                    state="difference" if differs else "matched",
                    transaction_id=ours.id if ours._name == Transaction._name else False,
                )
            elif row.paid_in and row.status.lower() in ("", "completed"):
                txn = Transaction._claim(
                    row.receipt,
                    self.config_id,
                    "statement",
                    {
                        "amount": float(row.paid_in),
                        "paid_at": vals["completed_at"],
                        "bill_ref": row.account_ref,
                        "payer_name": row.other_party,
                    },
                )
                recovered |= txn
                vals.update(state="recovered", transaction_id=txn.id)
            else:
                vals["state"] = "unmatched"
            lines.append(Command.create(vals))
        lines += self._missing_lines(rows, set(receipts))
        self.sudo().line_ids = lines  # lines are written by the reconciliation only
        recovered._post_received()
        self._post_bank_statement(rows, known | {t.name: t for t in recovered}, payouts)

    def _row_booking(self, row, known, payouts):
        """(our receipt or payout, the amount we booked for the row): a charge row is the
        B2C charge of its payout; (None, 0.0) when the row is not ours."""
        if row.is_charge:
            payout = payouts.get(row.receipt)
            return payout, payout.charge if payout else 0.0
        ours = known.get(row.receipt) or payouts.get(row.receipt)
        return ours, ours.amount if ours else 0.0

    def _post_bank_statement(self, rows, transactions, payouts):
        """The file's rows as the paybill journal's statement, each row reconciled with the
        open outstanding item of its receipt or payout of the same amount (a charge row with
        the payout's charge item); rows without one
        (not ours, amounts that differ) stay open for the accountants' reconciliation."""
        currency = self.company_id.currency_id
        rows = [
            row
            for row in rows
            if row.status.lower() in ("", "completed")
            and not currency.is_zero(float(row.paid_in - row.withdrawn))
        ]
        if not rows:
            return
        journal = self.config_id.sudo().journal_id
        StatementLine = self.env["account.bank.statement.line"].sudo()
        bank_lines = StatementLine.create(
            [
                {
                    "journal_id": journal.id,
                    "date": (row.completed_at or fields.Datetime.now() + EAT).date(),
                    "amount": float(row.paid_in - row.withdrawn),
                    "payment_ref": f"M-Pesa {row.receipt} {row.details}".strip(),
                    "partner_id": self._row_ours(row, transactions, payouts)[1].id,
                }
                for row in rows
            ]
        )
        self.sudo().bank_statement_id = (
            self.env["account.bank.statement"]
            .sudo()
            .create({"name": self.filename, "line_ids": [Command.set(bank_lines.ids)]})
        )
        taken = self.env["account.move.line"]
        for row, bank_line in zip(rows, bank_lines, strict=True):
            moves = self._row_ours(row, transactions, payouts)[0]
            account = journal._sacco_money_account("inbound" if row.paid_in else "outbound")
            item = self._open_item(moves, account, row.receipt, bank_line.amount) - taken
            if item:
                bank_line._sacco_reconcile(item)
                taken |= item

    def _row_ours(self, row, transactions, payouts):
        """(entry, member's partner) of the row's receipt or payout (a charge row's: the
        payout's, whose entry has an item for the charge): empty when not ours."""
        if row.receipt in transactions and not row.is_charge:
            txn = transactions[row.receipt]
            return txn.move_id, txn.member_id.partner_id
        if row.receipt in payouts:
            payout = payouts[row.receipt]
            return payout.settle_move_id, payout.member_id.partner_id
        return self.env["account.move"], self.env["res.partner"]

    def _open_item(self, moves, account, receipt, amount):
        """The open item on ``account`` of ``moves`` for ``amount``: the one whose label
        names the receipt (a batch entry has an item per payment), or the entry's only item
        on the account (a loan repayment's)."""
        currency = self.company_id.currency_id
        items = moves.line_ids.filtered(lambda item: item.account_id == account)
        named = items.filtered(lambda item: receipt in (item.name or ""))
        candidates = named or (items if len(items) == 1 else items[:0])
        return candidates.filtered(
            lambda item: (
                not item.reconciled and not currency.compare_amounts(item.amount_residual, amount)
            )
        )[:1]

    def _missing_lines(self, rows, receipts):
        """Our receipts of the statement's period that the statement does not show."""
        times = [row.completed_at for row in rows if row.completed_at]
        if not times:
            return []
        ours = (
            self.env["sacco.mpesa.transaction"]
            .sudo()
            .search(
                [
                    ("config_id", "=", self.config_id.id),
                    ("paid_at", ">=", min(times) - EAT),
                    ("paid_at", "<=", max(times) - EAT),
                    ("name", "not in", list(receipts)),
                ]
            )
        )
        return [
            Command.create(
                {
                    "receipt": txn.name,
                    "completed_at": txn.paid_at,
                    "paid_in": txn.amount,
                    "state": "missing",
                    "transaction_id": txn.id,
                }
            )
            for txn in ours
        ]
