import json
import time
from datetime import timedelta
from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.modules import module

from sacco_core.mpesa import (
    MpesaFormatError,
    parse_c2b,
    parse_result,
    parse_stk_callback,
    parse_timeout,
)

from .sacco_mpesa_request import EAT, timestamp_now
from .sacco_mpesa_transaction import ReceiptInFlight

KINDS = [
    ("stk", "STK Push Result"),
    ("c2b_validation", "C2B Validation"),
    ("c2b_confirmation", "C2B Confirmation"),
    ("b2c_result", "B2C Result"),
    ("b2c_timeout", "B2C Timeout"),
    ("status_result", "Status Result"),
    ("status_timeout", "Status Timeout"),
    ("reversal_result", "Reversal Result"),
    ("reversal_timeout", "Reversal Timeout"),
    ("balance_result", "Balance Result"),
    ("balance_timeout", "Balance Timeout"),
]


class Claim(NamedTuple):
    """A delivery's claim on an M-Pesa receipt, recorded with the others of its batch."""

    callback: models.Model
    receipt: str
    source: str
    vals: dict
    callback_vals: dict
    request: models.Model


# How long an STK result waits for its request (the push may still be committing).
ORPHAN_GRACE = timedelta(minutes=10)


BATCH_SIZE = 500
# The job drains the queue for at most this long, then hands over to its next run.
DRAIN_SECONDS = 60
# While callbacks keep arriving, the job rests this many times as long as its last batch
# took (at most MAX_REST seconds) before the next: the acknowledgements, which Daraja times,
# come first. The cron worker runs at a lower CPU priority, but its PostgreSQL backend
# competes with theirs at par. The batches grow meanwhile, so they cost less each; once
# the callbacks stop coming the job posts without rest.
REST_RATIO = 1
MAX_REST = 1.0
PROCESS_CRON = "sacco_mpesa.ir_cron_sacco_mpesa_process"
# Advisory locks (arbitrary constants of this add-on): every acknowledgement holds the first
# shared until it commits; the job holds the second while it drains the queue.
STORING_LOCK = 7_106_201
DRAINING_LOCK = 7_106_202
LINK_SQL = """
    UPDATE sacco_mpesa_callback c
       SET state = v.state, request_id = COALESCE(v.request_id, c.request_id),
           receipt = v.receipt, transaction_id = v.transaction_id, duplicate = v.duplicate,
           write_uid = %(uid)s, write_date = now() at time zone 'UTC'
      FROM unnest(%(ids)s::int4[], %(states)s::varchar[], %(requests)s::int4[],
                  %(receipts)s::varchar[], %(transactions)s::int4[], %(duplicates)s::bool[])
           AS v(id, state, request_id, receipt, transaction_id, duplicate)
     WHERE c.id = v.id
"""
# The raw callback and, for an acknowledgement that wakes the job, the locks of
# ``_store``: STORING_LOCK shared, then (CASE keeps the order) whether the job is idle.
STORE_SQL = """
    WITH stored AS (
        INSERT INTO sacco_mpesa_callback
            (config_id, company_id, kind, body, headers, source_ip, received_at, state, error,
             create_uid, write_uid, create_date, write_date)
        SELECT id, company_id, %(kind)s, %(body)s, %(headers)s, %(source_ip)s,
               now() at time zone 'UTC', %(state)s, %(error)s, %(uid)s, %(uid)s,
               now() at time zone 'UTC', now() at time zone 'UTC'
          FROM sacco_mpesa_config WHERE id = %(config)s
        RETURNING id
    )
    SELECT id,
           CASE WHEN NOT %(wake)s THEN false
                WHEN pg_advisory_xact_lock_shared(%(storing)s) IS NOT NULL
                THEN pg_try_advisory_xact_lock_shared(%(draining)s)
           END
      FROM stored
"""


