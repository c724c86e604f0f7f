import logging

from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.sacco_savings.models.sacco_savings_transaction import Movement

from sacco_core.mpesa import MpesaFormatError, normalize_reference, parse_account_reference

_logger = logging.getLogger(__name__)

# Exactly once: the unique (receipt, company) index decides which delivery records a receipt.
CLAIM_SQL = """
    INSERT INTO sacco_mpesa_transaction
        (name, company_id, config_id, source, state, create_uid, write_uid,
         create_date, write_date)
    VALUES (%s, %s, %s, %s, 'received', %s, %s,
            now() at time zone 'UTC', now() at time zone 'UTC')
    ON CONFLICT (name, company_id) DO NOTHING
    RETURNING id
"""

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
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    CLAIM_SQL,
                    [receipt, config.company_id.id, config.id, source, self.env.uid, self.env.uid],
                    log_exceptions=False,
                )
                row = self.env.cr.fetchone()
        except SerializationFailure:
            raise ReceiptInFlight(receipt) from None
        if not row:
            return None
        transaction = self.sudo().browse(row[0])
        transaction.write(vals)
        return transaction

    @api.model
    def _existing(self, receipt, company):
        return self.sudo().search([("name", "=", receipt), ("company_id", "=", company.id)])

    # ---------------------------------------------------------------- routing

    def _route(self):
        """(member, savings account, loan) the payment goes to; an explanation when it
        matches nothing (the payment then waits in suspense)."""
        self.ensure_one()
        request = self.request_id
        if request and (request.savings_account_id or request.loan_id):
            return request.member_id, request.savings_account_id, request.loan_id, None
        try:
            reference = parse_account_reference(self.bill_ref)
        except MpesaFormatError as error:
            return None, None, None, str(error)
        found = self._lookup_reference(self.config_id, reference)
        if not found:
            return (
                None,
                None,
                None,
                self.env._("No member, account or loan numbered '%s'.", self.bill_ref),
            )
        return found

    @api.model
    def _lookup_reference(self, config, reference):
        """(member, savings account, loan, None) for a parsed account reference, else None.
        Numbers compare upper case without spaces, as the member may have typed them."""
        company = config.company_id
        Account = self.env["sacco.savings.account"].sudo()
        member = self._find_by_number("sacco_member", "member_number", reference.key, company)
        member = self.env["sacco.member"].sudo().browse(member)
        if reference.product_code:
            account = member.savings_account_ids.filtered(
                lambda a: (
                    a.product_id.code.upper() == reference.product_code
                    and a.state in ("active", "dormant")
                )
            )[:1]
            return (member, account, None, None) if account else None
        if member:
            account = member.savings_account_ids.filtered(
                lambda a: (
                    a.kind
                    == ("fosa_savings" if config.default_destination == "fosa" else "bosa_deposit")
                    and a.state in ("active", "dormant")
                )
            )[:1]
            return (member, account, None, None) if account else None
        account = Account.browse(
            self._find_by_number("sacco_savings_account", "name", reference.key, company)
        )
        if account:
            return account.member_id, account, None, None
        loan = (
            self.env["sacco.loan"]
            .sudo()
            .browse(self._find_by_number("sacco_loan", "name", reference.key, company))
        )
        if loan:
            return loan.member_id, None, loan, None
        return None

    @api.model
    def _find_by_number(self, table, column, key, company):
        # Tables and columns are ours (constants at every call site), never user input.
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT id FROM {table} "  # noqa: S608
            f"WHERE company_id = %s AND upper(regexp_replace({column}, '\\s', '', 'g')) = %s "
            "LIMIT 1",
            [company.id, normalize_reference(key)],
        )
        row = self.env.cr.fetchone()
        return row[0] if row else None

    @api.model
    def _reference_known(self, config, bill_ref):
        """Whether a paybill account number matches (C2B validation: one indexed lookup)."""
        try:
            return bool(self._lookup_reference(config, parse_account_reference(bill_ref)))
        except MpesaFormatError:
            return False

    # ---------------------------------------------------------------- posting

    def _post_received(self):
        """Post the received payments: savings deposits of one shortcode together in one
        entry (bulk posting), each loan repayment through the loan's own allocation, and
        whatever fails or matches nothing to suspense. Then the SMS receipts."""
        for config, transactions in (
            self.filtered(lambda t: t.state == "received").grouped("config_id").items()
        ):
            routed, unmatched = {}, {}
            for txn in transactions:
                member, account, loan, problem = txn._route()
                if problem:
                    unmatched[txn] = (member, problem)
                else:
                    txn.sudo().write(
                        {
                            "member_id": member.id,
                            "savings_account_id": account.id if account else False,
                            "loan_id": loan.id if loan else False,
                        }
                    )
                    routed[txn] = account or loan
            deposits = [txn for txn, target in routed.items() if target._name != "sacco.loan"]
            failed = transactions._post_deposits(config, deposits)
            for txn in (t for t, target in routed.items() if target._name == "sacco.loan"):
                problem = txn._post_repayment(config)
                if problem:
                    failed[txn] = problem
            unmatched.update({txn: (txn.member_id, problem) for txn, problem in failed.items()})
            self._post_suspense(config, unmatched)
        self.filtered(lambda t: t.state == "posted")._send_receipts()

    @api.model
    def _post_deposits(self, config, transactions):
        """All deposits in one savings entry; if the entry is refused (a frozen account...),
        each one alone, so one bad account does not hold back the others."""
        if not transactions:
            return {}
        try:
            with self.env.cr.savepoint():
                self._post_deposit_group(config, transactions)
            return {}
        except (UserError, ValidationError):
            failed = {}
            for txn in transactions:
                try:
                    with self.env.cr.savepoint():
                        self._post_deposit_group(config, [txn])
                except (UserError, ValidationError) as error:
                    failed[txn] = str(error)
            return failed

    @api.model
    def _post_deposit_group(self, config, transactions):
        movements = [Movement(t.savings_account_id, "deposit", t.amount) for t in transactions]
        counter = [
            {
                "account": config.journal_id.default_account_id,
                "partner": t.member_id.partner_id,
                "name": self.env._("M-Pesa %s", t.name),
                "debit": t.amount,
            }
            for t in transactions
        ]
        first = transactions[0]
        savings = self.env["sacco.savings.transaction"]._post_movements(
            movements,
            counter,
            config.journal_id,
            first._posting_date(),
            "mpesa",
            external_ref=first.name if len(transactions) == 1 else None,
            narration=self.env._("M-Pesa %s", ", ".join(t.name for t in transactions))
            if len(transactions) == 1
            else self.env._("M-Pesa payments"),
        )
        self.browse([t.id for t in transactions]).sudo().write(
            {"state": "posted", "move_id": savings[:1].move_id.id}
        )

    def _post_repayment(self, config):
        """The loan's own repayment (allocation order, overpayment rules); the refusal text
        when the loan refuses it."""
        self.ensure_one()
        loan = self.loan_id
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
                self.sudo().write({"state": "posted", "move_id": move.id})
        except (UserError, ValidationError) as error:
            return str(error)
        return None

    @api.model
    def _post_suspense(self, config, unmatched):
        """One entry: Dr the M-Pesa journal, Cr M-Pesa suspense, a line per payment."""
        if not unmatched:
            return
        lines = []
        for txn, (member, _problem) in unmatched.items():
            partner = member.partner_id if member else self.env["res.partner"]
            label = self.env._("M-Pesa %(receipt)s: %(ref)s", receipt=txn.name, ref=txn.bill_ref)
            lines += [
                {
                    "account": config.journal_id.default_account_id,
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
            ._post_entry(
                config.journal_id,
                transactions[0]._posting_date(),
                self.env._("M-Pesa suspense"),
                lines,
            )
        )
        for txn, (member, problem) in unmatched.items():
            txn.sudo().write(
                {
                    "state": "suspense",
                    "move_id": move.id,
                    "member_id": member.id if member else False,
                    "savings_account_id": False,
                    "loan_id": False,
                    "note": problem,
                }
            )

    def _posting_date(self):
        return (
            fields.Date.context_today(self, self.paid_at)
            if self.paid_at
            else (fields.Date.context_today(self))
        )

    def _send_receipts(self):
        template = self.env.ref(SMS_RECEIPT, raise_if_not_found=False)
        Sms = self.env["sacco.sms.message"]
        Sms._queue_all(
            [
                Sms._template_vals(
                    template,
                    txn.member_id,
                    {
                        "receipt": txn.name,
                        "amount": txn.currency_id.format(txn.amount),
                        "target": (txn.savings_account_id or txn.loan_id).display_name,
                    },
                )
                for txn in self
            ]
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
        self.flush_recordset(["state"])
        self.env.cr.execute(
            "SELECT id FROM sacco_mpesa_transaction WHERE id = %s AND state = 'suspense' "
            "FOR UPDATE",
            [self.id],
        )
        if not self.env.cr.fetchone():
            raise UserError(self.env._("This payment was allocated meanwhile."))
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

    def _move_to_refund(self, config):
        """Take a suspense payment out of suspense into B2C clearing, to be paid back."""
        self.ensure_one()
        self.flush_recordset(["state"])
        self.env.cr.execute(
            "SELECT id FROM sacco_mpesa_transaction WHERE id = %s AND state = 'suspense' "
            "FOR UPDATE",
            [self.id],
        )
        if not self.env.cr.fetchone():
            raise UserError(self.env._("Only payments in suspense can be refunded."))
        partner = self.member_id.partner_id
        label = self.env._("Refund of M-Pesa %s", self.name)
        move = (
            self.env["sacco.ledger"]
            .sudo()
            ._post_entry(
                config.suspense_journal_id,
                fields.Date.context_today(self),
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
