from dataclasses import replace
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.sacco_savings.models.sacco_savings_transaction import Movement

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import to_money
from sacco_core.mpesa import (
    ACCOUNT_REFERENCE_MAX,
    MpesaFormatError,
    b2c_payload,
    originator_conversation_id,
    parse_account_balances,
    round_up_shillings,
    stk_push_payload,
    stk_query_payload,
    timestamp,
    transaction_status_payload,
)
from sacco_core.phones import normalize_msisdn

from ..services.daraja_client import DarajaError, DarajaOutcomeUnknown

STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("pending", "Pending"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("unknown", "Unknown"),
]
# STK result codes after which the member certainly did not pay.
STK_TIMEOUT_CODES = ("1037", "1019")
# East Africa Time: Daraja timestamps are local to Kenya, which has no daylight saving.
EAT = timedelta(hours=3)


def timestamp_now():
    """Now in Daraja's form (East Africa Time)."""
    return timestamp(fields.Datetime.now() + EAT)


def kenya_date(moment=None):
    """Kenya's calendar date at ``moment`` (naive UTC, as Odoo stores it; now by default):
    M-Pesa money belongs to Kenya's business day, whatever the time zone of the user or
    cron processing it (a payment at 00:30 in Nairobi on the 1st is the 1st's)."""
    return ((moment or fields.Datetime.now()) + EAT).date()


def _entry_field(string, help_text):
    """A journal entry the request posted (not copied with the request)."""
    return fields.Many2one("account.move", string=string, readonly=True, copy=False, help=help_text)


