import logging

from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.sql import create_index

from odoo.addons.sacco_savings.models.sacco_savings_transaction import Movement

from sacco_core.mpesa import MpesaFormatError, normalize_reference, parse_account_reference

from .sacco_mpesa_request import kenya_date

_logger = logging.getLogger(__name__)

# Exactly once: the unique (receipt, company) index decides which delivery records a receipt.
# One statement records a whole batch; equal receipts in it are recorded once.
CLAIM_SQL = """
    INSERT INTO sacco_mpesa_transaction
        (name, company_id, config_id, source, amount, paid_at, phone, payer_name, bill_ref,
         request_id, state, create_uid, write_uid, create_date, write_date)
    SELECT name, company_id, config_id, source, amount, paid_at, phone, payer_name,
           bill_ref, request_id, 'received', %(uid)s, %(uid)s,
           now() at time zone 'UTC', now() at time zone 'UTC'
      FROM unnest(%(names)s::varchar[], %(companies)s::int4[], %(configs)s::int4[],
                  %(sources)s::varchar[], %(amounts)s::numeric[], %(paid_at)s::timestamp[],
                  %(phones)s::varchar[], %(payers)s::varchar[], %(bill_refs)s::varchar[],
                  %(requests)s::int4[])
           WITH ORDINALITY AS c(name, company_id, config_id, source, amount, paid_at, phone,
                                payer_name, bill_ref, request_id, position)
     ORDER BY position
    ON CONFLICT (name, company_id) DO NOTHING
    RETURNING id, name, company_id
"""
# Routing and posting write the outcome of a batch in one statement (no ORM write and
# no tracking message per payment); the branch follows the member as the related field would.
OUTCOME_SQL = """
    UPDATE sacco_mpesa_transaction t
       SET state = o.state, move_id = o.move_id, member_id = o.member_id,
           savings_account_id = o.account_id, loan_id = o.loan_id, note = o.note,
           branch_id = m.branch_id, write_uid = %(uid)s,
           write_date = now() at time zone 'UTC'
      FROM unnest(%(ids)s::int4[], %(states)s::varchar[], %(moves)s::int4[],
                  %(members)s::int4[], %(accounts)s::int4[], %(loans)s::int4[],
                  %(notes)s::varchar[]) AS o(id, state, move_id, member_id, account_id,
                                             loan_id, note)
      LEFT JOIN sacco_member m ON m.id = o.member_id
     WHERE t.id = o.id
"""
# An account number as the member may have typed it: upper case, no spaces.
NORMALIZED = "upper(regexp_replace({column}, '\\s', '', 'g'))"
# Where a typed account number is looked for, in this order (models and columns are ours).
REFERENCE_MODELS = (
    ("sacco.member", "member_number"),
    ("sacco.savings.account", "name"),
    ("sacco.loan", "name"),
)

STATES = [
    ("received", "Received"),
    ("posted", "Posted"),
    ("suspense", "In Suspense"),
    ("allocated", "Allocated"),
    ("refunded", "Refunded"),
    ("reversing", "Reversal Sent"),
    ("reversed", "Reversed"),
]
SOURCES = [("stk", "STK Push"), ("c2b", "Paybill (C2B)"), ("statement", "Statement")]
SMS_RECEIPT = "sacco_mpesa.sacco_sms_template_mpesa_receipt"


class ReceiptInFlight(Exception):
    """Another worker recorded this receipt after our transaction began (PostgreSQL refuses
    the insert under repeatable read): process the delivery again in a new transaction."""


