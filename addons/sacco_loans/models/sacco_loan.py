from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.sacco_savings.models.sacco_savings_transaction import Movement
from odoo.addons.sacco_savings.tools.xlsx import download_action, xlsx_workbook

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_fees import split_proportionally, spread_evenly
from sacco_core.loan_rules import Due, allocate, interest_to_date
from sacco_core.money import to_money
from sacco_core.recovery import recovery_plan
from sacco_core.sasra import SECTORS
from sacco_core.sms import sms_amount

from .sacco_loan_application import COMMITTEE, DISBURSEMENT_CHANNELS, OFFICER
from .sacco_loan_cob_run import COB_JOURNAL_CODE

# The amounts a statement line shows and totals (besides the running balance).
STATEMENT_AMOUNTS = (
    "disbursed",
    "principal",
    "interest",
    "charges",
    "penalty_charged",
    "recovered",
)


def _money(value):
    return to_money(value, strict=False)


class SaccoLoan(models.Model):
    _name = "sacco.loan"
    _description = "Member Loan"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Loan Number", readonly=True, copy=False, default="/")
    application_id = fields.Many2one("sacco.loan.application", readonly=True, index=True)
    member_id = fields.Many2one("sacco.member", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(related="member_id.partner_id")
    branch_id = fields.Many2one(related="member_id.branch_id", store=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one("sacco.loan.product", required=True, readonly=True)
    economic_sector = fields.Selection(
        SECTORS,
        default="household",
        tracking=True,
        help="What the loan finances, for SASRA's sectoral lending return.",
    )
    principal = fields.Monetary(readonly=True, tracking=True)
    interest_rate = fields.Float(string="Interest Rate (% a year)", digits=(16, 4), readonly=True)
    term = fields.Integer(string="Installments", readonly=True)
    disbursed_on = fields.Date(readonly=True)
    disbursement_channel = fields.Selection(DISBURSEMENT_CHANNELS, readonly=True)
    disbursement_journal_id = fields.Many2one("account.journal", string="Paid From", readonly=True)
    disbursement_reference = fields.Char(string="Cheque / Transfer Reference", readonly=True)
    processing_fee = fields.Monetary(readonly=True)
    insurance_fee = fields.Monetary(readonly=True)
    excise_duty = fields.Monetary(readonly=True)
    net_disbursed = fields.Monetary(readonly=True)
    installment_ids = fields.One2many("sacco.loan.installment", "loan_id", readonly=True)
    guarantor_ids = fields.One2many("sacco.loan.guarantor", "loan_id", readonly=True)
    move_line_ids = fields.One2many("account.move.line", "sacco_loan_id", readonly=True)
    repayment_ids = fields.One2many("sacco.loan.repayment", "loan_id", readonly=True)
    principal_outstanding = fields.Monetary(
        compute="_compute_outstanding", store=True, tracking=True
    )
    interest_paid = fields.Monetary(compute="_compute_outstanding", store=True)
    state = fields.Selection(
        [("active", "Active"), ("closed", "Closed"), ("written_off", "Written Off")],
        default="active",
        required=True,
        readonly=True,
        tracking=True,
    )
    closed_on = fields.Date(readonly=True)
    officer_id = fields.Many2one(
        "res.users", string="Loan Officer", readonly=True, index=True, tracking=True
    )
    # Portfolio standing, kept by the nightly close of business (set-based SQL), which
    # rewrites it every night for each loan in arrears: not indexed, so those updates stay
    # on their page (HOT) instead of touching every index of the table (see init).
    days_past_due = fields.Integer(readonly=True, aggregator="max")
    arrears_principal = fields.Monetary(readonly=True)
    arrears_interest = fields.Monetary(readonly=True)
    arrears_fee = fields.Monetary(readonly=True)
    arrears_penalty = fields.Monetary(readonly=True)
    arrears_total = fields.Monetary(readonly=True)
    sasra_class = fields.Selection(
        [
            ("performing", "Performing"),
            ("watch", "Watch"),
            ("substandard", "Substandard"),
            ("doubtful", "Doubtful"),
            ("loss", "Loss"),
        ],
        string="SASRA Class",
        default="performing",
        readonly=True,
    )
    provision_required = fields.Monetary(readonly=True)
    rescheduled = fields.Boolean(readonly=True, index=True, copy=False)
    topup_loan_id = fields.Many2one(
        "sacco.loan", string="Topped-up Loan", readonly=True, help="Paid off from this loan."
    )

    def init(self):
        # Room on each page for the nightly rewrite of the standing of loans in arrears, so
        # PostgreSQL updates them in place (heap-only tuples, no index entries): about
        # twice as fast an update as on full pages.
        self.env.cr.execute("ALTER TABLE sacco_loan SET (fillfactor = 80)")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("sacco.loan") or "/"
        return super().create(vals_list)

    @api.depends(
        "principal",
        "principal_written_off",
        "installment_ids.principal_paid",
        "installment_ids.interest_paid",
    )
    def _compute_outstanding(self):
        for loan in self:
            repaid = sum(loan.installment_ids.mapped("principal_paid"))
            loan.principal_outstanding = loan.currency_id.round(
                loan.principal - repaid - loan.principal_written_off
            )
            loan.interest_paid = sum(loan.installment_ids.mapped("interest_paid"))

    # ---------------------------------------------------------------- disbursement

    @api.model
    def _disburse_application(self, app, date):
        """Create the loan with its schedule and post the disbursement net of fees."""
        product = app.product_id
        processing, insurance, excise = product._disbursement_fees(app.amount)
        fees = processing + insurance + excise
        spread = product.fee_collection == "spread"
        old = app.topup_loan_id
        payoff = old._topup_payoff(app.member_id, date) if old else []
        net = _money(app.amount) - (Decimal(0) if spread else fees)
        net -= sum((part.total for _line, part in payoff), Decimal(0))
        if net <= 0 and old:
            raise UserError(
                self.env._("The fees and the payoff of %s would take the whole loan.", old.name)
            )
        if net <= 0:
            raise UserError(self.env._("The fees would take the whole loan."))
        rows = product._schedule(app.amount, app.term, date)
        spread_fees = spread_evenly(fees, len(rows)) if spread else [Decimal(0)] * len(rows)
        loan = self.create(
            {
                "application_id": app.id,
                "economic_sector": app.economic_sector,
                "member_id": app.member_id.id,
                "company_id": app.company_id.id,
                "product_id": product.id,
                "principal": app.amount,
                "interest_rate": product.interest_rate,
                "term": app.term,
                "disbursed_on": date,
                "disbursement_channel": app.disbursement_channel,
                "disbursement_journal_id": app.disbursement_journal_id.id,
                "disbursement_reference": app.disbursement_reference,
                "processing_fee": float(processing),
                "insurance_fee": float(insurance),
                "excise_duty": float(excise),
                "net_disbursed": float(net),
                "topup_loan_id": old.id,
                "officer_id": app.create_uid.id,
                "installment_ids": [
                    Command.create(
                        {
                            "number": row.number,
                            "due_date": row.due_on,
                            "principal": float(row.principal),
                            "interest": float(row.interest),
                            "fee": float(fee),
                        }
                    )
                    for row, fee in zip(rows, spread_fees, strict=True)
                ],
            }
        )
        if spread:
            processing = insurance = excise = Decimal(0)
        loan._post_disbursement(processing, insurance, excise, net, payoff)
        if old:
            old._close_by_topup(payoff, date, loan)
        return loan

    def _post_disbursement(self, processing, insurance, excise, net, payoff=()):
        product, label = self.product_id, self.env._("Disbursement of %s", self.name)
        lines = [
            self._line(product._portfolio_account(), label, debit=self.principal, loan=True),
            self._line(
                product._fee_income_account(), self.env._("Processing fee"), credit=processing
            ),
            insurance
            and self._line(
                product._insurance_payable_account(), self.env._("Loan insurance"), credit=insurance
            ),
            excise
            and self._line(
                product._excise_payable_account(),
                self.env._("Excise duty on loan fees"),
                credit=excise,
            ),
            *self.topup_loan_id._payoff_lines(payoff),
        ]
        self._post(
            net,
            "in",
            [line for line in lines if line],
            self.disbursement_channel,
            self.disbursement_journal_id or None,
            self.disbursed_on,
            " ".join(filter(None, [label, self.disbursement_reference])),
        )

    def _line(self, account, label, debit=0.0, credit=0.0, loan=False):
        """A counter line; None for a zero amount. Loan lines carry the loan (sub-ledger)."""
        if not debit and not credit:
            return None
        sub_ledger = {"sacco_loan_id": self.id} if loan else {}
        return self.env["sacco.ledger"]._line(
            account, self.partner_id, f"{label} {self.name}", debit, credit, **sub_ledger
        )

    def _post(self, amount, direction, lines, channel, journal, date, label, credit=0):
        """Post ``lines`` against the member's FOSA account (through the savings posting
        engine, so its balance and transactions follow) or a cash journal. ``direction`` "in"
        pays ``amount`` to the member, "out" collects it from them. ``credit`` is an extra
        amount credited to the member's FOSA account in the same entry.
        """
        extra = [Movement(self._fosa_account(), "transfer_in", float(credit))] if credit else []
        if channel == "fosa":
            fosa = self._fosa_account()
            signed = float(amount) if direction == "in" else -float(amount)
            kind = "transfer_in" if direction == "in" else "transfer_out"
            return self.env["sacco.savings.transaction"]._post_movements(
                [Movement(fosa, kind, signed), *extra],
                lines,
                fosa._system_journal(),
                date,
                "system",
                narration=label,
            )
        journal = self._payment_journal(journal)
        side, flow = ("credit", "outbound") if direction == "in" else ("debit", "inbound")
        cash = self.env["sacco.ledger"]._line(
            journal._sacco_money_account(flow), self.partner_id, label, **{side: amount}
        )
        if extra:
            return self.env["sacco.savings.transaction"]._post_movements(
                extra, [cash, *lines], journal, date, "cash", narration=label
            )
        return self.env["sacco.ledger"].sudo()._post_entry(journal, date, self.name, [cash, *lines])

    def _fosa_account(self):
        accounts = self.member_id.sudo().savings_account_ids
        if not accounts:
            raise UserError(self.env._("%s has no open FOSA account.", self.member_id.name))
        return accounts[:1]._member_fosa_account().sudo(False)

    def _payment_journal(self, journal=None):
        """The cash or bank journal money is paid through: ``journal`` when given (a bank
        journal for a cheque or transfer), else the teller's till or the branch's cash
        journal, else the company's first cash journal."""
        journal = journal or self.env.user.sacco_cash_journal_id or self.branch_id.cash_journal_id
        if journal and journal.company_id == self.company_id:
            return journal
        found = (
            self.env["account.journal"]
            .sudo()
            .search([("type", "=", "cash"), ("company_id", "=", self.company_id.id)], limit=1)
        )
        if not found:
            raise UserError(self.env._("No cash journal is configured."))
        return found

    # ---------------------------------------------------------------- repayments

    def _lock(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT id FROM sacco_loan WHERE id = %s FOR UPDATE", [self.id])
        self.invalidate_recordset()
        self.installment_ids.invalidate_recordset()

    def _check_active(self):
        if self.state != "active":
            raise UserError(self.env._("Loan %s is closed; it takes no more payments.", self.name))

    def repay(self, amount, channel="cash", journal=None, date=None):
        """Allocate a repayment by the product's order, oldest installment first.

        What the payment holds beyond what is due is handled by the product's
        ``overpayment_action``: refused (the member settles early instead, which charges
        interest to date only), prepaid principal shortening the term or lowering the
        installments, or credited to the member's FOSA account.
        """
        self.ensure_one()
        # Rounded to cents, not refused: amounts computed from ORM floats carry binary noise.
        amount = _money(amount)
        if amount <= 0:
            raise UserError(self.env._("The amount must be greater than zero."))
        self._lock()
        self._check_active()
        date = date or fields.Date.context_today(self)
        action = self.product_id.overpayment_action
        unpaid = self.installment_ids.filtered(lambda line: not line.paid).sorted("number")
        targets = unpaid if action == "refuse" else self._due_now(unpaid, date)
        try:
            parts, left = allocate(
                amount, [line._due() for line in targets], self.product_id._allocation_components()
            )
        except SaccoRuleError as error:
            raise UserError(str(error)) from error
        future = unpaid - targets
        if left > 0:
            self._check_overpayment(action, amount, left, future)
        if action == "credit_fosa" and channel == "fosa":
            amount, left = amount - left, Decimal(0)
        prepaid = left if action in ("reduce_term", "reduce_installment") else Decimal(0)
        credit = left if action == "credit_fosa" else Decimal(0)
        move, applied = self._receive(
            amount,
            list(zip(targets, parts, strict=True)),
            channel,
            journal,
            date,
            self.env._("Repayment of %s", self.name),
            prepaid=prepaid,
            credit=credit,
        )
        if left > 0 and action == "reduce_term":
            applied += self._prepay_last_installments(left, future)
        elif left > 0 and action == "reduce_installment":
            self._prepay_and_reschedule(left, targets[-1:], future)
        holds = self._hold_amounts()
        self._cob_after_repayment(date)
        self._after_payment(date)
        self.env["sacco.loan.repayment"]._record(
            self,
            move,
            applied,
            amount=amount,
            channel=channel,
            date=date,
            holds=holds,
            prepaid=prepaid,
            credit=credit,
            rescheduled=bool(left > 0 and action == "reduce_installment"),
        )
        return True

    @api.model
    def _due_now(self, unpaid, date):
        """Unpaid installments due by ``date``, or the next one when none is due yet."""
        due = unpaid.filtered(lambda line: line.due_date <= date)
        return due or unpaid[:1]

    def _check_overpayment(self, action, amount, left, future):
        remaining = sum((line._due().principal for line in future), Decimal(0))
        too_much = (
            action == "refuse"
            or (action == "reduce_term" and left > remaining)
            or (action == "reduce_installment" and left >= remaining)
        )
        if too_much:
            raise UserError(
                self.env._(
                    "%(amount)s is more than the %(owed)s left on %(loan)s; settle the loan "
                    "early instead.",
                    amount=self.currency_id.format(float(amount)),
                    owed=self.currency_id.format(float(amount - left + remaining)),
                    loan=self.name,
                )
            )

    def _prepay_last_installments(self, prepaid, future):
        """Prepaid principal pays the last installments first; the interest of those it
        pays off entirely is waived (the term is shorter)."""
        applied = []
        for line in future.sorted("number", reverse=True):
            take = min(line._due().principal, prepaid)
            if take <= 0:
                continue
            prepaid -= take
            vals = {"principal_paid": line.principal_paid + float(take)}
            waived = 0.0
            if take == line._due().principal:
                waived = line.currency_id.round(
                    line.interest - line.interest_paid - line.interest_waived
                )
                vals["interest_waived"] = line.interest_waived + waived
            line.sudo().write(vals)
            applied.append((line, {"principal": take, "interest_waived": waived}))
        return applied

    def _prepay_and_reschedule(self, prepaid, anchor, future):
        """Book the prepaid principal on the installment just paid, then spread the new
        principal outstanding over the same remaining installments (same due dates)."""
        anchor.sudo().write(
            {
                "principal": anchor.principal + float(prepaid),
                "principal_paid": anchor.principal_paid + float(prepaid),
            }
        )
        rest = sum((line._due().principal for line in future), Decimal(0)) - prepaid
        rows = self.product_id._schedule(rest, len(future), anchor.due_date, grace=False)
        for line, row in zip(future.sorted("number"), rows, strict=True):
            line.sudo().write(
                {
                    "principal": line.principal_paid + float(row.principal),
                    "interest": line.interest_paid + line.interest_waived + float(row.interest),
                }
            )

    def _repayment_lines(self, allocation, label, prepaid=Decimal(0)):
        """The credits of a payment split over installments (``(installment, Due)`` pairs),
        computed before the split is applied: principal to the portfolio; interest to the
        receivable accrued on it, the rest to income; penalties to the penalty receivable
        they were charged to; spread fees to fee income, insurance and excise duty payable in
        the loan's proportions."""
        product = self.product_id

        def total(component):
            return sum((getattr(part, component) for _line, part in allocation), Decimal(0))

        receivable = sum((line._receivable_part(part) for line, part in allocation), Decimal(0))
        weights = [
            _money(self.processing_fee),
            _money(self.insurance_fee),
            _money(self.excise_duty),
        ]
        processing, insurance, excise = split_proportionally(total("fee"), weights)
        credits = [
            (product._portfolio_account, total("principal") + prepaid),
            (product._interest_receivable_account, receivable),
            (product._interest_income_account, total("interest") - receivable),
            (product._penalty_receivable_account, total("penalty")),
            (product._fee_income_account, processing),
            (product._insurance_payable_account, insurance),
            (product._excise_payable_account, excise),
        ]
        return [
            self._line(account(), label, credit=amount, loan=True)
            for account, amount in credits
            if amount
        ]

    def _receive(self, amount, allocation, channel, journal, date, label, prepaid=0, credit=0):
        """Post the payment and apply it; returns its move and what it applied to each
        installment (``_applied_parts``)."""
        applied = self._applied_parts(allocation)
        posted = self._post(
            amount,
            "out",
            self._repayment_lines(allocation, label, prepaid),
            channel,
            journal,
            date or fields.Date.context_today(self),
            label,
            credit=credit,
        )
        for line, part in allocation:
            if part.total:
                line.sudo()._apply_payment(part)
        return self._move_of(posted), applied

    @api.model
    def _move_of(self, posted):
        """The entry ``_post`` posted (it returns savings transactions or the move)."""
        return posted if posted._name == "account.move" else posted.move_id[:1]

    @api.model
    def _applied_parts(self, allocation):
        """``(installment, parts)`` of a payment split, with the interest that settles
        accrued receivable, computed before the split is applied (for the repayment record)."""
        return [
            (
                line,
                {
                    "principal": part.principal,
                    "interest": part.interest,
                    "fee": part.fee,
                    "penalty": part.penalty,
                    "interest_receivable": line._receivable_part(part),
                },
            )
            for line, part in allocation
            if part.total
        ]

    def _hold_amounts(self):
        """The guarantors' active holds before a payment lowers or releases them."""
        holds = self.guarantor_ids.hold_id.filtered(lambda hold: hold.state == "active")
        return {str(hold.id): hold.amount for hold in holds}

    def _after_payment(self, date):
        """Release guarantees in proportion to principal repaid; close a repaid loan."""
        outstanding = _money(self.principal_outstanding)
        self.guarantor_ids._reduce_holds(_money(self.principal), outstanding)
        if all(self.installment_ids.mapped("paid")):
            self.guarantor_ids._release_holds()
            self.sudo().write(
                {"state": "closed", "closed_on": date or fields.Date.context_today(self)}
            )
            # Tellers take repayments without write access to the loan itself.
            self.sudo().message_post(body=self.env._("Loan fully repaid and closed."))
            self.env["sacco.sms.message"]._queue_from_template(
                "sacco_loans.sacco_sms_template_loan_closed", self.member_id
            )
        return True

    # ---------------------------------------------------------------- early settlement

    def _settlement_parts(self, as_of):
        """Each unpaid installment's principal and the interest earned on it by ``as_of``."""
        self.ensure_one()
        parts, start = [], self.disbursed_on
        for line in self.installment_ids.sorted("number"):
            period_start, start = start, line.due_date
            if line.paid:
                continue
            earned = interest_to_date(period_start, line.due_date, _money(line.interest), as_of)
            interest = max(earned - _money(line.interest_paid), Decimal("0.00"))
            parts.append((line, Due(interest=interest, principal=line._due().principal)))
        return parts

    def _settlement(self, as_of):
        """The payoff as of a date under the product's early-settlement rule, and its split
        over the unpaid installments as ``(installment, Due)`` pairs."""
        self.ensure_one()
        earned = self._settlement_parts(as_of)
        quote = self.product_id._settlement_amount(
            [line._due() for line, _part in earned], [part.interest for _line, part in earned]
        )
        lines = [line for line, _part in earned]
        return quote, list(zip(lines, quote.parts, strict=True))

    def settlement_quote(self, as_of=None):
        """Payoff as of a date by component: principal outstanding, interest (by the
        product's rule), penalties and fees already charged, settlement penalty fee, excise
        duty on it, and the total."""
        quote, _parts = self._settlement(as_of or fields.Date.context_today(self))
        return {
            "principal": quote.principal,
            "interest": quote.interest,
            "charges": quote.charges,
            "penalty_fee": quote.penalty_fee,
            "excise": quote.excise,
            "total": quote.total,
        }

    def settle(self, channel="cash", journal=None, date=None):
        """Pay off the loan under the product's early-settlement rule in one entry, waive
        the interest it does not charge, release the guarantees and close the loan."""
        self.ensure_one()
        self._lock()
        self._check_active()
        date = date or fields.Date.context_today(self)
        quote, parts = self._settlement(date)
        label = self.env._("Early settlement of %s", self.name)
        # Lines are computed before the payment is applied to the installments.
        lines = self._repayment_lines(parts, label) + self._settlement_fee_lines(quote)
        applied = self._applied_parts(parts)
        posted = self._post(quote.total, "out", lines, channel, journal, date, label)
        for line, part in parts:
            if part.total:
                line.sudo()._apply_payment(part)
        applied += self._waive_unearned(parts)
        holds = self._hold_amounts()
        self.sudo().message_post(
            body=self.env._(
                "Settled early for %(total)s, of which %(fee)s settlement penalty and excise.",
                total=self.currency_id.format(float(quote.total)),
                fee=self.currency_id.format(float(quote.penalty_fee + quote.excise)),
            )
        )
        self._after_payment(date)
        self.env["sacco.loan.repayment"]._record(
            self,
            self._move_of(posted),
            applied,
            amount=quote.total,
            channel=channel,
            date=date,
            holds=holds,
            kind="settlement",
        )
        return True

    def _settlement_fee_lines(self, quote):
        """The settlement penalty to fee income and its excise duty, like disbursement fees."""
        product = self.product_id
        lines = [
            self._line(
                product._fee_income_account(),
                self.env._("Early settlement penalty"),
                credit=quote.penalty_fee,
            ),
            self._line(
                product._excise_payable_account(),
                self.env._("Excise duty on loan fees"),
                credit=quote.excise,
            ),
        ]
        return [line for line in lines if line]

    def _waive_unearned(self, parts):
        """Waive the interest not yet paid; returns ``(installment, {"interest_waived"})``."""
        waived = []
        for line, _part in parts:
            rest = line.currency_id.round(line.interest - line.interest_paid - line.interest_waived)
            line.sudo().interest_waived = line.interest_waived + rest
            if rest:
                waived.append((line, {"interest_waived": rest}))
        return waived

    # ---------------------------------------------------------------- top-up

    def _check_topup(self, member):
        """A loan may be topped up by its own member once the product's share of its
        principal is repaid."""
        self.ensure_one()
        if self.member_id != member or self.state != "active":
            raise ValidationError(
                self.env._("A top-up pays off an active loan of the same member.")
            )
        repaid = _money(self.principal) - _money(self.principal_outstanding)
        percent = repaid * 100 / _money(self.principal)
        needed = Decimal(str(self.product_id.topup_after_percent))
        if percent < needed:
            raise UserError(
                self.env._(
                    "%(loan)s has %(paid)s%% of its principal repaid; a top-up needs %(needed)s%%.",
                    loan=self.name,
                    paid=f"{percent:.2f}",
                    needed=f"{needed:.2f}",
                )
            )

    def _topup_payoff(self, member, date):
        """The settlement parts (principal and interest to ``date``) a top-up pays."""
        self._lock()
        self._check_active()
        self._check_topup(member)
        return self._settlement_parts(date)

    def _payoff_lines(self, payoff):
        """The credits of the topped-up loan in the new loan's disbursement entry."""
        if not payoff:
            return []
        return self._repayment_lines(payoff, self.env._("Early settlement of %s", self.name))

    def _close_by_topup(self, payoff, date, new_loan):
        for line, part in payoff:
            if part.total:
                line.sudo()._apply_payment(part)
        self._waive_unearned(payoff)
        self.sudo().message_post(body=self.env._("Paid off by the top-up loan %s.", new_loan.name))
        return self._after_payment(date)

    # ---------------------------------------------------------------- statement

    def _statement(self):
        """Every posted transaction of the loan (disbursement, payments, penalties charged)
        with what it did to each component and the running principal outstanding, the
        schedule, and the totals. Interest accruals, internal to the books, are left out."""
        self.ensure_one()
        lines, balance = [], Decimal(0)
        posted = self.sudo().move_line_ids.filtered(lambda line: line.parent_state == "posted")
        accounts = self._statement_accounts()
        for move in posted.move_id.sorted(lambda move: (move.date, move.id)):
            line = self._statement_line(
                posted.filtered(lambda ml, m=move: ml.move_id == m), accounts
            )
            if line:
                balance += line.pop("change")
                lines.append({**line, "balance": float(balance)})
        totals = {key: sum(line[key] for line in lines) for key in STATEMENT_AMOUNTS}
        totals["balance"] = float(balance)
        return {"lines": lines, "schedule": self._statement_schedule(), "totals": totals}

    def _statement_accounts(self):
        """The accounts a statement reads, without raising for a mapping not set yet."""
        product, company = self.product_id, self.company_id
        return {
            "portfolio": product._portfolio_account(),
            # Interest paid: credits to income or to the receivable (an accrual nets to zero).
            "interest": product._interest_income_account()
            | (
                product.account_interest_receivable_id
                or company.sacco_account_interest_receivable_id
            ),
            "fees": product._fee_income_account()
            | (product.account_insurance_payable_id or company.sacco_account_insurance_payable_id)
            | (product.account_excise_payable_id or company.sacco_account_excise_payable_id),
            "penalty": company.sacco_account_penalty_receivable_id,
            "recovery": company.sacco_account_recovery_income_id,
        }

    def _statement_line(self, move_lines, accounts):
        """One move's effect on the loan, or None for the interest accruals of the close of
        business (internal to the books: the member owes the same)."""

        def balance(key):
            lines = move_lines.filtered(lambda ml: ml.account_id in accounts[key])
            return _money(sum(lines.mapped("balance")))

        change, interest, fees = balance("portfolio"), -balance("interest"), -balance("fees")
        penalty_lines = move_lines.filtered(lambda ml: ml.account_id in accounts["penalty"])
        charged = _money(sum(penalty_lines.mapped("debit")))
        charges = fees + _money(sum(penalty_lines.mapped("credit")))
        labelled = next(
            (
                kind
                for kind, label in self._statement_labels().items()
                if any(ml.name and ml.name.startswith(label) for ml in move_lines)
            ),
            None,
        )
        if move_lines.move_id.journal_id.code == COB_JOURNAL_CODE:
            if not charged:
                return None
            kind, change, interest, charges = "penalty", Decimal(0), Decimal(0), Decimal(0)
        elif change > 0:
            kind = "disbursement"
        else:
            kind = labelled or "repayment"
        return {
            "date": move_lines.move_id.date,
            "reference": move_lines.move_id.name,
            "kind": kind,
            "description": self._statement_kinds()[kind],
            "disbursed": float(max(change, Decimal(0))),
            "principal": float(max(-change, Decimal(0))),
            "interest": float(interest),
            "charges": float(charges),
            "penalty_charged": float(charged),
            "recovered": float(-balance("recovery")),
            "change": change,
        }

    def _statement_labels(self):
        """Kinds told apart by the label of their journal items."""
        return {
            "settlement": self.env._("Early settlement of %s", self.name),
            "write_off": self.env._("Write-off of %s", self.name),
            "recovery": self.env._("Recovery on written-off %s", self.name),
        }

    def _statement_kinds(self):
        return {
            "disbursement": self.env._("Disbursement"),
            "repayment": self.env._("Repayment"),
            "settlement": self.env._("Early settlement"),
            "penalty": self.env._("Penalty charged"),
            "write_off": self.env._("Write-off"),
            "recovery": self.env._("Recovery after write-off"),
        }

    def _statement_schedule(self):
        fields_ = (
            "principal",
            "interest",
            "fee",
            "penalty",
            "total",
            "principal_paid",
            "interest_paid",
            "fee_paid",
            "penalty_paid",
            "interest_waived",
            "amount_due",
        )
        return [
            {"number": line.number, "due_date": line.due_date, **{f: line[f] for f in fields_}}
            for line in self.installment_ids.sorted("number")
        ]

    def action_statement_pdf(self):
        return self.env.ref("sacco_loans.sacco_loan_statement_report_action").report_action(self)

    def action_statement_xlsx(self):
        self.ensure_one()
        return download_action(self, f"Loan statement {self.name}.xlsx", self._statement_xlsx())

    def _statement_xlsx(self):
        statement = self._statement()
        title = [
            (self.env._("Loan"), self.name),
            (self.env._("Member"), self.member_id.display_name),
            (self.env._("Product"), self.product_id.name),
            (self.env._("Principal outstanding"), statement["totals"]["balance"]),
        ]
        transactions = (
            self.env._("Transactions"),
            title,
            [
                self.env._("Date"),
                self.env._("Reference"),
                self.env._("Description"),
                self.env._("Disbursed"),
                self.env._("Principal"),
                self.env._("Interest"),
                self.env._("Fees and Penalties"),
                self.env._("Penalty Charged"),
                self.env._("Recovered"),
                self.env._("Principal Outstanding"),
            ],
            [
                [
                    line["date"],
                    line["reference"],
                    line["description"],
                    *(line[key] for key in STATEMENT_AMOUNTS),
                    line["balance"],
                ]
                for line in statement["lines"]
            ],
            (3, 4, 5, 6, 7, 8, 9),
        )
        schedule = (
            self.env._("Schedule"),
            title,
            [
                self.env._("No."),
                self.env._("Due Date"),
                self.env._("Principal"),
                self.env._("Interest"),
                self.env._("Fee"),
                self.env._("Penalty"),
                self.env._("Total"),
                self.env._("Principal Paid"),
                self.env._("Interest Paid"),
                self.env._("Fee Paid"),
                self.env._("Penalty Paid"),
                self.env._("Interest Waived"),
                self.env._("Unpaid"),
            ],
            [list(row.values()) for row in statement["schedule"]],
            tuple(range(2, 13)),
        )
        return xlsx_workbook([transactions, schedule])

    # ---------------------------------------------------------------- close of business

    interest_in_suspense = fields.Monetary(
        compute="_compute_interest_in_suspense",
        help="Overdue unpaid interest not recognised in interest receivable (memorandum): "
        "cash-basis products and loans whose accrual stopped.",
    )

    @api.depends("installment_ids.interest_receivable", "installment_ids.interest_paid")
    def _compute_interest_in_suspense(self):
        today = fields.Date.context_today(self)
        for loan in self:
            due = loan.installment_ids.filtered(lambda line: line.due_date <= today)
            unpaid = sum(
                line.interest - line.interest_paid - line.interest_waived - line.interest_receivable
                for line in due
            )
            loan.interest_in_suspense = loan.currency_id.round(max(unpaid, 0.0))

    def _cob_after_repayment(self, date):
        """Repayments dated before the last close of business recompute these loans'
        standing (one company's loans, in one pass) as of that close."""
        if not self:
            return
        self.company_id.ensure_one()
        last = (
            self.env["sacco.loan.cob.run"]
            .sudo()
            .search(
                [("company_id", "=", self.company_id.id), ("state", "=", "done")],
                order="date desc",
                limit=1,
            )
        )
        if last and date and date < last.date:
            self.env["sacco.loan.cob.run"]._update_standing(self.company_id, last.date, self.ids)

    # ---------------------------------------------------------------- restructuring and recovery

    principal_written_off = fields.Monetary(
        readonly=True,
        copy=False,
        tracking=True,
        help="Principal outstanding when the loan was written off against the provision.",
    )
    charges_written_off = fields.Monetary(
        readonly=True,
        copy=False,
        help="Accrued interest receivable and penalties reversed at the write-off.",
    )
    written_off_on = fields.Date(readonly=True, copy=False)
    recovered_amount = fields.Monetary(
        readonly=True,
        copy=False,
        tracking=True,
        help="Received after the write-off and posted to recovery income.",
    )
    reschedule_ids = fields.One2many(
        "sacco.loan.reschedule", "loan_id", string="Reschedules", readonly=True
    )

    def _check_authority(self, amount):
        """Loan officers act up to the company's approval limit (as for approving a loan),
        the credit committee, managers included, above it."""
        user, limit = self.env.user, self.company_id.sacco_loan_officer_limit
        if user.has_group(COMMITTEE):
            return
        if not user.has_group(OFFICER):
            raise UserError(self.env._("Only loan officers and the credit committee do this."))
        if self.currency_id.compare_amounts(float(amount), limit) > 0:
            raise UserError(
                self.env._(
                    "%(loan)s has %(amount)s outstanding; above %(limit)s the credit "
                    "committee decides.",
                    loan=self.name,
                    amount=self.currency_id.format(float(amount)),
                    limit=self.currency_id.format(limit),
                )
            )

    def _check_state_for(self, state, action):
        if self.state != state:
            raise UserError(
                self.env._(
                    "%(loan)s is %(state)s; %(action)s.",
                    loan=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[self.state],
                    action=action,
                )
            )

    def _general_journal(self):
        journal = (
            self.env["account.journal"]
            .sudo()
            .search([("type", "=", "general"), ("company_id", "=", self.company_id.id)], limit=1)
        )
        if not journal:
            raise UserError(self.env._("No miscellaneous journal is configured."))
        return journal

    def reschedule(self, term, rate, method, date=None, reason=None):
        """Replace the unpaid schedule by a new one on the principal outstanding (new term,
        annual rate and method); the replaced installments are kept in a
        ``sacco.loan.reschedule`` record. No money moves, so no entry is posted."""
        self.ensure_one()
        self._lock()
        self._check_state_for("active", self.env._("only an active loan is rescheduled"))
        outstanding = _money(self.principal_outstanding)
        self._check_authority(outstanding)
        return self.env["sacco.loan.reschedule"]._reschedule(
            self, term, rate, method, date or fields.Date.context_today(self), reason
        )

    def write_off(self, date=None, reason=None):
        """Write the loan off against the loan-loss provision: Dr provision / Cr portfolio
        for the principal outstanding, and reverse its accrued interest receivable and
        penalty receivable out of income. Pledges still held are released: recovery from
        guarantors comes before a write-off (``recover_from_deposits``)."""
        self.ensure_one()
        self._lock()
        self._check_state_for("active", self.env._("only an active loan is written off"))
        if not self.env.user.has_group(COMMITTEE):
            raise UserError(self.env._("Only the credit committee or a manager writes off loans."))
        date = date or fields.Date.context_today(self)
        principal = _money(self.principal_outstanding)
        receivable = _money(sum(self.installment_ids.mapped("interest_receivable")))
        penalty = sum((line._due().penalty for line in self.installment_ids), Decimal(0))
        if principal + receivable + penalty <= 0:
            raise UserError(self.env._("%s owes nothing to write off.", self.name))
        self.env["sacco.ledger"].sudo()._post_entry(
            self._general_journal(),
            date,
            self.name,
            self._write_off_lines(principal, receivable, penalty),
        )
        for line in self.installment_ids:
            line.sudo().write({"interest_receivable": 0.0, "penalty": line.penalty_paid})
        self.guarantor_ids._release_holds()
        self.sudo().write(
            {
                "state": "written_off",
                "written_off_on": date,
                "principal_written_off": float(principal),
                "charges_written_off": float(receivable + penalty),
            }
        )
        self.message_post(
            body=self.env._(
                "Written off: %(principal)s principal against the provision. %(reason)s",
                principal=self.currency_id.format(float(principal)),
                reason=reason or "",
            )
        )
        return True

    def _write_off_lines(self, principal, receivable, penalty):
        product, label = self.product_id, self.env._("Write-off of %s", self.name)
        provision = self.company_id._sacco_account("sacco_account_provision_id")
        lines = [
            self._line(provision, label, debit=principal),
            self._line(product._portfolio_account(), label, credit=principal, loan=True),
            self._line(product._interest_income_account(), label, debit=receivable, loan=True),
            self._line(product._interest_receivable_account(), label, credit=receivable, loan=True),
            self._line(product._penalty_income_account(), label, debit=penalty, loan=True),
            self._line(product._penalty_receivable_account(), label, credit=penalty, loan=True),
        ]
        return [line for line in lines if line]

    def receive_recovery(self, amount, channel="cash", journal=None, date=None):
        """Money received on a written-off loan, to recovery income, up to what was
        written off (principal and reversed charges)."""
        self.ensure_one()
        amount = _money(amount)
        if amount <= 0:
            raise UserError(self.env._("The amount must be greater than zero."))
        self._lock()
        self._check_state_for("written_off", self.env._("only a written-off loan takes recoveries"))
        left = (
            _money(self.principal_written_off)
            + _money(self.charges_written_off)
            - _money(self.recovered_amount)
        )
        if left <= 0:
            raise UserError(self.env._("Everything written off on %s is recovered.", self.name))
        if amount > left:
            raise UserError(
                self.env._(
                    "Only %(left)s written off on %(loan)s is left to recover.",
                    left=self.currency_id.format(float(left)),
                    loan=self.name,
                )
            )
        label = self.env._("Recovery on written-off %s", self.name)
        recovery = self.company_id._sacco_account("sacco_account_recovery_income_id")
        lines = [self._line(recovery, label, credit=amount, loan=True)]
        self._post(
            amount, "out", lines, channel, journal, date or fields.Date.context_today(self), label
        )
        self.sudo().recovered_amount = float(_money(self.recovered_amount) + amount)
        return True

    def _recall_dues(self, as_of):
        """What a loan recalled on default owes per unpaid installment: everything due by
        ``as_of``; on later installments their principal, charges and interest earned."""
        dues = []
        for line, earned in self._settlement_parts(as_of):
            due = line._due()
            interest = (
                due.interest if line.due_date <= as_of else min(earned.interest, due.interest)
            )
            dues.append((line, Due(due.penalty, due.fee, interest, due.principal)))
        return dues

    def _recall_amount(self, as_of):
        return sum((due.total for _line, due in self._recall_dues(as_of)), Decimal(0))

    def _recovery_guarantors(self):
        return self.guarantor_ids.filtered(lambda g: g.hold_id.state == "active").sorted("id")

    def _recovery_plan(self, amount):
        """Who pays ``amount``: the borrower's free deposits first, then the guarantors
        pro rata to their pledges (``RecoveryPlan``, in ``_recovery_guarantors`` order)."""
        deposits = self.member_id._bosa_deposit_account()
        own_free = _money(deposits.balance - deposits.held_amount) if deposits else Decimal(0)
        guarantors = self._recovery_guarantors()
        return recovery_plan(
            amount,
            max(own_free, Decimal(0)),
            [_money(g.amount) for g in guarantors],
            [g._recoverable() for g in guarantors],
        )

    def recover_from_deposits(self, amount=None, date=None):
        """Recover a loan in default from deposits: the borrower's free deposits first,
        then the guarantors' deposits in proportion to their pledges (their holds consumed
        by what is taken). Each source is one posted entry applied as a repayment; the
        borrower and each guarantor are told by SMS. ``amount`` defaults to the recall
        amount (``_recall_dues``). Returns the plan."""
        self.ensure_one()
        self._lock()
        self._check_state_for("active", self.env._("only an active loan is recovered"))
        date = date or fields.Date.context_today(self)
        if not self.installment_ids.filtered(lambda line: not line.paid and line.due_date < date):
            raise UserError(
                self.env._("%s is not in arrears; recovery is for loans in default.", self.name)
            )
        owed = self._recall_amount(date)
        amount = owed if amount is None else _money(amount)
        if amount <= 0 or amount > owed:
            raise UserError(
                self.env._(
                    "Recover more than zero and at most the %(owed)s owed on %(loan)s.",
                    owed=self.currency_id.format(float(owed)),
                    loan=self.name,
                )
            )
        self._check_authority(amount)
        plan = self._recovery_plan(amount)
        if plan.total <= 0:
            raise UserError(
                self.env._(
                    "%s has no free deposits and no pledges left to recover from.", self.name
                )
            )
        guarantors = self._recovery_guarantors()
        self._recover_from(self.member_id, plan.own, date)
        for guarantor, take in zip(guarantors, plan.guarantors, strict=True):
            guarantor._consume_hold(take)
            self._recover_from(guarantor.member_id, take, date)
        if not self._recall_amount(date):
            self._waive_unearned(self._recall_dues(date))
        self._after_payment(date)
        return plan

    def _recover_from(self, member, take, date):
        """Debit ``take`` from ``member``'s BOSA deposits and apply it to the loan."""
        if take <= 0:
            return
        dues = self._recall_dues(date)
        try:
            parts, _left = allocate(
                take, [due for _line, due in dues], self.product_id._allocation_components()
            )
        except SaccoRuleError as error:
            raise UserError(str(error)) from error
        allocation = [(line, part) for (line, _due), part in zip(dues, parts, strict=True)]
        label = self.env._("Recovery for %s", self.name)
        account = member._bosa_deposit_account().sudo(False)
        self.env["sacco.savings.transaction"]._post_movements(
            [Movement(account, "charge", -float(take))],
            self._repayment_lines(allocation, label),
            account._system_journal(),
            date,
            "system",
            narration=label,
        )
        for line, part in allocation:
            if part.total:
                line.sudo()._apply_payment(part)
        self._notify_recovery(member, take)

    def _notify_recovery(self, member, take):
        kind = "borrower" if member == self.member_id else "guarantor"
        values = {"loan": self.name, "amount": sms_amount(self.currency_id.name, take)}
        self.env["sacco.sms.message"]._queue_from_template(
            f"sacco_loans.sacco_sms_template_loan_recovery_{kind}", member, values
        )
        self.sudo().message_post(
            body=self.env._(
                "%(amount)s recovered from the deposits of %(member)s.",
                amount=self.currency_id.format(float(take)),
                member=member.name,
            )
        )