class SaccoMpesaRequest(models.Model):
    """One outbound Daraja call and its outcome (the idempotency key makes a retried
    channel request the same request)."""

    _name = "sacco.mpesa.request"
    _description = "M-Pesa Request"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    kind = fields.Selection(
        [
            ("stk", "STK Push"),
            ("b2c", "B2C Payment"),
            ("status", "Transaction Status"),
            ("balance", "Account Balance"),
            ("reversal", "Reversal"),
        ],
        required=True,
        default="stk",
        readonly=True,
    )
    query_of_id = fields.Many2one(
        "sacco.mpesa.request",
        string="Status Of",
        readonly=True,
        index=True,
        help="The payout whose outcome this status query asks for.",
    )
    purpose = fields.Selection(
        [
            ("withdrawal", "FOSA Withdrawal"),
            ("loan", "Loan Disbursement"),
            ("refund", "Refund from Suspense"),
            ("dividend", "Dividend / Interest Payout"),
        ],
        readonly=True,
    )
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, index=True, tracking=True
    )
    config_id = fields.Many2one(
        "sacco.mpesa.config", string="Shortcode", required=True, readonly=True, check_company=True
    )
    company_id = fields.Many2one(related="config_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    member_id = fields.Many2one("sacco.member", readonly=True, index=True)
    branch_id = fields.Many2one(related="member_id.branch_id", store=True, index=True)
    phone = fields.Char(readonly=True)
    amount = fields.Monetary(readonly=True)
    savings_account_id = fields.Many2one("sacco.savings.account", readonly=True)
    loan_id = fields.Many2one("sacco.loan", readonly=True)
    account_reference = fields.Char(readonly=True, index=True)
    idempotency_key = fields.Char(readonly=True, copy=False)
    checkout_request_id = fields.Char(readonly=True, index=True, copy=False)
    merchant_request_id = fields.Char(readonly=True, copy=False)
    submitted_at = fields.Datetime(readonly=True, copy=False)
    result_code = fields.Char(readonly=True, copy=False)
    result_desc = fields.Char(readonly=True, copy=False)
    receipt = fields.Char(readonly=True, copy=False, index=True)
    transaction_id = fields.Many2one("sacco.mpesa.transaction", readonly=True, copy=False)
    discrepancy = fields.Char(
        readonly=True, copy=False, help="The callback and the STK Query disagreed."
    )
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    originator_id = fields.Char(
        string="OriginatorConversationID", readonly=True, copy=False, index=True
    )
    conversation_id = fields.Char(string="ConversationID", readonly=True, copy=False)
    charge = fields.Monetary(string="M-Pesa Charge", readonly=True, copy=False)
    source_move_id = _entry_field(
        "Payout Entry", "The entry that moved the money into B2C clearing."
    )
    year_end_id = fields.Many2one(
        "sacco.savings.year.end", string="Year-end Payout", readonly=True, index=True
    )
    charge_move_id = _entry_field(
        "Member's B2C Charge Entry",
        "The B2C charge taken from the member's account (when members bear it).",
    )
    settle_move_id = _entry_field(
        "Settlement Entry", "Clears B2C clearing (success) or gives the money back (failure)."
    )

    _sql_constraints = [
        (
            "idempotency_key_company_uniq",
            "unique(idempotency_key, company_id)",
            "This idempotency key was already used for another M-Pesa request.",
        ),
        (
            "originator_id_uniq",
            "unique(originator_id)",
            "An OriginatorConversationID identifies one request only.",
        ),
    ]

    @api.depends("kind")
    def _compute_name(self):
        for request in self:
            request.name = f"MPR{request.id or 0:06d}"

    # ---------------------------------------------------------------- STK Push

    @api.model
    def request_stk_push(self, member, phone, amount, target, idempotency_key=None, defer=False):
        """Ask ``member``'s ``phone`` to pay ``amount`` (rounded up to whole shillings) into
        ``target`` (a savings account or a loan). The one API the back office, USSD and the
        mobile app call; the same ``idempotency_key`` returns the same request. With
        ``defer`` (USSD, which must answer at once) the push is sent by the background job."""
        if idempotency_key:
            existing = self.sudo().search(
                [
                    ("idempotency_key", "=", idempotency_key),
                    ("company_id", "=", member.company_id.id),
                ],
                limit=1,
            )
            if existing:
                return existing.sudo(False)
        request = self.sudo().create(self._stk_vals(member, phone, amount, target, idempotency_key))
        if defer:
            self.env.ref("sacco_mpesa.ir_cron_sacco_mpesa_submit")._trigger()
        else:
            request._submit()
        return request.sudo(False)

    @api.model
    def _stk_vals(self, member, phone, amount, target, idempotency_key):
        try:
            msisdn = normalize_msisdn(phone or member.phone or "")
            value = round_up_shillings(to_money(amount, strict=False))
        except SaccoRuleError as error:
            raise UserError(str(error)) from None
        if value <= 0:
            raise UserError(self.env._("The amount must be greater than zero."))
        if target._name not in ("sacco.savings.account", "sacco.loan") or (
            target.member_id != member
        ):
            raise UserError(self.env._("Choose one of the member's savings accounts or loans."))
        config = self._config_for(member)
        # A loan number is longer than STK allows: the member number stands in for it.
        short = len(target.name) <= ACCOUNT_REFERENCE_MAX
        reference = target.name if short else member.member_number
        return {
            "config_id": config.id,
            "member_id": member.id,
            "phone": msisdn,
            "amount": float(value),
            "savings_account_id": target.id if target._name == "sacco.savings.account" else False,
            "loan_id": target.id if target._name == "sacco.loan" else False,
            "account_reference": reference,
            "idempotency_key": idempotency_key,
        }

    @api.model
    def _config_for(self, member):
        config = (
            self.env["sacco.mpesa.config"]
            .sudo()
            .search([("company_id", "=", member.company_id.id)], limit=1)
        )
        if not config:
            raise UserError(self.env._("M-Pesa is not configured for %s.", member.company_id.name))
        return config

    def _submit(self):
        """Send the STK Push: submitted while on the wire, pending once Daraja accepted it,
        failed when refused, unknown when the answer was lost (STK Query resolves it)."""
        for request in self.filtered(lambda r: r.state == "draft" and r.kind == "stk"):
            config = request.config_id.sudo()
            request.write({"state": "submitted", "submitted_at": fields.Datetime.now()})
            try:
                payload = stk_push_payload(
                    shortcode=config.shortcode,
                    passkey=config.passkey or "",
                    stamp=timestamp_now(),
                    amount=to_money(request.amount),
                    phone=request.phone,
                    callback_url=config._callback_url("stk"),
                    account_reference=request.account_reference,
                    description="SACCO payment",
                    till_number=config.till_number if config.shortcode_type == "till" else None,
                )
                answer = config._client().call("stk_push", payload)
            except DarajaOutcomeUnknown as error:
                request.write({"state": "unknown", "result_desc": str(error)})
                continue
            except (DarajaError, MpesaFormatError, UserError) as error:
                request.write({"state": "failed", "result_desc": str(error)})
                continue
            if answer.accepted:
                request.write(
                    {
                        "state": "pending",
                        "checkout_request_id": answer.ids.get("CheckoutRequestID"),
                        "merchant_request_id": answer.ids.get("MerchantRequestID"),
                    }
                )
            else:
                request.write(
                    {
                        "state": "failed",
                        "result_code": answer.code,
                        "result_desc": answer.description,
                    }
                )
        return True

    @api.model
    def _cron_submit(self):
        """Send what channels queued: STK pushes and deferred B2C payouts."""
        drafts = self.search([("state", "=", "draft"), ("kind", "in", ("stk", "b2c"))], limit=200)
        drafts._submit()
        drafts._submit_b2c()

    # ---------------------------------------------------------------- B2C

    @api.model
    def request_b2c(self, member, phone, amount, source, defer=False):
        """Pay ``amount`` to ``member``'s M-Pesa: from their FOSA account (``source`` a
        savings account: a withdrawal into B2C clearing, with the product's charges) or a
        loan disbursed to the M-Pesa channel (its net is already in clearing). The money
        leaves the source at once; with ``defer`` (USSD, which must answer at once) the
        payment itself is sent by the background job."""
        config = self._config_for(member)
        try:
            msisdn = normalize_msisdn(phone or member.phone or "")
        except SaccoRuleError as error:
            raise UserError(str(error)) from None
        vals = {
            "kind": "b2c",
            "config_id": config.id,
            "member_id": member.id,
            "phone": msisdn,
            "amount": amount,
        }
        if source._name == "sacco.savings.account":
            txn = source.withdraw(
                amount,
                channel="mpesa",
                journal=config.clearing_journal_id,
                narration=self.env._("M-Pesa payout to %s", msisdn),
            )
            vals.update(
                purpose="withdrawal",
                savings_account_id=source.id,
                source_move_id=txn.move_id.id,
                charge_move_id=self._charge_member(config, source, amount).id,
            )
        elif source._name == "sacco.mpesa.transaction":
            move = source._move_to_refund(config)
            vals.update(purpose="refund", transaction_id=source.id, source_move_id=move.id)
        else:
            move = source.sudo().move_line_ids.move_id[-1:]
            vals.update(purpose="loan", loan_id=source.id, source_move_id=move.id)
        vals["charge"] = float(config._b2c_charge(amount))
        request = self.sudo().create(vals)
        if defer:
            self.env.ref("sacco_mpesa.ir_cron_sacco_mpesa_submit")._trigger()
        else:
            request._submit_b2c()
        return request.sudo(False)

    @api.model
    def _charge_member(self, config, account, amount):
        """When members bear the B2C charge: take it from the account (Cr the charges
        account, which M-Pesa's charge debits when the payout succeeds)."""
        charge = config._member_b2c_charge(amount)
        if not charge:
            return self.env["account.move"]
        label = self.env._("M-Pesa B2C charge")
        txn = self.env["sacco.savings.transaction"]._post_movements(
            [Movement(account, "charge", -float(charge))],
            [account._counter_line(config.sudo().charges_account_id, label, credit=float(charge))],
            config.sudo().clearing_journal_id,
            kenya_date(),
            "mpesa",
            narration=label,
        )
        return txn.move_id

    def _mark_submitted(self):
        """Submitted, with the OriginatorConversationID our request id fixes (the database
        prefix keeps copies of the database apart)."""
        prefix = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")[:8]
        self.write(
            {
                "state": "submitted",
                "submitted_at": fields.Datetime.now(),
                "originator_id": originator_conversation_id(f"SACCO{prefix}", self.id),
            }
        )

    def _submit_b2c(self):
        for request in self.filtered(lambda r: r.kind == "b2c" and r.state == "draft"):
            config = request.config_id.sudo()
            request._mark_submitted()
            try:
                payload = b2c_payload(
                    originator_id=request.originator_id,
                    initiator=config.initiator_name or "",
                    security_credential=config._security_credential(),
                    amount=to_money(request.amount),
                    shortcode=config.shortcode,
                    phone=request.phone,
                    remarks=self.env._("SACCO payout %s", request.name),
                    result_url=config._callback_url("b2c/result"),
                    timeout_url=config._callback_url("b2c/timeout"),
                )
                answer = config._client().call("b2c", payload)
            except DarajaOutcomeUnknown as error:
                request.write({"state": "unknown", "result_desc": str(error)})
                continue
            except (DarajaError, MpesaFormatError, UserError) as error:
                request._b2c_failed("", str(error))
                continue
            if answer.accepted:
                request.write(
                    {"state": "pending", "conversation_id": answer.ids.get("ConversationID")}
                )
            else:
                request._b2c_failed(answer.code, answer.description)

    def _apply_b2c_result(self, result):
        """The B2C result: success clears B2C clearing against the M-Pesa account (and books
        the charge of the amount's tier); failure gives the money back."""
        self.ensure_one()
        if self.state in ("done", "failed"):
            return
        if not result.success:
            self._b2c_failed(result.result_code, result.result_desc)
            return
        config = self.config_id.sudo()
        amount = to_money(self.amount)
        charge = to_money(self.charge, strict=False)
        partner = self.member_id.partner_id
        label = self.env._("M-Pesa payout %(receipt)s", receipt=result.transaction_id)
        lines = [
            {
                "account": config.clearing_account_id,
                "partner": partner,
                "name": label,
                "debit": float(amount),
            },
            {
                "account": config.journal_id._sacco_money_account("outbound"),
                "partner": partner,
                "name": label,
                "credit": float(amount),
            },
        ]
        if charge:
            # Its own item: the statement shows the charge as a row of its own.
            charge_label = self.env._("B2C charge %s", result.transaction_id)
            lines += [
                {
                    "account": config.charges_account_id,
                    "partner": partner,
                    "name": charge_label,
                    "debit": float(charge),
                },
                {
                    "account": config.journal_id._sacco_money_account("outbound"),
                    "partner": partner,
                    "name": charge_label,
                    "credit": float(charge),
                },
            ]
        move = (
            self.env["sacco.ledger"]
            .sudo()
            ._post_entry(config.journal_id, kenya_date(), label, lines)
        )
        self.write(
            {
                "state": "done",
                "result_code": result.result_code,
                "result_desc": result.result_desc,
                "receipt": result.transaction_id,
                "charge": float(charge),
                "settle_move_id": move.id,
            }
        )

    def _b2c_failed(self, code, description):
        """The payout did not happen: a withdrawal is reversed, a refund goes back to
        suspense; a loan's net or a year-end payout goes to the member's FOSA account (the
        loan stands; the member draws it from FOSA)."""
        config = self.config_id.sudo()
        if self.purpose == "refund":
            move = (
                self.env["sacco.ledger"]
                .sudo()
                ._reverse_entry(self.source_move_id, kenya_date(), description or code)
            )
            self.transaction_id.sudo().state = "suspense"
        elif self.purpose == "withdrawal":
            txns = (
                self.env["sacco.savings.transaction"]
                .sudo()
                .search([("move_id", "in", (self.source_move_id | self.charge_move_id).ids)])
            )
            txns.action_reverse(self.env._("M-Pesa payout failed: %s", description))
            move = txns.filtered(lambda t: t.move_id == self.source_move_id).reversed_by_id.move_id[
                :1
            ]
        else:
            fosa = self.member_id.sudo().savings_account_ids[:1]._member_fosa_account()
            txn = fosa.deposit(
                self.amount,
                channel="mpesa",
                journal=config.clearing_journal_id,
                narration=self.env._(
                    "%(payout)s: M-Pesa payout failed",
                    payout=self.loan_id.name or self.year_end_id.name,
                ),
            )
            move = txn.move_id
        self.write(
            {
                "state": "failed",
                "result_code": code,
                "result_desc": description,
                "settle_move_id": move.id,
            }
        )

    def _apply_b2c_timeout(self):
        """A queue timeout is no failure: the outcome is unknown until a status query."""
        self.filtered(lambda r: r.state in ("submitted", "pending")).write({"state": "unknown"})

    # ---------------------------------------------------------------- status and balance

    def action_query_status(self):
        """Ask M-Pesa what became of these payouts (Transaction Status by our
        OriginatorConversationID); the result settles them."""
        for payout in self.filtered(
            lambda r: r.kind == "b2c" and r.state in ("pending", "unknown")
        ):
            query = self.sudo().create(
                {
                    "kind": "status",
                    "config_id": payout.config_id.id,
                    "member_id": payout.member_id.id,
                    "query_of_id": payout.id,
                }
            )
            query._send_initiator_request(
                "status",
                lambda q, c, payout=payout: transaction_status_payload(
                    originator_id=q.originator_id,
                    initiator=c.initiator_name or "",
                    security_credential=c._security_credential(),
                    shortcode=c.shortcode,
                    result_url=c._callback_url("status/result"),
                    timeout_url=c._callback_url("status/timeout"),
                    receipt=payout.receipt or "",
                    original_conversation_id=payout.originator_id,
                ),
            )
        return True

    @api.model
    def _cron_query_unknown_payouts(self):
        stale = fields.Datetime.now() - timedelta(minutes=10)
        self.search(
            [("kind", "=", "b2c"), ("state", "=", "unknown"), ("submitted_at", "<", stale)],
            limit=100,
        ).action_query_status()

    def _send_initiator_request(self, api_name, build):
        """Send a request signed by the initiator (status, balance): our request id gives
        its OriginatorConversationID."""
        self.ensure_one()
        config = self.config_id.sudo()
        self._mark_submitted()
        try:
            answer = config._client().call(api_name, build(self, config))
        except DarajaOutcomeUnknown as error:
            self.write({"state": "unknown", "result_desc": str(error)})
            return
        except (DarajaError, MpesaFormatError) as error:
            raise UserError(str(error)) from None
        if answer.accepted:
            self.write({"state": "pending", "conversation_id": answer.ids.get("ConversationID")})
        else:
            self.write(
                {"state": "failed", "result_code": answer.code, "result_desc": answer.description}
            )

    def _apply_status_result(self, result):
        """Completed: the payout succeeded (receipt and all); Cancelled, Declined or
        Expired: it failed; anything else: still unknown."""
        self.ensure_one()
        self.write(
            {
                "state": "done" if result.success else "failed",
                "result_code": result.result_code,
                "result_desc": result.result_desc,
            }
        )
        payout = self.query_of_id
        status = str(result.parameters.get("TransactionStatus") or "")
        if not result.success or payout.state in ("done", "failed"):
            return
        if status == "Completed":
            receipt = str(result.parameters.get("ReceiptNo") or result.transaction_id)
            payout._apply_b2c_result(replace(result, transaction_id=receipt))
        elif status in ("Cancelled", "Declined", "Expired"):
            payout._b2c_failed(status, result.result_desc)

    def _apply_balance_result(self, result):
        self.ensure_one()
        self.write(
            {
                "state": "done" if result.success else "failed",
                "result_code": result.result_code,
                "result_desc": result.result_desc,
            }
        )
        if result.success:
            self.config_id.sudo()._store_balances(
                parse_account_balances(str(result.parameters.get("AccountBalance") or ""))
            )

    # ---------------------------------------------------------------- outcome

    def _apply_stk_result(self, result):
        """The STK callback's outcome (``sacco_core.mpesa.StkResult``)."""
        self.ensure_one()
        if self.state in ("done", "failed") and self.result_code:
            if self.result_code != result.result_code:
                self.discrepancy = self.env._(
                    "Result %(old)s, then callback %(new)s.",
                    old=self.result_code,
                    new=result.result_code,
                )
            return
        self.write(
            {
                "state": "done" if result.success else "failed",
                "result_code": result.result_code,
                "result_desc": result.result_desc,
                "receipt": result.receipt or False,
            }
        )

    def action_query(self):
        """STK Query the pending (or unknown) requests: a success waits for its receipt
        (the query does not return it; the callback or the statement brings it), a failure
        closes the request; a disagreement with a callback already applied is flagged."""
        for request in self.filtered(lambda r: r.checkout_request_id):
            config = request.config_id.sudo()
            payload = stk_query_payload(
                shortcode=config.shortcode,
                passkey=config.passkey or "",
                stamp=timestamp_now(),
                checkout_request_id=request.checkout_request_id,
            )
            try:
                answer = config._client().call("stk_query", payload)
            except DarajaError:
                continue
            code = answer.ids.get("ResultCode")
            if not answer.accepted or code is None:
                continue  # "still being processed": ask again later
            if request.state in ("done", "failed"):
                if request.result_code != code:
                    request.discrepancy = self.env._(
                        "Callback %(cb)s, query %(query)s.", cb=request.result_code, query=code
                    )
                continue
            request.write(
                {
                    "state": "done" if code == "0" else "failed",
                    "result_code": code,
                    "result_desc": answer.ids.get("ResultDesc"),
                }
            )
        return True

    def action_refresh(self):
        """ "Check Status": process the STK results already received (without waiting for
        the background job), then ask M-Pesa about what is still open."""
        callbacks = (
            self.env["sacco.mpesa.callback"]
            .sudo()
            .search(
                [
                    ("state", "=", "pending"),
                    ("kind", "=", "stk"),
                    ("config_id", "in", self.config_id.ids),
                ]
            )
        )
        callbacks._process()
        self.filtered(lambda r: r.state in ("pending", "unknown")).sudo().action_query()
        return True

    @api.model
    def _cron_query_stale(self):
        stale = fields.Datetime.now() - timedelta(minutes=3)
        self.search(
            [("state", "in", ("pending", "unknown")), ("submitted_at", "<", stale)], limit=200
        ).action_query()

    def _pending_for_payments(self, config):
        """The recent STK requests of ``config`` still waiting for their receipt, oldest
        first: a C2B confirmation of the same account reference and amount belongs to one
        (an STK payment into a paybill is reported on both channels; ``_paid_by``)."""
        since = fields.Datetime.now() - timedelta(hours=1)
        return self.sudo().search(
            [
                ("config_id", "=", config.id),
                ("state", "in", ("submitted", "pending", "unknown", "done")),
                ("transaction_id", "=", False),
                ("submitted_at", ">=", since),
            ],
            order="id",
        )

    def _paid_by(self, bill_ref, amount):
        """The first of these requests for account reference ``bill_ref`` (case ignored)
        and ``amount``."""
        reference = (bill_ref or "").strip().lower()
        return self.filtered(
            lambda r: (
                (r.account_reference or "").lower() == reference
                and not r.currency_id.compare_amounts(r.amount, float(amount))
            )
        )[:1]