class SaccoMpesaTransaction(models.Model):
    """One M-Pesa receipt, posted once whatever reports it (STK callback, C2B confirmation,
    statement import) and however often: the receipt is unique per company."""

    _name = "sacco.mpesa.transaction"
    _description = "M-Pesa Transaction"
    _inherit = ["mail.thread"]
    _order = "paid_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Receipt", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    config_id = fields.Many2one(
        "sacco.mpesa.config", string="Shortcode", required=True, readonly=True, check_company=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    source = fields.Selection(SOURCES, required=True, readonly=True)
    amount = fields.Monetary(readonly=True)
    paid_at = fields.Datetime(readonly=True, index=True)
    phone = fields.Char(readonly=True, help="Masked by M-Pesa on C2B v2 paybill payments.")
    payer_name = fields.Char(readonly=True)
    bill_ref = fields.Char(string="Account Number Typed", readonly=True)
    state = fields.Selection(
        STATES, default="received", required=True, readonly=True, index=True, tracking=True
    )
    member_id = fields.Many2one("sacco.member", readonly=True, index=True)
    branch_id = fields.Many2one(related="member_id.branch_id", store=True, index=True)
    savings_account_id = fields.Many2one("sacco.savings.account", readonly=True, index=True)
    loan_id = fields.Many2one("sacco.loan", readonly=True, index=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True)
    allocation_move_id = fields.Many2one("account.move", readonly=True)
    request_id = fields.Many2one("sacco.mpesa.request", readonly=True, index=True)
    note = fields.Char(readonly=True, help="Why the payment went to suspense.")

    _sql_constraints = [
        (
            "receipt_company_uniq",
            "unique(name, company_id)",
            "This M-Pesa receipt was already recorded.",
        ),
    ]

    # ---------------------------------------------------------------- exactly once

    @api.model
    def _claim(self, receipt, config, source, vals):
        """Record ``receipt``; None when it was already recorded, by another delivery or by
        another worker a moment ago (the unique index makes the second insert wait for the
        first transaction and then do nothing)."""
        return self._claim_many([(receipt, config, source, vals)]).get(0)

    @api.model
    def _claim_many(self, claims):
        """Record the receipts of ``(receipt, config, source, vals)`` claims with one
        INSERT; ``{position: transaction}`` for the claims that recorded theirs (of equal
        receipts, the first). Raises ReceiptInFlight when a concurrent transaction recorded
        one of them after ours began: the caller retries the claims one by one."""
        vals = [claim[3] for claim in claims]
        params = {
            "uid": self.env.uid,
            "names": [claim[0] for claim in claims],
            "companies": [claim[1].company_id.id for claim in claims],
            "configs": [claim[1].id for claim in claims],
            "sources": [claim[2] for claim in claims],
            "amounts": [v.get("amount") for v in vals],
            "paid_at": [v.get("paid_at") or None for v in vals],
            "phones": [v.get("phone") or None for v in vals],
            "payers": [v.get("payer_name") or None for v in vals],
            "bill_refs": [v.get("bill_ref") or None for v in vals],
            "requests": [v.get("request_id") or None for v in vals],
        }
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(CLAIM_SQL, params, log_exceptions=False)
                recorded = {(name, company): id_ for id_, name, company in self.env.cr.fetchall()}
        except SerializationFailure:
            raise ReceiptInFlight(params["names"]) from None
        claimed = {}
        for position, key in enumerate(zip(params["names"], params["companies"], strict=True)):
            if key in recorded:
                claimed[position] = self.sudo().browse(recorded.pop(key))
        return claimed

    # ---------------------------------------------------------------- routing

    def _routes(self):
        """``{transaction: (member, savings account, loan, problem)}``: where each payment
        goes (an STK push says it; else the account number typed), or why it matches
        nothing (it then waits in suspense). One lookup per table for the whole batch."""
        typed, routes = {}, {}
        for txn in self:
            request = txn.request_id
            if request and (request.savings_account_id or request.loan_id):
                routes[txn] = (request.member_id, request.savings_account_id, request.loan_id, None)
                continue
            try:
                typed[txn] = parse_account_reference(txn.bill_ref)
            except MpesaFormatError as error:
                routes[txn] = (None, None, None, str(error))
        for config, transactions in self.browse([t.id for t in typed]).grouped("config_id").items():
            found = self._lookup_references(config, [typed[txn] for txn in transactions])
            for txn in transactions:
                routes[txn] = found.get(typed[txn]) or (
                    None,
                    None,
                    None,
                    self.env._("No member, account or loan numbered '%s'.", txn.bill_ref),
                )
        return routes

    @api.model
    def _lookup_references(self, config, references):
        """``{reference: (member, savings account, loan, None)}`` for the parsed account
        references that match: a member number (with a product code, that product's
        account; else the configured default destination), a savings account number or a
        loan number. Numbers compare upper case without spaces, as the member may type them."""
        keys = {reference.key for reference in references}
        members, accounts, loans = (
            self._records_by_number(model, column, keys, config.company_id)
            for model, column in REFERENCE_MODELS
        )
        default_kind = "fosa_savings" if config.default_destination == "fosa" else "bosa_deposit"
        found = {}
        for reference in set(references):
            if reference.key in members:
                member = members[reference.key]
                account = member.savings_account_ids.filtered(
                    lambda a, ref=reference: (
                        a.state in ("active", "dormant")
                        and (
                            a.product_id.code.upper() == ref.product_code
                            if ref.product_code
                            else a.kind == default_kind
                        )
                    )
                )[:1]
                if account:
                    found[reference] = (member, account, None, None)
            elif reference.product_code:
                continue
            elif reference.key in accounts:
                account = accounts[reference.key]
                found[reference] = (account.member_id, account, None, None)
            elif reference.key in loans:
                loan = loans[reference.key]
                found[reference] = (loan.member_id, None, loan, None)
        return found

    @api.model
    def _records_by_number(self, model, column, keys, company):
        """``{normalised number: record}`` of ``model`` numbered one of ``keys`` (the
        expression indexes of ``init`` serve it); the records are read together."""
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT {NORMALIZED.format(column=column)}, id "  # noqa: S608
            f"FROM {self.env[model]._table} "
            f"WHERE company_id = %s AND {NORMALIZED.format(column=column)} = ANY(%s)",
            [company.id, [normalize_reference(key) for key in keys]],
        )
        ids = dict(self.env.cr.fetchall())
        records = self.env[model].sudo().browse(ids.values())
        by_id = {record.id: record for record in records}  # one prefetch for them all
        return {key: by_id[id_] for key, id_ in ids.items()}

    def init(self):
        for model, column in REFERENCE_MODELS:
            table = self.env[model]._table
            create_index(
                self.env.cr,
                f"{table}_mpesa_reference_idx",
                table,
                ["company_id", f"({NORMALIZED.format(column=column)})"],
            )

    @api.model
    def _reference_known(self, config, bill_ref):
        """Whether a paybill account number matches (C2B validation: one indexed lookup)."""
        try:
            reference = parse_account_reference(bill_ref)
        except MpesaFormatError:
            return False
        return reference in self._lookup_references(config, [reference])

    # ---------------------------------------------------------------- posting

    def _post_received(self):
        """Post the received payments: savings deposits of one shortcode and day together in one
        entry (bulk posting, one item per payment with the member as partner), each loan
        repayment through the loan's own allocation, and whatever fails or matches nothing
        to suspense in one entry. The outcomes are written in one statement, then the SMS
        receipts queued."""
        outcomes = {}
        # One entry per shortcode and business day: a batch straddling midnight in
        # Nairobi posts each payment on its own day.
        for (config, _day), transactions in (
            self.filtered(lambda t: t.state == "received")
            .grouped(lambda t: (t.config_id, t._posting_date()))
            .items()
        ):
            routes = transactions._routes()
            unmatched = {txn: (route[0], route[3]) for txn, route in routes.items() if route[3]}
            posted = self._post_deposits(
                config, [txn for txn, route in routes.items() if route[1] and not route[3]], routes
            )
            for txn in (t for t, route in routes.items() if route[2] and not route[3]):
                posted[txn] = txn._post_repayment(config, routes[txn])
            for txn, outcome in posted.items():
                if outcome[0] == "failed":
                    unmatched[txn] = (outcome[1], outcome[4])
                else:
                    outcomes[txn] = outcome
            outcomes.update(self._post_suspense(config, unmatched))
        self._write_outcomes(outcomes)
        self.filtered(lambda t: t.state == "posted")._send_receipts()

    @api.model
    def _post_deposits(self, config, transactions, routes):
        """All deposits in one savings entry; if the entry is refused (a frozen account...),
        each one alone, so one bad account does not hold back the others. ``{transaction:
        (state, member, account, loan, note, move)}``, state "failed" with the refusal."""
        if not transactions:
            return {}
        try:
            with self.env.cr.savepoint():
                return self._post_deposit_group(config, transactions, routes)
        except (UserError, ValidationError):
            outcomes = {}
            for txn in transactions:
                try:
                    with self.env.cr.savepoint():
                        outcomes.update(self._post_deposit_group(config, [txn], routes))
                except (UserError, ValidationError) as error:
                    outcomes[txn] = ("failed", routes[txn][0], None, None, str(error), None)
            return outcomes

    @api.model
    def _post_deposit_group(self, config, transactions, routes):
        movements = [Movement(routes[t][1], "deposit", t.amount) for t in transactions]
        counter = [
            {
                "account": config.journal_id._sacco_money_account("inbound"),
                "partner": routes[t][0].partner_id,
                "name": self.env._("M-Pesa %s", t.name),
                "debit": t.amount,
            }
            for t in transactions
        ]
        first = transactions[0]
        single = len(transactions) == 1
        savings = self.env["sacco.savings.transaction"]._post_movements(
            movements,
            counter,
            config.journal_id,
            first._posting_date(),
            "mpesa",
            external_ref=first.name if single else None,
            narration=self.env._("M-Pesa %s", first.name)
            if single
            else self.env._("M-Pesa payments"),
            bulk=not single,
        )
        move = savings[:1].move_id
        return {t: ("posted", routes[t][0], routes[t][1], None, None, move) for t in transactions}

    def _post_repayment(self, config, route):
        """The loan's own repayment (allocation order, overpayment rules); "failed" with the
        refusal text when the loan refuses it."""
        self.ensure_one()
        member, _account, loan, _problem = route
        try:
            with self.env.cr.savepoint():
                before = max(loan.sudo().move_line_ids.move_id.ids, default=0)
                loan.repay(
                    self.amount,
                    channel="mpesa",
                    journal=config.journal_id,
                    date=self._posting_date(),
                )
                move = loan.sudo().move_line_ids.move_id.filtered(lambda m: m.id > before)[:1]
        except (UserError, ValidationError) as error:
            return ("failed", member, None, None, str(error), None)
        return ("posted", member, None, loan, None, move)

    @api.model
    def _post_suspense(self, config, unmatched):
        """One entry: Dr the M-Pesa journal, Cr M-Pesa suspense, an item per payment on
        each side. ``unmatched`` maps each payment to (member or None, why)."""
        if not unmatched:
            return {}
        lines = []
        for txn, (member, _why) in unmatched.items():
            partner = member.partner_id if member else self.env["res.partner"]
            label = self.env._("M-Pesa %(receipt)s: %(ref)s", receipt=txn.name, ref=txn.bill_ref)
            lines += [
                {
                    "account": config.journal_id._sacco_money_account("inbound"),
                    "partner": partner,
                    "name": label,
                    "debit": txn.amount,
                },
                {
                    "account": config.suspense_account_id,
                    "partner": partner,
                    "name": label,
                    "credit": txn.amount,
                },
            ]
        transactions = self.browse([txn.id for txn in unmatched])
        move = (
            self.env["sacco.ledger"]
            .sudo()
            ._post_bulk_entry(
                config.journal_id,
                transactions[0]._posting_date(),
                self.env._("M-Pesa suspense"),
                lines,
            )
        )
        return {
            txn: ("suspense", member, None, None, why, move)
            for txn, (member, why) in unmatched.items()
        }

    @api.model
    def _write_outcomes(self, outcomes):
        """``{transaction: (state, member, account, loan, note, move)}`` in one UPDATE."""
        if not outcomes:
            return
        self.env.flush_all()
        rows = [(txn.id, *outcome) for txn, outcome in outcomes.items()]
        self.env.cr.execute(
            OUTCOME_SQL,
            {
                "uid": self.env.uid,
                "ids": [row[0] for row in rows],
                "states": [row[1] for row in rows],
                "members": [row[2].id if row[2] else None for row in rows],
                "accounts": [row[3].id if row[3] else None for row in rows],
                "loans": [row[4].id if row[4] else None for row in rows],
                "notes": [row[5] for row in rows],
                "moves": [row[6].id if row[6] else None for row in rows],
            },
        )
        self.browse([row[0] for row in rows]).invalidate_recordset()

    def _posting_date(self):
        """The business day of the receipt: Kenya's date when it was paid."""
        return kenya_date(self.paid_at)

    def _send_receipts(self):
        """One SMS receipt per payment, rendered here and queued with one INSERT."""
        template = self.env.ref(SMS_RECEIPT, raise_if_not_found=False)
        if not template or not template.active:
            return
        self.env["sacco.sms.message"]._queue_rendered(
            template,
            [
                (
                    txn.member_id.id,
                    txn.member_id.company_id.id,
                    txn.member_id.phone,
                    template._render_for(
                        txn.member_id,
                        {
                            "receipt": txn.name,
                            "amount": txn.currency_id.format(txn.amount),
                            "target": (txn.savings_account_id or txn.loan_id).display_name,
                        },
                    ),
                )
                for txn in self
            ],
        )

    # ---------------------------------------------------------------- suspense queue

    def _allocate(self, account=None, loan=None):
        """Move a suspense payment to a member's account or loan, through their own
        posting APIs, debiting M-Pesa suspense (the suspense journal's account)."""
        self.ensure_one()
        if self.state != "suspense":
            raise UserError(self.env._("Only payments in suspense can be allocated."))
        if bool(account) == bool(loan):
            raise UserError(self.env._("Choose one savings account or one loan."))
        journal = self.config_id._suspense_journal()
        self._lock_in_suspense(self.env._("This payment was allocated meanwhile."))
        if account:
            savings = account.deposit(
                self.amount,
                channel="mpesa",
                journal=journal,
                narration=self.env._("M-Pesa %s (from suspense)", self.name),
            )
            move = savings.move_id
        else:
            before = max(loan.sudo().move_line_ids.move_id.ids, default=0)
            loan.repay(self.amount, channel="mpesa", journal=journal)
            move = loan.sudo().move_line_ids.move_id.filtered(lambda m: m.id > before)[:1]
        target = account or loan
        self.sudo().write(
            {
                "state": "allocated",
                "member_id": target.member_id.id,
                "savings_account_id": account.id if account else False,
                "loan_id": loan.id if loan else False,
                "allocation_move_id": move.id,
            }
        )
        self.message_post(body=self.env._("Allocated to %s.", target.display_name))
        self._send_receipts()
        return True

    def _lock_in_suspense(self, refusal):
        """Lock this payment's row while it is in suspense, else refuse with ``refusal`` (a
        concurrent allocation or refund took it out meanwhile)."""
        self.flush_recordset(["state"])
        self.env.cr.execute(
            "SELECT id FROM sacco_mpesa_transaction WHERE id = %s AND state = 'suspense' "
            "FOR UPDATE",
            [self.id],
        )
        if not self.env.cr.fetchone():
            raise UserError(refusal)

    def _move_to_refund(self, config):
        """Take a suspense payment out of suspense into B2C clearing, to be paid back."""
        self.ensure_one()
        self._lock_in_suspense(self.env._("Only payments in suspense can be refunded."))
        partner = self.member_id.partner_id
        label = self.env._("Refund of M-Pesa %s", self.name)
        move = (
            self.env["sacco.ledger"]
            .sudo()
            ._post_entry(
                config.suspense_journal_id,
                kenya_date(),
                label,
                [
                    {
                        "account": config.suspense_account_id,
                        "partner": partner,
                        "name": label,
                        "debit": self.amount,
                    },
                    {
                        "account": config.clearing_account_id,
                        "partner": partner,
                        "name": label,
                        "credit": self.amount,
                    },
                ],
            )
        )
        self.sudo().state = "refunded"
        self.message_post(body=label)
        return move
