from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from sacco_core.exceptions import SaccoRuleError
from sacco_core.identity import age_on, check_minimum_age, normalize_identity, normalize_kra_pin
from sacco_core.members import format_member_number
from sacco_core.phones import normalize_msisdn

MEMBER_STATES = [
    ("applicant", "Applicant"),
    ("active", "Active"),
    ("dormant", "Dormant"),
    ("suspended", "Suspended"),
    ("exited", "Exited"),
    ("deceased", "Deceased"),
]
# Manual transitions (approval of an applicant has its own button and checks).
MEMBER_TRANSITIONS = {
    "active": ("dormant", "suspended", "exited", "deceased"),
    "dormant": ("active", "suspended", "exited", "deceased"),
    "suspended": ("active", "exited", "deceased"),
}
NATURAL_PERSON_TYPES = ("individual", "joint", "junior")
MANAGER_GROUP = "sacco_base.sacco_base_group_manager"
# What identifies a member to the SACCO and its channels: once a member is active, these change
# only through an approved sacco.member.change (maker-checker).
IDENTITY_FIELDS = ("name", "phone", "id_type", "id_number")
ACCOUNTANT_GROUP = "sacco_base.sacco_base_group_accountant"


class SaccoMember(models.Model):
    _name = "sacco.member"
    _description = "SACCO Member"
    _inherits = {"res.partner": "partner_id"}
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "member_number, id"
    _rec_names_search = ["name", "member_number", "id_number", "phone"]
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Member Contact",
        required=True,
        ondelete="restrict",
        auto_join=True,
        index=True,
    )
    member_number = fields.Char(readonly=True, copy=False, index=True, tracking=True)
    membership_type = fields.Selection(
        [
            ("individual", "Individual"),
            ("joint", "Joint"),
            ("group", "Group / Chama"),
            ("corporate", "Corporate"),
            ("junior", "Junior"),
        ],
        required=True,
        default="individual",
        tracking=True,
    )
    state = fields.Selection(
        MEMBER_STATES,
        string="Status",
        default="applicant",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    state_date = fields.Date(string="Status Date", readonly=True, copy=False)
    state_reason = fields.Text(string="Status Reason", readonly=True, copy=False)
    status_log_ids = fields.One2many("sacco.member.status.log", "member_id", readonly=True)
    id_type = fields.Selection(
        [
            ("national_id", "National ID"),
            ("passport", "Passport"),
            ("alien_id", "Alien ID"),
            ("registration", "Registration Certificate"),
        ],
        string="ID Type",
        required=True,
        default="national_id",
        tracking=True,
    )
    id_number = fields.Char(
        string="ID Number", required=True, copy=False, tracking=True, index=True
    )
    kra_pin = fields.Char(string="KRA PIN", copy=False, tracking=True, index="btree_not_null")
    date_of_birth = fields.Date(tracking=True)
    age = fields.Integer(compute="_compute_age")
    gender = fields.Selection([("male", "Male"), ("female", "Female")])
    employer_id = fields.Many2one(
        "res.partner",
        domain="[('sacco_is_employer', '=', True)]",
        tracking=True,
        index=True,
    )
    payroll_number = fields.Char(copy=False, tracking=True, index="btree_not_null")
    branch_id = fields.Many2one(
        "sacco.branch", required=True, check_company=True, tracking=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    join_date = fields.Date(default=fields.Date.context_today, required=True, tracking=True)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_on = fields.Datetime(readonly=True, copy=False)
    kin_ids = fields.One2many("sacco.member.kin", "member_id", string="Next of Kin", copy=False)
    document_ids = fields.One2many(
        "sacco.member.document", "member_id", string="KYC Documents", copy=False
    )
    kin_count = fields.Integer(compute="_compute_counts")
    document_count = fields.Integer(compute="_compute_counts")
    sms_count = fields.Integer(compute="_compute_counts")
    missing_document_type_ids = fields.Many2many(
        "sacco.document.type",
        compute="_compute_missing_document_type_ids",
        string="Missing KYC Documents",
    )
    registration_move_id = fields.Many2one(
        "account.move", string="Registration Fee Entry", readonly=True, copy=False
    )
    registration_fee_paid = fields.Boolean(compute="_compute_registration_fee_paid")
    sacco_phone_trusted_from = fields.Datetime(
        string="Phone Channels Open From",
        readonly=True,
        copy=False,
        help="After an approved phone change, USSD, app logins and M-Pesa routing stay closed "
        "until this time (the SIM-swap cooling-off period).",
    )
    change_ids = fields.One2many(
        "sacco.member.change", "member_id", string="Identity Changes", readonly=True
    )

    _sql_constraints = [
        (
            "member_number_company_uniq",
            "unique(member_number, company_id)",
            "The member number must be unique per company.",
        ),
        (
            "partner_uniq",
            "unique(partner_id)",
            "This contact is already a member.",
        ),
    ]

    @api.depends("member_number", "name")
    def _compute_display_name(self):
        for member in self:
            member.display_name = (
                f"{member.member_number} {member.name}" if member.member_number else member.name
            )

    @api.depends("date_of_birth")
    def _compute_age(self):
        today = fields.Date.context_today(self)
        for member in self:
            member.age = age_on(member.date_of_birth, today) if member.date_of_birth else 0

    def _compute_counts(self):
        sms_counts = dict(
            self.env["sacco.sms.message"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.kin_count = len(member.kin_ids)
            member.document_count = len(member.document_ids)
            member.sms_count = sms_counts.get(member, 0)

    @api.depends("document_ids.state", "document_ids.document_type_id", "company_id")
    def _compute_missing_document_type_ids(self):
        for member in self:
            verified = member.document_ids.filtered(lambda doc: doc.state == "verified")
            member.missing_document_type_ids = (
                member.company_id.sacco_required_document_type_ids - verified.document_type_id
            )

    @api.depends("registration_move_id.state", "registration_move_id.reversal_move_ids")
    def _compute_registration_fee_paid(self):
        for member in self:
            move = member.registration_move_id
            member.registration_fee_paid = move.state == "posted" and not move.reversal_move_ids

    # ---------------------------------------------------------------- create / write

    @api.model_create_multi
    def create(self, vals_list):
        company = self.env.company
        prepared = []
        for vals in vals_list:
            vals = self._normalize_vals(vals)
            vals.setdefault("company_id", vals.get("company_id") or company.id)
            membership_type = vals.get("membership_type", "individual")
            vals.setdefault("is_company", membership_type in ("group", "corporate"))
            prepared.append(vals)
        return super().create(prepared)

    def write(self, vals):
        if "company_id" in vals and any(m.company_id.id != vals["company_id"] for m in self):
            raise UserError(self.env._("A member cannot move to another company."))
        vals = self._normalize_vals(vals)
        self._check_identity_unchanged(vals)
        return super().write(vals)

    def _check_identity_unchanged(self, vals):
        """Applicants are edited freely until approval; afterwards a member's name, phone and
        ID change only through an approved change request, whoever edits (the request applies
        itself as superuser with a context flag a client cannot grant itself)."""
        if self.env.su and self.env.context.get("sacco_identity_change_approved"):
            return
        touched = [name for name in IDENTITY_FIELDS if name in vals]
        changed = self.filtered(
            lambda member: (
                member.state != "applicant"
                and any(member[name] != (vals[name] or False) for name in touched)
            )
        )
        if changed:
            raise UserError(
                self.env._(
                    "The name, phone and ID of %(member)s change only through an identity "
                    "change request a manager approves (button 'Request Identity Change').",
                    member=changed[0].display_name,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_unpaid_applicants(self):
        if self.filtered(lambda member: member.state != "applicant" or member.registration_move_id):
            raise UserError(
                self.env._("Only applicants without payments can be deleted; exit members instead.")
            )

    @api.model
    def _normalize_vals(self, vals):
        """Canonical phone, ID and KRA PIN, or a clear error naming the bad input."""
        vals = dict(vals)
        try:
            if vals.get("phone"):
                vals["phone"] = normalize_msisdn(vals["phone"])
            if vals.get("id_number"):
                id_type = vals.get("id_type") or self._default_id_type_for(vals)
                vals["id_number"] = normalize_identity(id_type, vals["id_number"])
            if vals.get("kra_pin"):
                vals["kra_pin"] = normalize_kra_pin(vals["kra_pin"])
        except SaccoRuleError as error:
            raise ValidationError(str(error)) from error
        return vals

    def _default_id_type_for(self, vals):
        if len(self) == 1:
            return self.id_type
        if len(set(self.mapped("id_type"))) > 1:
            raise ValidationError(self.env._("Set the ID type together with the ID number."))
        return self[:1].id_type or "national_id"

    # ---------------------------------------------------------------- constraints

    @api.constrains("partner_id", "phone", "id_number", "kra_pin", "company_id")
    def _check_unique_identity(self):
        """Same ID number, phone or KRA PIN twice in a company is refused (one query per field
        for the whole batch, so a loan-book or member import stays fast)."""
        for field_name in ("id_number", "kra_pin", "phone"):
            values = {member[field_name] for member in self if member[field_name]}
            if not values:
                continue
            holders = self.sudo().search(
                [(field_name, "in", list(values)), ("company_id", "in", self.company_id.ids)]
            )
            seen = {}
            for holder in holders.sorted("id"):
                key = (holder.company_id.id, holder[field_name])
                if key in seen:
                    first = seen[key] if holder in self else holder
                    raise ValidationError(
                        self.env._(
                            "%(field)s %(value)s is already registered to member %(member)s.",
                            field=self._fields[field_name].string,
                            value=holder[field_name],
                            member=first.member_number or first.name,
                        )
                    )
                seen[key] = holder

    @api.constrains("date_of_birth", "membership_type", "company_id")
    def _check_age(self):
        today = fields.Date.context_today(self)
        for member in self.filtered("date_of_birth"):
            minimum = (
                0 if member.membership_type == "junior" else member.company_id.sacco_minimum_age
            )
            if member.membership_type not in NATURAL_PERSON_TYPES:
                continue
            try:
                check_minimum_age(member.date_of_birth, today, minimum)
            except SaccoRuleError as error:
                raise ValidationError(str(error)) from error

    @api.constrains("kin_ids")
    def _check_kin_allocation(self):
        for member in self.filtered("kin_ids"):
            total = sum(member.kin_ids.mapped("allocation_percent"))
            if float_compare(total, 100.0, precision_digits=2):
                raise ValidationError(
                    self.env._(
                        "The next of kin allocations of %(member)s add up to %(total)s %%; "
                        "they must total 100 %%.",
                        member=member.name,
                        total=round(total, 2),
                    )
                )

    @api.constrains("employer_id", "payroll_number")
    def _check_payroll_number(self):
        for member in self.filtered(lambda m: m.employer_id and m.payroll_number):
            if self.search_count(
                [
                    ("id", "!=", member.id),
                    ("employer_id", "=", member.employer_id.id),
                    ("payroll_number", "=", member.payroll_number),
                ]
            ):
                raise ValidationError(
                    self.env._(
                        "Payroll number %(number)s is already used at %(employer)s.",
                        number=member.payroll_number,
                        employer=member.employer_id.name,
                    )
                )

    # ---------------------------------------------------------------- lifecycle

    def action_approve(self):
        """Activate applicants: authorised role, complete KYC, then a member number."""
        if not (self.env.is_superuser() or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only a branch manager can approve applicants."))
        for member in self:
            member._check_ready_for_activation()
        today = fields.Date.context_today(self)
        for member in self:
            member.member_number = member._next_member_number()
            member.write({"approved_by_id": self.env.user.id, "approved_on": fields.Datetime.now()})
            member._set_state("active", today, self.env._("Application approved."))
            self.env["sacco.sms.message"]._queue_from_template(
                "sacco_base.sacco_sms_template_member_welcome", member
            )
        return True

    def _check_ready_for_activation(self):
        self.ensure_one()
        problems = []
        if self.state != "applicant":
            problems.append(self.env._("it is not an applicant"))
        if not self.phone:
            problems.append(self.env._("a mobile phone number is missing"))
        if self.membership_type in NATURAL_PERSON_TYPES and not self.date_of_birth:
            problems.append(self.env._("the date of birth is missing"))
        if self.company_id.sacco_require_kin and not self.kin_ids:
            problems.append(self.env._("no next of kin is recorded"))
        if self.missing_document_type_ids:
            problems.append(
                self.env._(
                    "these KYC documents are not verified: %s",
                    ", ".join(self.missing_document_type_ids.mapped("name")),
                )
            )
        if problems:
            raise UserError(
                self.env._(
                    "%(member)s cannot be activated: %(problems)s.",
                    member=self.name,
                    problems="; ".join(problems),
                )
            )

    def _next_member_number(self):
        self.ensure_one()
        try:
            return format_member_number(
                self.company_id.sacco_member_number_template,
                prefix=self.branch_id.member_number_prefix,
                seq=self.branch_id._next_member_sequence(),
                year=self.join_date.year,
            )
        except SaccoRuleError as error:
            raise UserError(str(error)) from error

    def _change_state(self, new_state, date, reason):
        """A manual, dated and reasoned status change by an authorised role."""
        if not (self.env.is_superuser() or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only a branch manager can change a member's status."))
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for the status change."))
        for member in self:
            if new_state not in MEMBER_TRANSITIONS.get(member.state, ()):
                raise UserError(
                    self.env._(
                        "%(member)s cannot go from %(old)s to %(new)s.",
                        member=member.name,
                        old=dict(MEMBER_STATES)[member.state],
                        new=dict(MEMBER_STATES)[new_state],
                    )
                )
            member._set_state(new_state, date, reason)

    def _set_state(self, new_state, date, reason):
        self.ensure_one()
        self.env["sacco.member.status.log"].create(
            {
                "member_id": self.id,
                "date": date,
                "from_state": self.state,
                "to_state": new_state,
                "reason": reason,
            }
        )
        self.write({"state": new_state, "state_date": date, "state_reason": reason})
        self.message_post(
            body=self.env._(
                "Status changed to %(state)s on %(date)s: %(reason)s",
                state=dict(MEMBER_STATES)[new_state],
                date=date,
                reason=reason,
            )
        )

    # ---------------------------------------------------------------- money

    def _post_registration_fee(self, journal, amount, date):
        """Post the registration fee paid at the counter: Dr cash/bank, Cr fee income."""
        self.ensure_one()
        if self.registration_fee_paid:
            raise UserError(self.env._("%s has already paid the registration fee.", self.name))
        if self.state in ("exited", "deceased"):
            raise UserError(self.env._("%s is no longer a member.", self.name))
        currency = self.company_id.currency_id
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("The registration fee must be greater than zero."))
        if journal.type not in ("cash", "bank") or journal.company_id != self.company_id:
            raise UserError(self.env._("Choose a cash or bank journal of the member's company."))
        income = self.company_id._sacco_account("sacco_account_registration_fee_id")
        # Tellers take the fee without access to the GL: the posting runs as superuser.
        journal = journal.sudo()
        label = self.env._("Registration fee %s", self.member_number or self.name)
        self.registration_move_id = (
            self.env["sacco.ledger"]
            .sudo()
            ._post_entry(
                journal,
                date,
                label,
                [
                    {
                        "account": journal._sacco_money_account("inbound"),
                        "partner": self.partner_id,
                        "name": label,
                        "debit": amount,
                    },
                    {
                        "account": income,
                        "partner": self.partner_id,
                        "name": label,
                        "credit": amount,
                    },
                ],
            )
        )
        return self.registration_move_id

    def action_reverse_registration_fee(self):
        self.ensure_one()
        if not (self.env.is_superuser() or self.env.user.has_group(ACCOUNTANT_GROUP)):
            raise AccessError(self.env._("Only an accountant can reverse a payment."))
        if not self.registration_fee_paid:
            raise UserError(self.env._("There is no registration fee payment to reverse."))
        self.env["sacco.ledger"].sudo()._reverse_entry(
            self.registration_move_id,
            fields.Date.context_today(self),
            self.env._("registration fee reversed"),
        )
        self.message_post(body=self.env._("Registration fee payment reversed."))

    # ---------------------------------------------------------------- channels

    def _sacco_phone_channel_open(self, at=None):
        """Whether the channels that trust the member's registered phone (USSD, app OTP and
        login, M-Pesa routing by phone) may serve this member now (or at ``at``): they need a
        phone and stay closed during the cooling-off after an approved phone change."""
        self.ensure_one()
        at = at or fields.Datetime.now()
        return bool(self.phone) and not (
            self.sacco_phone_trusted_from and self.sacco_phone_trusted_from > at
        )

    # ---------------------------------------------------------------- smart buttons

    def action_request_identity_change(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request Identity Change"),
            "res_model": "sacco.member.change",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_member_id": self.id,
                "default_new_name": self.name,
                "default_new_phone": self.phone,
                "default_new_id_number": self.id_number,
            },
        }

    def action_view_registration_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.registration_move_id.id,
            "view_mode": "form",
        }

    def action_view_sms(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sacco_base.sacco_sms_message_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        return action
