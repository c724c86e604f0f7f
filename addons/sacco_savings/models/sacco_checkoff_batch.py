import base64
from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from sacco_core.checkoff import (
    CheckoffFileError,
    allocate_remittance,
    parse_checkoff_rows,
    read_table,
    variances,
)
from sacco_core.money import to_money

from ..tools.xlsx import download_action, xlsx_table
from .sacco_member import PAYABLE_STATES, account_id_of, account_key
from .sacco_savings_transaction import Movement

ZERO = Decimal("0.00")
# Allocation key of excess money of a member without a deposit account.
SUSPENSE_KEY = "suspense"


def money_sum(amounts):
    """The exact sum of ORM (float) amounts, as a 2-decimal ``Decimal``."""
    return sum((to_money(amount, strict=False) for amount in amounts), ZERO)


class SaccoCheckoffBatch(models.Model):
    """An employer's monthly remittance: its file is validated row by row, then posted as one
    entry (Dr bank, Cr member accounts, Cr suspense for unknown members)."""

    _name = "sacco.checkoff.batch"
    _description = "Check-off Remittance"
    _inherit = ["mail.thread", "sacco.uploaded.file.mixin"]
    _order = "period desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: self.env._("New"),
    )
    employer_id = fields.Many2one(
        "res.partner",
        required=True,
        domain=[("sacco_is_employer", "=", True)],
        check_company=True,
        tracking=True,
        index=True,
    )
    period = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        tracking=True,
        help="The payroll month (stored as its first day).",
    )
    date = fields.Date(
        string="Received On",
        required=True,
        default=fields.Date.context_today,
        help="Date the remittance reached the bank; the entry is posted on it.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    journal_id = fields.Many2one(
        "account.journal",
        string="Bank Journal",
        required=True,
        check_company=True,
        domain=[("type", "=", "bank")],
        default=lambda self: self._default_journal(),
    )
    file = fields.Binary(string="Remittance File")
    state = fields.Selection(
        [("draft", "Draft"), ("validated", "Validated"), ("posted", "Posted")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many("sacco.checkoff.line", "batch_id", string="Rows", readonly=True)
    allocation_ids = fields.One2many(
        "sacco.checkoff.allocation", "batch_id", string="Allocations", readonly=True
    )
    variance_ids = fields.One2many(
        "sacco.checkoff.variance", "batch_id", string="Variances", readonly=True
    )
    suspense_ids = fields.One2many(
        "sacco.checkoff.suspense", "batch_id", string="Suspense Items", readonly=True
    )
    amount_expected = fields.Monetary(string="Expected", readonly=True, copy=False)
    amount_received = fields.Monetary(string="Received", readonly=True, copy=False)
    amount_allocated = fields.Monetary(string="Allocated", readonly=True, copy=False)
    amount_excess = fields.Monetary(string="Excess", readonly=True, copy=False)
    amount_suspense = fields.Monetary(string="To Suspense", readonly=True, copy=False)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, copy=False)

    @api.model
    def _default_journal(self):
        return self.env["account.journal"].search(
            [
                ("type", "=", "bank"),
                *self.env["account.journal"]._check_company_domain(self.env.company),
            ],
            limit=1,
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            vals.update(self._normalized_vals(vals))
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("sacco.checkoff.batch")
                )
        return super().create(vals_list)

    def write(self, vals):
        if "file" in vals:
            if any(batch.state != "draft" for batch in self):
                raise UserError(self.env._("Reset the batch to draft before replacing its file."))
            self._clear_results()
        return super().write({**vals, **self._normalized_vals(vals)})

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if any(batch.state == "posted" for batch in self):
            raise UserError(self.env._("A posted check-off batch cannot be deleted."))

    def _normalized_vals(self, vals):
        """The period as its month's first day."""
        if vals.get("period"):
            return {"period": fields.Date.to_date(vals["period"]).replace(day=1)}
        return {}

    def _uploaded_file_description(self):
        self.ensure_one()
        return self.env._(
            "check-off batch %(batch)s (%(employer)s, %(period)s)",
            batch=self.name,
            employer=self.employer_id.name,
            period=self.period.strftime("%B %Y"),
        )

    # ---------------------------------------------------------------- validation

    def action_validate(self):
        """Read and check the file; with any error the batch stays draft and lists them."""
        self.check_access("write")
        for batch in self:
            if batch.state != "draft":
                raise UserError(self.env._("Only a draft batch can be validated."))
            if not batch.file:
                raise UserError(self.env._("Upload the employer's remittance file first."))
            batch._clear_results()
            batch._load_file()
        return True

    def action_reset_draft(self):
        for batch in self:
            if batch.state != "validated":
                raise UserError(self.env._("Only a validated, unposted batch can be reset."))
            batch._clear_results()
        return self.write({"state": "draft"})

    def _clear_results(self):
        # Rows and results belong to the batch alone; accountants may not unlink them directly.
        self.line_ids.sudo().unlink()
        self.allocation_ids.sudo().unlink()
        self.variance_ids.sudo().unlink()
        self.write(
            {
                "error_message": False,
                "amount_expected": 0.0,
                "amount_received": 0.0,
                "amount_allocated": 0.0,
                "amount_excess": 0.0,
                "amount_suspense": 0.0,
            }
        )

    def _load_file(self):
        self.ensure_one()
        try:
            rows, errors = parse_checkoff_rows(
                read_table(base64.b64decode(self.file), self.file_name or "")
            )
        except CheckoffFileError as error:
            self.error_message = str(error)
            return
        self.env["sacco.checkoff.line"].create(self._prepare_line_vals(rows, errors))
        if errors:
            self.error_message = self.env._(
                "%s row(s) of the file have errors and nothing can be posted. "
                "Correct the file and upload it again.",
                len({error.line for error in errors}),
            )
            return
        self._allocate()
        self.state = "validated"

    def _prepare_line_vals(self, rows, errors):
        members = self._match_members(rows)
        vals_list = [self._prepare_row_vals(row, members[row.line]) for row in rows]
        messages = defaultdict(list)
        for error in errors:
            messages[error.line].append(error.message)
        vals_list += [
            {"batch_id": self.id, "line_number": line, "state": "error", "message": " ".join(text)}
            for line, text in messages.items()
        ]
        return vals_list

    def _match_members(self, rows):
        """Line -> member: by payroll number at the employer, else by member number."""
        Member = self.env["sacco.member"]
        company = [("company_id", "=", self.company_id.id)]
        payroll_numbers = [row.payroll_number for row in rows if row.payroll_number]
        member_numbers = [row.member_number for row in rows if row.member_number]
        by_payroll = {
            member.payroll_number: member
            for member in Member.search(
                [
                    *company,
                    ("employer_id", "=", self.employer_id.id),
                    ("payroll_number", "in", payroll_numbers),
                ]
            )
        }
        by_number = {
            member.member_number: member
            for member in Member.search([*company, ("member_number", "in", member_numbers)])
        }
        return {
            row.line: by_payroll.get(row.payroll_number)
            or by_number.get(row.member_number)
            or Member
            for row in rows
        }

    def _prepare_row_vals(self, row, member):
        vals = {
            "batch_id": self.id,
            "line_number": row.line,
            "payroll_number": row.payroll_number,
            "member_number": row.member_number,
            "product_code": row.product_code,
            "amount": float(row.amount),
            "member_id": member.id,
            "state": "matched",
        }
        if not member:
            vals.update(state="unknown", message=self.env._("No such member; held in suspense."))
        elif member.state not in PAYABLE_STATES:
            vals.update(
                state="unknown",
                message=self.env._(
                    "Member %(member)s is %(state)s; held in suspense.",
                    member=member.member_number,
                    state=dict(member._fields["state"].selection)[member.state].lower(),
                ),
            )
        return vals

    # ---------------------------------------------------------------- allocation and variances

    def _allocate(self):
        """Allocate each matched member's money by priority; record variances and totals."""
        matched = self.line_ids.filtered(lambda line: line.state == "matched")
        by_member = matched.grouped("member_id")
        expected_members = (
            self.env["sacco.member"]._checkoff_advice_members(self.employer_id, self.company_id)
            | matched.member_id
        )
        expectations = {
            member: member._checkoff_expectations(self.period) for member in expected_members
        }
        allocation_vals, received, excess = [], {}, {}
        for member, lines in by_member.items():
            directed, undirected = self._split_directed(member, lines)
            received[member] = sum(directed.values(), undirected)
            allocations, excess[member] = allocate_remittance(
                directed, undirected, expectations[member]
            )
            allocation_vals += [
                self._prepare_allocation_vals(member, key, amount) for key, amount in allocations
            ]
            if excess[member]:
                allocation_vals.append(self._prepare_excess_vals(member, excess[member]))
        allocations = self.env["sacco.checkoff.allocation"].create(allocation_vals)
        expected = {
            member: sum((item.amount for item in items), ZERO)
            for member, items in expectations.items()
        }
        self._create_variances(expected, received, excess)
        to_suspense = allocations.filtered(lambda alloc: alloc.key == SUSPENSE_KEY)
        self.write(
            {
                "amount_expected": float(sum(expected.values(), ZERO)),
                "amount_received": float(money_sum(self.line_ids.mapped("amount"))),
                "amount_allocated": float(money_sum((allocations - to_suspense).mapped("amount"))),
                "amount_excess": float(sum(excess.values(), ZERO)),
                "amount_suspense": float(
                    money_sum(
                        self.line_ids.mapped("suspense_amount") + to_suspense.mapped("amount")
                    )
                ),
            }
        )

    def _split_directed(self, member, lines):
        """(amounts the rows direct to a product's account by key, the undirected rest)."""
        directed, undirected = defaultdict(Decimal), ZERO
        for line in lines:
            amount = to_money(line.amount, strict=False)
            key = line.product_code and member._checkoff_key_for_code(line.product_code)
            if key:
                directed[key] += amount
                continue
            undirected += amount
            if line.product_code:
                line.message = self.env._(
                    "The member has no open %s account; allocated by priority.", line.product_code
                )
        return directed, undirected

    def _prepare_allocation_vals(self, member, key, amount, is_excess=False):
        return {
            "batch_id": self.id,
            "member_id": member.id,
            "key": key,
            "account_id": account_id_of(key) or False,
            "amount": float(amount),
            "is_excess": is_excess,
        }

    def _prepare_excess_vals(self, member, amount):
        account = member._checkoff_excess_account()
        key = account_key(account) if account else SUSPENSE_KEY
        return self._prepare_allocation_vals(member, key, amount, is_excess=True)

    def _create_variances(self, expected, received, excess):
        # Members are keyed by number: every member who can pay or be advised has one.
        members = {member.member_number: member for member in expected.keys() | received.keys()}
        expected_by_number = {member.member_number: amount for member, amount in expected.items()}
        received_by_number = {member.member_number: amount for member, amount in received.items()}
        self.env["sacco.checkoff.variance"].create(
            [
                {
                    "batch_id": self.id,
                    "member_id": members[variance.key].id,
                    "expected": float(variance.expected),
                    "received": float(variance.received),
                    "difference": float(variance.difference),
                    "excess": float(excess.get(members[variance.key], ZERO)),
                }
                for variance in variances(expected_by_number, received_by_number)
            ]
        )

    # ---------------------------------------------------------------- posting

    def action_post(self):
        # Refuse before posting anything: the move is made with the posting service's rights.
        self.check_access("write")
        for batch in self:
            batch._post()
        return True

    def _post(self):
        self.ensure_one()
        self._lock()
        if self.state != "validated":
            raise UserError(self.env._("Validate the file of %s before posting it.", self.name))
        journal = self.journal_id
        label = self.env._(
            "Check-off %(employer)s %(period)s",
            employer=self.employer_id.name,
            period=self.period.strftime("%m/%Y"),
        )
        suspense_vals = self._prepare_suspense_vals()
        movements, counter_lines = self._prepare_posting(label, suspense_vals)
        if movements:
            move = (
                self.env["sacco.savings.transaction"]
                ._post_movements(
                    movements,
                    counter_lines,
                    journal,
                    self.date,
                    "checkoff",
                    ref=self.name,
                    narration=label,
                )
                .move_id
            )
        else:
            move = (
                self.env["sacco.ledger"]
                .sudo()
                ._post_entry(journal, self.date, self.name, counter_lines)
            )
        self.env["sacco.checkoff.suspense"].create(suspense_vals)
        self.write({"state": "posted", "move_id": move.id})

    def _lock(self):
        """Row-lock the batch so two users cannot post it twice, and reread its state."""
        self.flush_recordset()
        self.env.cr.execute(
            "SELECT id FROM sacco_checkoff_batch WHERE id IN %s FOR UPDATE", [tuple(self.ids)]
        )
        self.invalidate_recordset(["state"])

    def _prepare_posting(self, label, suspense_vals):
        """(member movements, counter lines) of the batch entry. The loans module extends
        this to credit its own allocations; an unposted target leaves the entry unbalanced,
        which the ledger refuses."""
        bank = self.journal_id._sacco_money_account("inbound")
        counter_lines = [
            {
                "account": bank,
                "partner": self.employer_id,
                "name": label,
                "debit": self.amount_received,
            }
        ]
        suspense = self.company_id._sacco_account("sacco_account_suspense_id")
        counter_lines += [
            {
                "account": suspense,
                "partner": self.employer_id,
                "name": self.env._(
                    "%(label)s: unallocated, %(what)s", label=label, what=vals["name"]
                ),
                "credit": vals["amount"],
            }
            for vals in suspense_vals
        ]
        return self._savings_movements(), counter_lines

    def _savings_movements(self):
        """One deposit per member account, its allocations (expected and excess) summed."""
        by_account = self.allocation_ids.filtered("account_id").grouped("account_id")
        totals = {
            account: money_sum(allocs.mapped("amount")) for account, allocs in by_account.items()
        }
        for account, amount in totals.items():
            if account.kind == "share_capital":
                account._check_share_limits(float(amount))
        return [Movement(account, "deposit", float(amount)) for account, amount in totals.items()]

    def _prepare_suspense_vals(self):
        """Suspense items: each unknown member's row, and excess of members without deposits."""
        vals_list = [
            {
                "name": self.env._(
                    "%(batch)s line %(line)s", batch=self.name, line=line.line_number
                ),
                "batch_id": self.id,
                "line_id": line.id,
                "member_id": line.member_id.id,
                "payroll_number": line.payroll_number,
                "member_number": line.member_number,
                "amount": line.amount,
                "note": line.message,
            }
            for line in self.line_ids.filtered(lambda line: line.state == "unknown")
        ]
        first_lines = {}
        for line in self.line_ids.filtered(lambda line: line.state == "matched"):
            first_lines.setdefault(line.member_id, line)
        vals_list += [
            {
                "name": self.env._(
                    "%(batch)s excess of %(member)s",
                    batch=self.name,
                    member=allocation.member_id.member_number,
                ),
                "batch_id": self.id,
                "line_id": first_lines[allocation.member_id].id,
                "member_id": allocation.member_id.id,
                "payroll_number": allocation.member_id.payroll_number,
                "member_number": allocation.member_id.member_number,
                "amount": allocation.amount,
                "note": self.env._("Excess of a member without a deposit account."),
            }
            for allocation in self.allocation_ids.filtered(lambda a: a.key == SUSPENSE_KEY)
        ]
        return vals_list

    # ---------------------------------------------------------------- reports

    def action_export_variances(self):
        """The variance report as XLSX: members off their expectation, then unknown rows."""
        self.ensure_one()
        header = [
            self.env._("Member Number"),
            self.env._("Payroll Number"),
            self.env._("Name"),
            self.env._("Expected"),
            self.env._("Received"),
            self.env._("Difference"),
            self.env._("Excess"),
            self.env._("Status"),
        ]
        statuses = dict(self.env["sacco.checkoff.variance"]._fields["status"].selection)
        rows = [
            [
                variance.member_id.member_number,
                variance.payroll_number or "",
                variance.member_id.name,
                variance.expected,
                variance.received,
                variance.difference,
                variance.excess,
                statuses[variance.status],
            ]
            for variance in self.variance_ids
        ]
        rows += [
            [
                line.member_number or "",
                line.payroll_number or "",
                "",
                0.0,
                line.amount,
                line.amount,
                0.0,
                self.env._("Unknown member"),
            ]
            for line in self.line_ids.filtered(lambda line: line.state == "unknown")
        ]
        content = xlsx_table(self.env._("Variances"), (), header, rows, money_columns=(3, 4, 5, 6))
        filename = self.env._("Check-off variances %s.xlsx", self.name.replace("/", "-"))
        # Exports are read-only views of data the user already reads (auditors too).
        return download_action(self.sudo(), filename, content)
