from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_rules import (
    eligible_maximum,
    free_deposits,
    guarantee_shortfall,
    keeps_one_third,
    largest_fitting,
    loan_limit,
    max_installment,
    required_cover,
)
from sacco_core.money import to_money
from sacco_core.sasra import SECTORS
from sacco_core.sms import sms_amount

COMMITTEE = "sacco_base.sacco_base_group_credit_committee"
OFFICER = "sacco_base.sacco_base_group_loan_officer"
# How a loan reaches the member (M-Pesa B2C comes with sacco_mpesa).
DISBURSEMENT_CHANNELS = [
    ("fosa", "Member's FOSA Account"),
    ("cash", "Cash"),
    ("cheque", "Cheque"),
    ("bank", "Bank Transfer"),
]
# Where an application comes from: the counter, or a member's own phone.
CHANNEL_NAMES = [("ussd", "USSD"), ("app", "Mobile App")]
APPLICATION_CHANNELS = [("counter", "Counter"), *CHANNEL_NAMES]
# Channels paid from a bank journal, with a cheque number or transfer reference.
BANK_CHANNELS = ("cheque", "bank")


def _money(value):
    return to_money(value, strict=False)


class SaccoLoanApplication(models.Model):
    _name = "sacco.loan.application"
    _description = "Loan Application"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    member_id = fields.Many2one(
        "sacco.member",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('state', '=', 'active')]",
    )
    partner_id = fields.Many2one(related="member_id.partner_id")
    branch_id = fields.Many2one(related="member_id.branch_id", store=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one(
        "sacco.loan.product", required=True, tracking=True, check_company=True
    )
    amount = fields.Monetary(required=True, tracking=True)
    term = fields.Integer(string="Installments", required=True, tracking=True)
    purpose = fields.Char()
    channel = fields.Selection(
        APPLICATION_CHANNELS, default="counter", required=True, readonly=True, index=True
    )
    economic_sector = fields.Selection(
        SECTORS,
        default="household",
        required=True,
        tracking=True,
        help="What the loan finances, for SASRA's sectoral lending return.",
    )
    basic_pay = fields.Monetary(tracking=True)
    total_deductions = fields.Monetary(
        string="Current Deductions", help="Deductions on the payslip before this loan."
    )
    guarantor_ids = fields.One2many("sacco.loan.guarantor", "application_id", string="Guarantors")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("appraised", "Appraised"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("disbursed", "Disbursed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    # Appraisal results, kept as they were when appraised.
    free_deposits = fields.Monetary(readonly=True, copy=False)
    loan_exposure = fields.Monetary(string="Existing Loans", readonly=True, copy=False)
    eligible_amount = fields.Monetary(readonly=True, copy=False)
    installment_amount = fields.Monetary(string="Largest Installment", readonly=True, copy=False)
    required_cover = fields.Monetary(readonly=True, copy=False)
    self_guarantee = fields.Monetary(readonly=True, copy=False)
    appraised_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_on = fields.Datetime(readonly=True, copy=False)
    rejection_reason = fields.Text(readonly=True, copy=False)
    disbursement_channel = fields.Selection(DISBURSEMENT_CHANNELS, default="fosa", required=True)
    disbursement_journal_id = fields.Many2one(
        "account.journal",
        string="Paid From",
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
        help="The bank account a cheque or a bank transfer is paid from.",
    )
    disbursement_reference = fields.Char(
        string="Cheque / Transfer Reference", help="The cheque number or the bank's reference."
    )
    loan_id = fields.Many2one("sacco.loan", readonly=True, copy=False)
    topup_loan_id = fields.Many2one(
        "sacco.loan",
        string="Top-up Of",
        copy=False,
        check_company=True,
        domain="[('member_id', '=', member_id), ('state', '=', 'active')]",
        help="An active loan this one pays off first, from its principal.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("sacco.loan.application") or "/"
        return super().create(vals_list)

    @api.constrains("amount", "term", "product_id")
    def _check_product_limits(self):
        for app in self:
            product, cur = app.product_id, app.currency_id
            if cur.compare_amounts(app.amount, 0) <= 0:
                raise ValidationError(self.env._("The loan amount must be greater than zero."))
            if (
                cur.compare_amounts(app.amount, product.min_amount) < 0
                or cur.compare_amounts(app.amount, product.max_amount) > 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(product)s lends between %(low)s and %(high)s.",
                        product=product.name,
                        low=cur.format(product.min_amount),
                        high=cur.format(product.max_amount),
                    )
                )
            if not product.min_term <= app.term <= product.max_term:
                raise ValidationError(
                    self.env._(
                        "%(product)s is repaid in %(low)s to %(high)s installments.",
                        product=product.name,
                        low=product.min_term,
                        high=product.max_term,
                    )
                )

    @api.constrains("basic_pay", "total_deductions")
    def _check_payslip(self):
        for app in self:
            cur = app.currency_id
            if (
                cur.compare_amounts(app.basic_pay, 0) < 0
                or cur.compare_amounts(app.total_deductions, 0) < 0
            ):
                raise ValidationError(self.env._("Payslip figures cannot be negative."))

    @api.constrains("topup_loan_id", "member_id")
    def _check_topup_loan(self):
        for app in self.filtered("topup_loan_id"):
            if app.topup_loan_id.member_id != app.member_id:
                raise ValidationError(self.env._("A top-up pays off a loan of the same member."))

    def write(self, vals):
        frozen = {
            "amount",
            "term",
            "product_id",
            "member_id",
            "basic_pay",
            "total_deductions",
            "topup_loan_id",
        }
        if frozen & set(vals) and self.filtered(lambda a: a.state not in ("draft", "submitted")):
            raise UserError(self.env._("An appraised application's terms cannot be changed."))
        return super().write(vals)

    # ---------------------------------------------------------------- workflow

    def _check_state(self, *states):
        for app in self:
            if app.state not in states:
                raise UserError(
                    self.env._(
                        "%(app)s is %(state)s; this step needs it %(needed)s.",
                        app=app.name,
                        state=dict(self._fields["state"].selection)[app.state],
                        needed=" or ".join(states),
                    )
                )

    def _notify_member(self, step, body):
        """Post ``body`` on each application's chatter and text the member the outcome of
        ``step`` (template sacco_sms_template_loan_application_<step>)."""
        Sms = self.env["sacco.sms.message"]
        for app in self:
            app.message_post(body=body)
            values = {
                "application": app.name,
                "amount": sms_amount(app.currency_id.name, app.amount),
                "reason": app.rejection_reason or self.env._("please ask your branch."),
            }
            Sms._queue_from_template(
                f"sacco_loans.sacco_sms_template_loan_application_{step}", app.member_id, values
            )

    def action_submit(self):
        self._check_state("draft")
        self.write({"state": "submitted"})
        self._notify_member("submitted", self.env._("Submitted for appraisal."))

    def action_appraise(self):
        self._check_state("submitted")
        for app in self:
            app.write(app._appraise(fields.Date.context_today(self)))
            app._notify_member("appraised", self.env._("Appraisal passed."))

    def _appraise(self, today):
        """Every eligibility rule; returns the appraisal figures or raises with the reason."""
        self.ensure_one()
        member, product = self.member_id, self.product_id
        self._check_membership(today)
        if self.topup_loan_id:
            self.topup_loan_id._check_topup(member)
        free, exposure, limit = self._deposit_limit(member, product, self.topup_loan_id)
        if _money(self.amount) > limit:
            raise UserError(
                self.env._(
                    "%(member)s is not eligible: at most %(limit)s on free deposits of %(free)s.",
                    member=member.name,
                    limit=self.currency_id.format(float(limit)),
                    free=self.currency_id.format(float(free)),
                )
            )
        installment = max(row.total for row in product._schedule(self.amount, self.term, today))
        if product.payslip_required:
            self._check_debt_service(installment)
        cover, self_cover = self._check_guarantors(free, today)
        return {
            "state": "appraised",
            "free_deposits": float(free),
            "loan_exposure": float(exposure),
            "eligible_amount": float(limit),
            "installment_amount": float(installment),
            "required_cover": float(cover),
            "self_guarantee": float(self_cover),
            "appraised_by_id": self.env.user.id,
        }

    def _rule(self, rule, *args):
        try:
            return rule(*args)
        except SaccoRuleError as error:
            raise UserError(str(error)) from error

    @api.model
    def _deposit_limit(self, member, product, topup_loan=None):
        """(free deposits, existing loan exposure, most the member may borrow) as Decimals;
        a top-up's exposure leaves out the loan it pays off."""
        deposits = member._bosa_deposit_account()
        free = free_deposits(_money(deposits.balance), _money(deposits.held_amount))
        exposure = _money(member._loan_exposure())
        if topup_loan:
            exposure -= _money(topup_loan.principal_outstanding)
        limit = self._rule(loan_limit, free, _money(product.deposit_multiplier), exposure)
        return free, exposure, limit

    def _check_membership(self, today):
        problems = self._membership_problems(
            self.member_id, self.product_id, today, self.topup_loan_id
        )
        if problems:
            raise UserError(problems[0])

    @api.model
    def _membership_problems(self, member, product, today, topup_loan=None):
        """Why ``member`` may not borrow ``product`` on ``today`` (an empty list: nothing)."""
        if member.state != "active":
            return [self.env._("%s is not an active member.", member.name)]
        problems = []
        if member.join_date + relativedelta(months=product.min_membership_months) > today:
            problems.append(
                self.env._(
                    "%(member)s is not eligible: %(product)s needs %(months)s months of "
                    "membership.",
                    member=member.name,
                    product=product.name,
                    months=product.min_membership_months,
                )
            )
        if not member._bosa_deposit_account():
            problems.append(self.env._("%s has no BOSA deposit account.", member.name))
        held = member.sudo().loan_ids.filtered(
            lambda loan: (
                loan.state == "active" and loan.product_id == product and loan != topup_loan
            )
        )
        if product.max_concurrent_loans and len(held) >= product.max_concurrent_loans:
            problems.append(
                self.env._(
                    "%(member)s is not eligible: already %(count)s active %(product)s loan(s).",
                    member=member.name,
                    count=len(held),
                    product=product.name,
                )
            )
        if member._in_loan_arrears(today):
            problems.append(self.env._("%s is not eligible: a loan is in arrears.", member.name))
        return problems

    def _check_debt_service(self, installment):
        if self.currency_id.compare_amounts(self.basic_pay, 0) <= 0:
            raise UserError(self.env._("Enter the member's basic pay from the payslip."))
        if not self._rule(
            keeps_one_third, _money(self.basic_pay), _money(self.total_deductions), installment
        ):
            raise UserError(
                self.env._(
                    "%(member)s is not eligible: an installment of %(inst)s would leave less "
                    "than a third of the basic pay.",
                    member=self.member_id.name,
                    inst=self.currency_id.format(float(installment)),
                )
            )

    def _check_guarantors(self, own_free, today):
        """Only pledges the guarantors accepted count; unanswered and declined ones not."""
        product = self.product_id
        accepted = self.guarantor_ids.filtered(lambda g: g.consent_state == "accepted")
        if len(accepted) < product.min_guarantors:
            raise UserError(
                self.env._(
                    "%(product)s needs at least %(count)s guarantors.",
                    product=product.name,
                    count=product.min_guarantors,
                )
            )
        for guarantor in accepted:
            guarantor._check_can_guarantee(today)
        cover = self._rule(required_cover, _money(self.amount), _money(product.guarantee_coverage))
        pledges = [_money(g.amount) for g in accepted]
        room = max(cover - sum(pledges, _money(0)), _money(0))
        self_cover = min(own_free, room) if product.self_guarantee_allowed else _money(0)
        shortfall = self._rule(guarantee_shortfall, cover, pledges, self_cover)
        if shortfall:
            raise UserError(
                self.env._(
                    "The guarantees fall %(short)s short of the %(cover)s cover needed.",
                    short=self.currency_id.format(float(shortfall)),
                    cover=self.currency_id.format(float(cover)),
                )
            )
        return cover, self_cover

    def action_approve(self):
        self._check_state("appraised")
        for app in self:
            app._check_consents()
            app._check_approval_limit()
            app._approve(self.env._("Approved; guarantor pledges placed on hold."))

    def _approve(self, note):
        """Hold the accepted pledges and approve (the caller checked who may)."""
        self.ensure_one()
        self.guarantor_ids.filtered(lambda g: g.consent_state == "accepted")._place_holds()
        self.write(
            {
                "state": "approved",
                "approved_by_id": self.env.user.id,
                "approved_on": fields.Datetime.now(),
            }
        )
        self._notify_member("approved", note)

    def _check_consents(self):
        waiting = self.guarantor_ids.filtered(lambda g: g.consent_state == "requested")
        if waiting:
            raise UserError(
                self.env._(
                    "%(names)s have not answered the request to guarantee %(app)s yet: they "
                    "accept or decline by USSD or the app, or staff record their answer.",
                    names=", ".join(waiting.member_id.mapped("name")),
                    app=self.name,
                )
            )

    def _check_approval_limit(self):
        user, limit = self.env.user, self.company_id.sacco_loan_officer_limit
        if user.has_group(COMMITTEE):
            return
        if not user.has_group(OFFICER):
            raise UserError(self.env._("Only loan officers and the credit committee approve."))
        if self.currency_id.compare_amounts(self.amount, limit) > 0:
            raise UserError(
                self.env._(
                    "Loans above %s need the credit committee's approval.",
                    self.currency_id.format(limit),
                )
            )

    def action_reject(self, reason=None):
        self._check_state("submitted", "appraised")
        self.write({"state": "rejected", "rejection_reason": reason or False})
        self._notify_member(
            "rejected", self.env._("Rejected: %s", reason or self.env._("no reason given"))
        )

    def action_cancel(self):
        self._check_state("draft", "submitted", "appraised", "approved")
        self.guarantor_ids._release_holds()
        self.write({"state": "cancelled"})
        self._notify_member("cancelled", self.env._("Cancelled."))

    def action_disburse(self):
        self._disburse()
        return self.action_open_loan() if len(self) == 1 else True

    def _disburse(self, date=None):
        """Create and disburse the loans; returns them."""
        self._check_state("approved")
        self._check_disbursement_channel()
        for app in self:
            loan = self.env["sacco.loan"]._disburse_application(
                app, date or fields.Date.context_today(self)
            )
            app.write({"state": "disbursed", "loan_id": loan.id})
            app.message_post(body=self.env._("Disbursed as %s.", loan.name))
            self.env["sacco.sms.message"]._queue_from_template(
                "sacco_loans.sacco_sms_template_loan_disbursed", app.member_id
            )
        return self.loan_id

    def _check_disbursement_channel(self):
        for app in self.filtered(lambda app: app.disbursement_channel in BANK_CHANNELS):
            if not app.disbursement_journal_id:
                raise UserError(self.env._("Choose the bank account %s is paid from.", app.name))
            if app.disbursement_channel == "cheque" and not app.disbursement_reference:
                raise UserError(self.env._("Enter the cheque number of %s.", app.name))

    def action_open_loan(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sacco.loan",
            "res_id": self.loan_id.id,
            "view_mode": "form",
        }

    # ---------------------------------------------------------------- mobile channels

    @api.model
    def _sacco_channel_eligibility(self, member, product):
        """What ``member`` may borrow of ``product`` on USSD or the app, by the appraisal's
        rules: {"max_amount": Decimal (0: not eligible), "min_amount": Decimal,
        "terms": [installments allowed], "reasons": [why not, or what limits it]}."""
        today = fields.Date.context_today(self)
        cur = product.currency_id
        reasons = [] if product.channel_ok else [self._not_on_channels(product)]
        reasons += self._membership_problems(member, product, today)
        low, most = _money(product.min_amount), _money(0)
        if not reasons:
            free, exposure, limit = self._deposit_limit(member, product)
            most = eligible_maximum(limit, low, _money(product.max_amount))
            reasons.append(
                self.env._(
                    "At most %(limit)s: %(times)s times free deposits of %(free)s, less "
                    "%(owed)s owed on loans.",
                    limit=cur.format(float(limit)),
                    times=product.deposit_multiplier,
                    free=cur.format(float(free)),
                    owed=cur.format(float(exposure)),
                )
            )
            if not most:
                reasons.append(
                    self.env._(
                        "%(product)s lends from %(low)s.",
                        product=product.name,
                        low=cur.format(float(low)),
                    )
                )
        if most and product.payslip_required:
            most = self._debt_service_maximum(member, product, most, today, reasons)
        if most and product.min_guarantors:
            reasons.append(
                self.env._("Needs at least %s guarantors who accept.", product.min_guarantors)
            )
        return {
            "max_amount": most,
            "min_amount": low,
            "terms": list(range(product.min_term, product.max_term + 1)),
            "reasons": reasons,
        }

    def _not_on_channels(self, product):
        return self.env._("%s is not offered on mobile channels.", product.name)

    @api.model
    def _latest_payslip(self, member):
        """The basic pay and deductions the member last gave on an application (Decimals),
        or None."""
        app = self.sudo().search(
            [("member_id", "=", member.id), ("basic_pay", ">", 0)], order="id desc", limit=1
        )
        return (_money(app.basic_pay), _money(app.total_deductions)) if app else None

    @api.model
    def _debt_service_maximum(self, member, product, most, today, reasons):
        """``most`` lowered to what the one-third rule allows on the member's latest payslip
        over the longest term (0 without a payslip); appends the reason."""
        cur = product.currency_id
        payslip = self._latest_payslip(member)
        if not payslip:
            reasons.append(self.env._("%s needs your payslip: apply at a branch.", product.name))
            return _money(0)
        room = self._rule(max_installment, *payslip)
        reasons.append(
            self.env._(
                "Installments up to %s, so that a third of the basic pay is kept.",
                cur.format(float(room)),
            )
        )

        def fits(amount):
            schedule = product._schedule(amount, product.max_term, today)
            return max(row.total for row in schedule) <= room

        return largest_fitting(most, fits)

    @api.model
    def _sacco_channel_apply(
        self,
        member,
        product,
        amount,
        term_months,
        guarantors=(),
        channel="ussd",
        disburse_to="fosa",
    ):
        """Apply for ``member`` from USSD or the app: the application is submitted, each of
        ``guarantors`` ((member, amount) pairs) asked for consent, and, when none is needed,
        appraised at once; an instant-approval product within its limit is then approved
        by the system and disbursed to FOSA or M-Pesa. Anything else waits for the loan
        officer. Returns the application; UserError on input the channel must refuse."""
        self = self.with_company(member.company_id)
        value = self._channel_amount(amount)
        self._check_channel_request(member, product, value, term_months, channel, disburse_to)
        pledges = self._channel_guarantors(member, product, guarantors)
        payslip = self._latest_payslip(member) if product.payslip_required else None
        basic_pay, deductions = payslip or (0, 0)
        app = self.create(
            {
                "member_id": member.id,
                "company_id": member.company_id.id,
                "product_id": product.id,
                "amount": float(value),
                "term": term_months,
                "channel": channel,
                "basic_pay": float(basic_pay),
                "total_deductions": float(deductions),
                "disbursement_channel": disburse_to,
                "guarantor_ids": [
                    Command.create(
                        {
                            "member_id": guarantor.id,
                            "requested_amount": float(pledge),
                            "consent_state": "requested",
                        }
                    )
                    for guarantor, pledge in pledges
                ],
            }
        )
        app.action_submit()
        if not app.guarantor_ids and app._channel_appraise() and app._instant_approval_applies():
            app._approve_instantly(channel)
        return app

    @api.model
    def _channel_amount(self, amount):
        try:
            return _money(amount)
        except SaccoRuleError:
            raise UserError(self.env._("Enter the amount in figures.")) from None

    @api.model
    def _check_channel_request(self, member, product, amount, term, channel, disburse_to):
        if channel not in dict(CHANNEL_NAMES):
            raise UserError(self.env._("Unknown channel %s.", channel))
        if disburse_to not in ("fosa", "mpesa") or disburse_to not in dict(
            self._fields["disbursement_channel"].selection
        ):
            raise UserError(self.env._("Loans are paid to FOSA or M-Pesa only."))
        if product.company_id != member.company_id or not product.active:
            raise UserError(self.env._("Choose one of your SACCO's loan products."))
        if not product.channel_ok:
            raise UserError(self._not_on_channels(product))
        eligibility = self._sacco_channel_eligibility(member, product)
        cur, low, most = product.currency_id, eligibility["min_amount"], eligibility["max_amount"]
        if not most:
            raise UserError(" ".join(eligibility["reasons"]))
        if not low <= amount <= most:
            raise UserError(
                self.env._(
                    "You may borrow from %(low)s to %(high)s.",
                    low=cur.format(float(low)),
                    high=cur.format(float(most)),
                )
            )
        if term not in eligibility["terms"]:
            raise UserError(
                self.env._(
                    "%(product)s is repaid in %(low)s to %(high)s months.",
                    product=product.name,
                    low=product.min_term,
                    high=product.max_term,
                )
            )

    @api.model
    def _channel_guarantors(self, member, product, guarantors):
        """The (member, Decimal amount) pairs asked, checked: other active members of the
        same SACCO, each once, pledges above zero, as many as the product needs."""
        pledges, seen = [], set()
        for guarantor, amount in guarantors:
            if (
                guarantor == member
                or guarantor.company_id != member.company_id
                or guarantor.state != "active"
            ):
                raise UserError(self.env._("%s cannot guarantee this loan.", guarantor.name or "?"))
            if guarantor.id in seen:
                raise UserError(self.env._("%s is named twice.", guarantor.name))
            seen.add(guarantor.id)
            pledge = self._channel_amount(amount)
            if pledge <= 0:
                raise UserError(self.env._("A guarantee must be greater than zero."))
            pledges.append((guarantor, pledge))
        if len(pledges) < product.min_guarantors:
            raise UserError(
                self.env._(
                    "%(product)s needs at least %(count)s guarantors.",
                    product=product.name,
                    count=product.min_guarantors,
                )
            )
        return pledges

    def _channel_appraise(self):
        """Appraise now; a refusal leaves the application with the loan officer, the reason
        in its chatter. Returns whether it passed."""
        try:
            with self.env.cr.savepoint():
                self.action_appraise()
        except UserError as error:
            self.message_post(
                body=self.env._(
                    "Automatic appraisal did not pass (%s); left for the loan officer.", error
                )
            )
            return False
        return True

    def _instant_approval_applies(self):
        product = self.product_id
        return (
            product.instant_approval
            and self.currency_id.compare_amounts(self.amount, product.instant_approval_limit) <= 0
        )

    def _approve_instantly(self, channel):
        """Approve as the system, deliberately without the staff approval limits (the
        product's instant approval limit stands in for them), and disburse; an M-Pesa
        payout is sent by the background job."""
        system = self.with_user(SUPERUSER_ID).with_context(sacco_mpesa_defer=True)
        product = self.product_id
        system._approve(
            self.env._(
                "Approved by the system: instant approval of %(product)s up to %(limit)s "
                "for an application by %(channel)s; staff approval limits do not apply.",
                product=product.name,
                limit=self.currency_id.format(product.instant_approval_limit),
                channel=dict(CHANNEL_NAMES)[channel],
            )
        )
        system._disburse()
