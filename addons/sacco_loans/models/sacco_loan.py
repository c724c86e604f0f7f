from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.sacco_savings.models.sacco_savings_transaction import Movement

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_rules import Due, allocate, interest_to_date
from sacco_core.money import to_money


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
    principal = fields.Monetary(readonly=True, tracking=True)
    interest_rate = fields.Float(string="Interest Rate (% a year)", digits=(16, 4), readonly=True)
    term = fields.Integer(string="Installments", readonly=True)
    disbursed_on = fields.Date(readonly=True)
    disbursement_channel = fields.Selection(
        [("fosa", "Member's FOSA Account"), ("cash", "Cash")], readonly=True
    )
    processing_fee = fields.Monetary(readonly=True)
    insurance_fee = fields.Monetary(readonly=True)
    excise_duty = fields.Monetary(readonly=True)
    net_disbursed = fields.Monetary(readonly=True)
    installment_ids = fields.One2many("sacco.loan.installment", "loan_id", readonly=True)
    guarantor_ids = fields.One2many("sacco.loan.guarantor", "loan_id", readonly=True)
    move_line_ids = fields.One2many("account.move.line", "sacco_loan_id", readonly=True)
    principal_outstanding = fields.Monetary(
        compute="_compute_outstanding", store=True, tracking=True
    )
    interest_paid = fields.Monetary(compute="_compute_outstanding", store=True)
    state = fields.Selection(
        [("active", "Active"), ("closed", "Closed")],
        default="active",
        required=True,
        readonly=True,
        tracking=True,
    )
    closed_on = fields.Date(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("sacco.loan") or "/"
        return super().create(vals_list)

    @api.depends("principal", "installment_ids.principal_paid", "installment_ids.interest_paid")
    def _compute_outstanding(self):
        for loan in self:
            repaid = sum(loan.installment_ids.mapped("principal_paid"))
            loan.principal_outstanding = loan.currency_id.round(loan.principal - repaid)
            loan.interest_paid = sum(loan.installment_ids.mapped("interest_paid"))

    # ---------------------------------------------------------------- disbursement

    @api.model
    def _disburse_application(self, app, date):
        """Create the loan with its schedule and post the disbursement net of fees."""
        product = app.product_id
        processing, insurance, excise = product._disbursement_fees(app.amount)
        net = _money(app.amount) - processing - insurance - excise
        if net <= 0:
            raise UserError(self.env._("The fees would take the whole loan."))
        loan = self.create(
            {
                "application_id": app.id,
                "member_id": app.member_id.id,
                "company_id": app.company_id.id,
                "product_id": product.id,
                "principal": app.amount,
                "interest_rate": product.interest_rate,
                "term": app.term,
                "disbursed_on": date,
                "disbursement_channel": app.disbursement_channel,
                "processing_fee": float(processing),
                "insurance_fee": float(insurance),
                "excise_duty": float(excise),
                "net_disbursed": float(net),
                "installment_ids": [
                    Command.create(
                        {
                            "number": row.number,
                            "due_date": row.due_on,
                            "principal": float(row.principal),
                            "interest": float(row.interest),
                        }
                    )
                    for row in product._schedule(app.amount, app.term, date)
                ],
            }
        )
        loan._post_disbursement(processing, insurance, excise, net)
        return loan

    def _post_disbursement(self, processing, insurance, excise, net):
        product, label = self.product_id, self.env._("Disbursement of %s", self.name)
        lines = [
            self._line(product._portfolio_account(), label, debit=self.principal, loan=True),
            self._line(
                product._fee_income_account(), self.env._("Processing fee"), credit=processing
            ),
            self._line(
                product._fee_income_account(), self.env._("Loan insurance"), credit=insurance
            ),
            self._line(
                self.company_id._sacco_account("sacco_account_excise_payable_id"),
                self.env._("Excise duty on loan fees"),
                credit=excise,
            ),
        ]
        self._post(
            net,
            "in",
            [line for line in lines if line],
            self.disbursement_channel,
            None,
            self.disbursed_on,
            label,
        )

    def _line(self, account, label, debit=0.0, credit=0.0, loan=False):
        """A counter line; None for a zero amount. Loan lines carry the loan (sub-ledger)."""
        if not debit and not credit:
            return None
        line = {
            "account": account,
            "partner": self.partner_id,
            "name": f"{label} {self.name}",
            "debit": float(debit),
            "credit": float(credit),
        }
        if loan:
            line["vals"] = {"sacco_loan_id": self.id}
        return line

    def _post(self, amount, direction, lines, channel, journal, date, label):
        """Post ``lines`` against the member's FOSA account (through the savings posting
        engine, so its balance and transactions follow) or a cash journal. ``direction`` "in"
        pays ``amount`` to the member, "out" collects it from them.
        """
        if channel == "fosa":
            fosa = self._fosa_account()
            signed = float(amount) if direction == "in" else -float(amount)
            kind = "transfer_in" if direction == "in" else "transfer_out"
            return self.env["sacco.savings.transaction"]._post_movements(
                [Movement(fosa, kind, signed)],
                lines,
                fosa._system_journal(),
                date,
                "system",
                narration=label,
            )
        journal = self._cash_journal(journal)
        side = "credit" if direction == "in" else "debit"
        cash = {
            "account": journal.sudo().default_account_id,
            "partner": self.partner_id,
            "name": label,
            "debit": 0.0,
            "credit": 0.0,
            side: float(amount),
        }
        return self.env["sacco.ledger"].sudo()._post_entry(journal, date, self.name, [cash, *lines])

    def _fosa_account(self):
        accounts = self.member_id.sudo().savings_account_ids
        if not accounts:
            raise UserError(self.env._("%s has no open FOSA account.", self.member_id.name))
        return accounts[:1]._member_fosa_account().sudo(False)

    def _cash_journal(self, journal=None):
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

        A payment beyond everything the schedule still asks for is refused: the member
        settles the loan early instead (``settle``), which charges interest to date only.
        """
        self.ensure_one()
        # Rounded to cents, not refused: amounts computed from ORM floats carry binary noise.
        amount = _money(amount)
        if amount <= 0:
            raise UserError(self.env._("The amount must be greater than zero."))
        self._lock()
        self._check_active()
        unpaid = self.installment_ids.filtered(lambda line: not line.paid).sorted("number")
        try:
            parts, left = allocate(
                amount, [line._due() for line in unpaid], self.product_id._allocation_components()
            )
        except SaccoRuleError as error:
            raise UserError(str(error)) from error
        if left > 0:
            raise UserError(
                self.env._(
                    "%(amount)s is more than the %(owed)s left on %(loan)s; settle the loan "
                    "early instead.",
                    amount=self.currency_id.format(float(amount)),
                    owed=self.currency_id.format(float(amount - left)),
                    loan=self.name,
                )
            )
        self._receive(
            amount,
            list(zip(unpaid, parts, strict=True)),
            channel,
            journal,
            date,
            self.env._("Repayment of %s", self.name),
        )
        return self._after_payment(date)

    def _receive(self, amount, allocation, channel, journal, date, label):
        principal = sum((part.principal for _line, part in allocation), Decimal(0))
        interest = sum((part.interest for _line, part in allocation), Decimal(0))
        product = self.product_id
        lines = [
            self._line(product._portfolio_account(), label, credit=principal, loan=True),
            self._line(product._interest_income_account(), label, credit=interest, loan=True),
        ]
        self._post(
            amount,
            "out",
            [line for line in lines if line],
            channel,
            journal,
            date or fields.Date.context_today(self),
            label,
        )
        for line, part in allocation:
            if part.total:
                line.sudo()._apply_payment(part)

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

    def settlement_quote(self, as_of=None):
        """Payoff as of a date: principal outstanding plus interest earned to that date."""
        self.ensure_one()
        parts = self._settlement_parts(as_of or fields.Date.context_today(self))
        principal = sum((part.principal for _line, part in parts), Decimal(0))
        interest = sum((part.interest for _line, part in parts), Decimal(0))
        return {"principal": principal, "interest": interest, "total": principal + interest}

    def settle(self, channel="cash", journal=None, date=None):
        """Pay off the loan (interest to date only), waive the rest of the interest, close."""
        self.ensure_one()
        self._lock()
        self._check_active()
        date = date or fields.Date.context_today(self)
        parts = self._settlement_parts(date)
        total = sum((part.total for _line, part in parts), Decimal(0))
        self._receive(
            total, parts, channel, journal, date, self.env._("Early settlement of %s", self.name)
        )
        for line, _part in parts:
            rest = line.interest - line.interest_paid - line.interest_waived
            line.sudo().interest_waived = line.interest_waived + line.currency_id.round(rest)
        return self._after_payment(date)
