import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

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
# How long an STK result waits for its request (the push may still be committing).
ORPHAN_GRACE = timedelta(minutes=10)


BATCH_SIZE = 500


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
    def _store(self, config, kind, raw_body, headers, source_ip, state="pending", error=None):
        """The raw log entry; a body that is not a JSON object is stored as failed."""
        if state == "pending":
            error = self._body_error(raw_body)
            state = "failed" if error else "pending"
        return self.sudo().create(
            {
                "config_id": config.id,
                "kind": kind,
                "body": raw_body,
                "headers": json.dumps(headers, default=str),
                "source_ip": source_ip,
                "state": state,
                "error": error,
            }
        )

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
        """Process pending callbacks in batches (oldest first), skipping rows another
        worker holds; receipts recorded here are posted together at the end."""
        self.env.cr.execute(
            "SELECT id FROM sacco_mpesa_callback WHERE state = 'pending' ORDER BY id "
            "LIMIT %s FOR UPDATE SKIP LOCKED",
            [batch_size],
        )
        callbacks = self.browse([row[0] for row in self.env.cr.fetchall()])
        callbacks._process()
        if len(callbacks) == batch_size:
            self.env.ref("sacco_mpesa.ir_cron_sacco_mpesa_process")._trigger()

    def _process(self):
        transactions = self.env["sacco.mpesa.transaction"]
        for callback in self:
            try:
                with self.env.cr.savepoint():
                    transactions |= callback._dispatch() or transactions.browse()
            except ReceiptInFlight:
                self.env.invalidate_all()  # stays pending; the next run sees the receipt
                self.env.ref("sacco_mpesa.ir_cron_sacco_mpesa_process")._trigger()
            except (MpesaFormatError, UserError, ValidationError) as error:
                self.env.invalidate_all()
                callback.write({"state": "failed", "error": str(error)})
        transactions._post_received()
        return transactions

    def _dispatch(self):
        handler = {
            "stk": self._process_stk,
            "c2b_confirmation": self._process_c2b,
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
        return self._record_receipt(
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

    def _process_c2b(self, body):
        payment = parse_c2b(body)
        if payment.shortcode != self.config_id.shortcode:
            raise MpesaFormatError(
                self.env._("Shortcode %s is not the one of this callback URL.", payment.shortcode)
            )
        request = self.env["sacco.mpesa.request"]._pending_for_reference(
            self.config_id, payment.bill_ref, payment.amount
        )
        return self._record_receipt(
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

    def _record_receipt(self, receipt, source, vals, callback_vals, request):
        """Claim the receipt (exactly once); a later delivery of the same receipt links
        to it and posts nothing."""
        Transaction = self.env["sacco.mpesa.transaction"]
        transaction = Transaction._claim(receipt, self.config_id, source, vals)
        duplicate = transaction is None
        if duplicate:
            transaction = Transaction._existing(receipt, self.config_id.company_id)
            if request and not transaction.request_id:
                transaction.request_id = request
        if request:
            request.transaction_id = transaction
        self.write(
            {
                **callback_vals,
                "receipt": receipt,
                "transaction_id": transaction.id,
                "duplicate": duplicate,
            }
        )
        return None if duplicate else transaction

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