class SaccoMpesaCallback(models.Model):
    """Every message Daraja posts to us, stored raw before anything else is done with it."""

    _name = "sacco.mpesa.callback"
    _description = "M-Pesa Callback"
    _order = "id desc"
    _check_company_auto = True

    config_id = fields.Many2one("sacco.mpesa.config", string="Shortcode", readonly=True)
    company_id = fields.Many2one(related="config_id.company_id", store=True, index=True)
    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    body = fields.Text(readonly=True)
    headers = fields.Text(readonly=True)
    source_ip = fields.Char(readonly=True)
    received_at = fields.Datetime(default=fields.Datetime.now, readonly=True, index=True)
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Processed"), ("failed", "Failed")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    error = fields.Char(readonly=True)
    receipt = fields.Char(readonly=True, index=True)
    transaction_id = fields.Many2one("sacco.mpesa.transaction", readonly=True, index=True)
    request_id = fields.Many2one("sacco.mpesa.request", readonly=True, index=True)
    duplicate = fields.Boolean(
        readonly=True, help="The receipt was already recorded from an earlier delivery."
    )

    @api.model
    def _store(
        self, config, kind, raw_body, headers, source_ip, state="pending", error=None, wake=False
    ):
        """The raw log entry, one INSERT (the acknowledgement waits for it); a body that
        is not a JSON object is stored as failed. ``wake``: wake the background job,
        unless it is draining the queue already; then it will see this callback, as
        before it stops it waits for the callbacks being stored (``_drained``), so under
        load acknowledgements create no trigger and wake no cron worker."""
        if state == "pending":
            error = self._body_error(raw_body)
            state = "failed" if error else "pending"
        self.env.cr.execute(
            STORE_SQL,
            {
                "config": config.id,
                "kind": kind,
                "body": raw_body,
                "headers": json.dumps(headers, default=str),
                "source_ip": source_ip,
                "state": state,
                "error": error,
                "uid": self.env.uid,
                "wake": wake,
                "storing": STORING_LOCK,
                "draining": DRAINING_LOCK,
            },
        )
        callback_id, job_idle = self.env.cr.fetchone()
        if job_idle:
            self.env.ref(PROCESS_CRON).sudo()._trigger()
        return self.browse(callback_id)

    @api.model
    def _body_error(self, raw_body):
        try:
            body = json.loads(raw_body or "")
        except ValueError as exc:
            return self.env._("Malformed JSON: %s", exc)
        if not isinstance(body, dict):
            return self.env._("The body is not a JSON object.")
        return None

    def _json(self):
        return json.loads(self.body)

    # ---------------------------------------------------------------- processing

    @api.model
    def _cron_process(self, batch_size=BATCH_SIZE):
        """Drain the pending callbacks in batches (oldest first, skipping rows another
        worker holds), committing each batch. Callbacks stored meanwhile do not wake the
        job again (``_store``): it stops only once none is pending after every
        acknowledgement in flight has committed."""
        if module.current_test:  # one transaction, rolled back by the test
            self._drain(batch_size, time.monotonic() + DRAIN_SECONDS, [])
            return
        cr = self.env.cr
        cr.execute("SELECT pg_advisory_lock(%s)", [DRAINING_LOCK])
        try:
            cr.commit()  # the first batch sees every callback stored before the lock
            deadline, waiting = time.monotonic() + DRAIN_SECONDS, []
            while time.monotonic() < deadline:
                done = self._drain(batch_size, deadline, waiting)
                if done and self._drained(waiting):
                    return
            self.env.ref(PROCESS_CRON)._trigger()  # out of time: the next run goes on
            cr.commit()
        finally:
            cr.rollback()  # after a failure, so that the locks are released all the same
            cr.execute("SELECT pg_advisory_unlock_all()")
            cr.commit()

    def _drain(self, batch_size, deadline, waiting):
        """Process pending callbacks batch after batch until none is left or the time is
        up; whether none is left. Those that stay pending (an STK result before its
        request, a receipt another worker is recording) are added to ``waiting`` and left
        for the next run."""
        newest = self._newest_id()
        while time.monotonic() < deadline:
            started = time.monotonic()
            self.env.cr.execute(
                "SELECT id FROM sacco_mpesa_callback WHERE state = 'pending' "
                "AND id <> ALL(%s) ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                [waiting, batch_size],
            )
            callbacks = self.browse([row[0] for row in self.env.cr.fetchall()])
            if not callbacks:
                return True
            callbacks._process()
            waiting += callbacks.filtered(lambda c: c.state == "pending").ids
            if not module.current_test:
                self.env.cr.commit()
                latest = self._newest_id()
                if latest > newest:  # acknowledgements go on: let them first
                    time.sleep(min((time.monotonic() - started) * REST_RATIO, MAX_REST))
                newest = latest
        return False

    def _newest_id(self):
        self.env.cr.execute("SELECT max(id) FROM sacco_mpesa_callback")
        return self.env.cr.fetchone()[0] or 0

    def _drained(self, waiting):
        """Whether no callback is pending (but ``waiting``) once the acknowledgements in
        flight have committed: they hold STORING_LOCK shared until then, so taking it
        exclusively waits for them (and holds new ones back for a moment). If none is,
        the job stops draining before they go on, so they wake it again."""
        cr = self.env.cr
        cr.execute("SELECT pg_advisory_lock(%s)", [STORING_LOCK])
        cr.commit()  # a new snapshot, taken after their commits
        cr.execute(
            "SELECT EXISTS(SELECT 1 FROM sacco_mpesa_callback "
            "WHERE state = 'pending' AND id <> ALL(%s))",
            [waiting],
        )
        pending = cr.fetchone()[0]
        if not pending:
            cr.execute("SELECT pg_advisory_unlock(%s)", [DRAINING_LOCK])
        cr.execute("SELECT pg_advisory_unlock(%s)", [STORING_LOCK])
        cr.commit()
        return not pending

    def _process(self):
        """Process these callbacks. Payments (C2B confirmations, successful STK results)
        are parsed one by one, their receipts then recorded with one INSERT (exactly once)
        and posted together; the other kinds are applied one by one."""
        claims, failed, stk_waiting = [], {}, {}
        for callback in self:
            try:
                if callback.kind == "c2b_confirmation":  # reads only: no savepoint
                    claims.append(callback._process_c2b(callback._json(), stk_waiting))
                    continue
                with self.env.cr.savepoint():
                    claim = callback._dispatch()
                if claim:
                    claims.append(claim)
            except (MpesaFormatError, UserError, ValidationError) as error:
                self.env.invalidate_all()
                failed[callback] = str(error)
        for callback, error in failed.items():
            callback.write({"state": "failed", "error": error})
        transactions = self._record_receipts(claims)
        transactions._post_received()
        return transactions

    def _dispatch(self):
        handler = {
            "stk": self._process_stk,
            "b2c_result": self._process_b2c_result,
            "b2c_timeout": self._process_b2c_timeout,
            "status_result": self._process_query_result,
            "balance_result": self._process_query_result,
            "status_timeout": self._process_query_timeout,
            "balance_timeout": self._process_query_timeout,
        }.get(self.kind)
        if not handler:
            self.write({"state": "failed", "error": self.env._("Not handled by this version.")})
            return None
        return handler(self._json())

    def _process_stk(self, body):
        result = parse_stk_callback(body)
        request = (
            self.env["sacco.mpesa.request"]
            .sudo()
            .search(
                [
                    ("checkout_request_id", "=", result.checkout_request_id),
                    ("config_id", "=", self.config_id.id),
                ],
                limit=1,
            )
        )
        if not request:
            if fields.Datetime.now() - self.received_at < ORPHAN_GRACE:
                return None  # the request may not be committed yet: try again later
            raise MpesaFormatError(
                self.env._("No STK request has CheckoutRequestID %s.", result.checkout_request_id)
            )
        request._apply_stk_result(result)
        vals = {"state": "done", "request_id": request.id}
        if not result.success:
            self.write(vals)
            return None
        return Claim(
            self,
            result.receipt,
            "stk",
            {
                "amount": float(result.amount),
                "paid_at": result.paid_at and result.paid_at - EAT,
                "phone": result.phone,
                "bill_ref": request.account_reference,
                "request_id": request.id,
            },
            vals,
            request,
        )

    def _process_c2b(self, body, stk_waiting):
        """The claim of a C2B confirmation; ``stk_waiting`` holds the STK requests of each
        shortcode still waiting for a payment in this batch (read once per batch)."""
        payment = parse_c2b(body)
        config = self.config_id
        if payment.shortcode != config.shortcode:
            raise MpesaFormatError(
                self.env._("Shortcode %s is not the one of this callback URL.", payment.shortcode)
            )
        if config not in stk_waiting:
            stk_waiting[config] = self.env["sacco.mpesa.request"]._pending_for_payments(config)
        request = stk_waiting[config]._paid_by(payment.bill_ref, payment.amount)
        stk_waiting[config] -= request
        return Claim(
            self,
            payment.trans_id,
            "c2b",
            {
                "amount": float(payment.amount),
                "paid_at": payment.paid_at and payment.paid_at - EAT,
                "phone": payment.msisdn,
                "payer_name": payment.payer_name,
                "bill_ref": payment.bill_ref,
                "request_id": request.id,
            },
            {"state": "done"},
            request,
        )

    def _request_for(self, originator, kind):
        request = (
            self.env["sacco.mpesa.request"]
            .sudo()
            .search([("originator_id", "=", originator), ("kind", "=", kind)], limit=1)
        )
        if not request:
            raise MpesaFormatError(
                self.env._(
                    "No %(kind)s request has OriginatorConversationID %(id)s.",
                    kind=kind,
                    id=originator,
                )
            )
        return request

    def _process_query_result(self, body):
        result = parse_result(body)
        kind = self.kind.split("_")[0]
        request = self._request_for(result.originator_conversation_id, kind)
        getattr(request, f"_apply_{kind}_result")(result)
        self.write({"state": "done", "request_id": request.id})

    def _process_query_timeout(self, body):
        request = self._request_for(parse_timeout(body), self.kind.split("_")[0])
        request.write({"state": "unknown"})
        self.write({"state": "done", "request_id": request.id})

    def _process_b2c_result(self, body):
        result = parse_result(body)
        request = self._request_for(result.originator_conversation_id, "b2c")
        request._apply_b2c_result(result)
        self.write({"state": "done", "request_id": request.id, "receipt": result.transaction_id})

    def _process_b2c_timeout(self, body):
        request = self._request_for(parse_timeout(body), "b2c")
        request._apply_b2c_timeout()
        self.write({"state": "done", "request_id": request.id})

    @api.model
    def _record_receipts(self, claims):
        """Record the claimed receipts (exactly once: one INSERT, the unique index decides)
        and link each delivery to its transaction; a receipt already recorded, by an
        earlier delivery or one of this batch, marks the delivery a duplicate and posts
        nothing. If another worker is recording one of them right now, the claims are made
        one by one and the deliveries of such receipts stay pending for the next run."""
        Transaction = self.env["sacco.mpesa.transaction"]
        receipts = [(c.receipt, c.callback.config_id, c.source, c.vals) for c in claims]
        try:
            claimed, retry = Transaction._claim_many(receipts), set()
        except ReceiptInFlight:
            claimed, retry = {}, set()
            for position, receipt in enumerate(receipts):
                try:
                    single = Transaction._claim_many([receipt])
                except ReceiptInFlight:
                    retry.add(position)
                    continue
                if single:
                    claimed[position] = single[0]
            self.env.invalidate_all()
            self.env.ref(PROCESS_CRON)._trigger()
        return self._link_claims(claims, claimed, retry)

    def _link_claims(self, claims, claimed, retry):
        Transaction = self.env["sacco.mpesa.transaction"]
        duplicates = [
            claim
            for position, claim in enumerate(claims)
            if position not in claimed and position not in retry
        ]
        existing = {
            (txn.name, txn.company_id): txn
            for txn in Transaction.sudo().search(
                [("name", "in", [claim.receipt for claim in duplicates])]
            )
        }
        rows = []
        for position, claim in enumerate(claims):
            if position in retry:
                continue
            request = claim.request
            transaction = (
                claimed.get(position)
                or existing[(claim.receipt, claim.callback.config_id.company_id)]
            )
            if request and position not in claimed and not transaction.request_id:
                transaction.request_id = request
            if request:
                request.transaction_id = transaction
            rows.append((claim, transaction, position not in claimed))
        self._write_receipts(rows)
        return Transaction.union(*claimed.values())

    @api.model
    def _write_receipts(self, rows):
        """``(claim, transaction, duplicate)`` rows: each delivery done and linked to its
        receipt's transaction, in one UPDATE."""
        if not rows:
            return
        self.env.flush_all()
        self.env.cr.execute(
            LINK_SQL,
            {
                "uid": self.env.uid,
                "ids": [claim.callback.id for claim, _txn, _dup in rows],
                "states": [claim.callback_vals["state"] for claim, _txn, _dup in rows],
                "requests": [claim.callback_vals.get("request_id") for claim, _txn, _dup in rows],
                "receipts": [claim.receipt for claim, _txn, _dup in rows],
                "transactions": [txn.id for _claim, txn, _dup in rows],
                "duplicates": [dup for _claim, _txn, dup in rows],
            },
        )
        self.browse([claim.callback.id for claim, _txn, _dup in rows]).invalidate_recordset()

    # ---------------------------------------------------------------- demo

    @api.model
    def _demo_deliver(self, config_id, payments):
        """Demo data: deliver documented C2B confirmations (``(member id, kind, amount)``:
        kind "member", "fosa", "shares" or a literal account number that matches nothing)
        and one STK Push result, then process them like the background job."""
        config = self.env["sacco.mpesa.config"].browse(config_id)
        for index, (member_id, kind, amount) in enumerate(payments, start=1):
            member = self.env["sacco.member"].browse(member_id)
            bill_ref = {
                "member": member.member_number,
                "fosa": member.savings_account_ids.filtered(lambda a: a.kind == "fosa_savings")[
                    :1
                ].name,
                "shares": f"{member.member_number}#SHR",
            }.get(kind, kind)
            body = {
                "TransactionType": "Pay Bill",
                "TransID": f"TLD{index:07d}",
                "TransTime": timestamp_now(),
                "TransAmount": f"{amount:.2f}",
                "BusinessShortCode": config.shortcode,
                "BillRefNumber": bill_ref,
                "MSISDN": "2547 ***** 126",
                "FirstName": (member.name or "").split(" ")[0].upper(),
            }
            self._store(config, "c2b_confirmation", json.dumps(body), {}, "196.201.214.200")
        self._demo_stk(config, self.env["sacco.member"].browse(payments[0][0]))
        self.search([("state", "=", "pending"), ("config_id", "=", config.id)])._process()

    @api.model
    def _demo_stk(self, config, member):
        """An STK Push the member accepted (the sandbox is not called: the request is
        recorded as Daraja accepted it, and its documented result delivered)."""
        account = member.savings_account_ids.filtered(lambda a: a.kind == "bosa_deposit")[:1]
        request = self.env["sacco.mpesa.request"].create(
            {
                "config_id": config.id,
                "member_id": member.id,
                "phone": member.phone,
                "amount": 1200,
                "savings_account_id": account.id,
                "account_reference": account.name,
                "state": "pending",
                "checkout_request_id": "ws_CO_DEMO000000000001",
                "submitted_at": fields.Datetime.now(),
            }
        )
        items = [
            {"Name": "Amount", "Value": 1200.0},
            {"Name": "MpesaReceiptNumber", "Value": "TLDSTK0001"},
            {"Name": "TransactionDate", "Value": int(timestamp_now())},
            {"Name": "PhoneNumber", "Value": int(member.phone.lstrip("+"))},
        ]
        body = {
            "Body": {
                "stkCallback": {
                    "MerchantRequestID": "29115-34620561-1",
                    "CheckoutRequestID": request.checkout_request_id,
                    "ResultCode": 0,
                    "ResultDesc": "The service request is processed successfully.",
                    "CallbackMetadata": {"Item": items},
                }
            }
        }
        self._store(config, "stk", json.dumps(body), {}, "196.201.214.200")
