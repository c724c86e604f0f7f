from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_rules import (
    free_deposits,
    guarantee_shortfall,
    keeps_one_third,
    loan_limit,
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
        deposits = member._bosa_deposit_account()
        free = free_deposits(_money(deposits.balance), _money(deposits.held_amount))
        # A top-up's exposure leaves out the loan it pays off.
        exposure = _money(member._loan_exposure()) - _money(
            self.topup_loan_id.principal_outstanding
        )
        limit = self._rule(loan_limit, free, _money(product.deposit_multiplier), exposure)
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

    def _check_membership(self, today):
        member, product = self.member_id, self.product_id
        if member.state != "active":
            raise UserError(self.env._("%s is not an active member.", member.name))
        if member.join_date + relativedelta(months=product.min_membership_months) > today:
            raise UserError(
                self.env._(
                    "%(member)s is not eligible: %(product)s needs %(months)s months of "
                    "membership.",
                    member=member.name,
                    product=product.name,
                    months=product.min_membership_months,
                )
            )
        if not member._bosa_deposit_account():
            raise UserError(self.env._("%s has no BOSA deposit account.", member.name))
        held = member.sudo().loan_ids.filtered(
            lambda loan: (
                loan.state == "active" and loan.product_id == product and loan != self.topup_loan_id
            )
        )
        if product.max_concurrent_loans and len(held) >= product.max_concurrent_loans:
            raise UserError(
                self.env._(
                    "%(member)s is not eligible: already %(count)s active %(product)s loan(s).",
                    member=member.name,
                    count=len(held),
                    product=product.name,
                )
            )
        if member._in_loan_arrears(today):
            raise UserError(self.env._("%s is not eligible: a loan is in arrears.", member.name))

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
        product = self.product_id
        if len(self.guarantor_ids) < product.min_guarantors:
            raise UserError(
                self.env._(
                    "%(product)s needs at least %(count)s guarantors.",
                    product=product.name,
                    count=product.min_guarantors,
                )
            )
        for guarantor in self.guarantor_ids:
            guarantor._check_can_guarantee(today)
        cover = self._rule(required_cover, _money(self.amount), _money(product.guarantee_coverage))
        pledges = [_money(g.amount) for g in self.guarantor_ids]
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
            app._check_approval_limit()
            app.guarantor_ids._place_holds()
            app.write(
                {
                    "state": "approved",
                    "approved_by_id": self.env.user.id,
                    "approved_on": fields.Datetime.now(),
                }
            )
            app._notify_member(
                "approved", self.env._("Approved; guarantor pledges placed on hold.")
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
