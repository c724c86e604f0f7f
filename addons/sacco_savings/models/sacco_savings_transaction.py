from collections import defaultdict
from dataclasses import dataclass

from odoo import api, fields, models
from odoo.exceptions import UserError

TRANSACTION_KINDS = [
    ("deposit", "Deposit"),
    ("withdrawal", "Withdrawal"),
    ("transfer_in", "Transfer In"),
    ("transfer_out", "Transfer Out"),
    ("charge", "Charge"),
    ("excise", "Excise Duty"),
    ("interest", "Interest"),
    ("dividend", "Dividend"),
    ("reversal", "Reversal"),
    ("refund", "Exit Refund"),
]
CHANNELS = [
    ("cash", "Cash"),
    ("bank", "Bank"),
    ("cheque", "Cheque"),
    ("mpesa", "M-Pesa"),
    ("ussd", "USSD"),
    ("mobile", "Mobile App"),
    ("checkoff", "Check-off"),
    ("standing_order", "Standing Order"),
    ("system", "System"),
]
MEMBER_KINDS = ("deposit", "withdrawal", "transfer_in", "transfer_out")


@dataclass(frozen=True)
class Movement:
    """One effect on one member account: amount > 0 credits the member, < 0 debits."""

    account: models.Model
    kind: str
    amount: float


class SaccoSavingsTransaction(models.Model):
    _name = "sacco.savings.transaction"
    _description = "Savings Transaction"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, index=True)
    account_id = fields.Many2one(
        "sacco.savings.account", required=True, readonly=True, index=True, ondelete="restrict"
    )
    member_id = fields.Many2one(related="account_id.member_id", store=True, index=True)
    product_id = fields.Many2one(related="account_id.product_id", store=True)
    branch_id = fields.Many2one(related="account_id.branch_id", store=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="account_id.currency_id")
    date = fields.Date(required=True, readonly=True, index=True)
    kind = fields.Selection(TRANSACTION_KINDS, required=True, readonly=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True, default="cash")
    amount = fields.Monetary(
        readonly=True, help="Positive credits the member's account, negative debits it."
    )
    balance_after = fields.Monetary(readonly=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, index=True)
    entry_ref = fields.Char(
        string="Entry Reference",
        readonly=True,
        index=True,
        help="Shared by every transaction of one posting (a withdrawal and its charges).",
    )
    external_ref = fields.Char(
        string="External Reference",
        readonly=True,
        copy=False,
        help="The payer's reference (M-Pesa receipt, cheque or bank reference); unique.",
    )
    narration = fields.Char(readonly=True)
    user_id = fields.Many2one("res.users", string="Posted By", readonly=True)
    state = fields.Selection(
        [("posted", "Posted"), ("reversed", "Reversed")], default="posted", readonly=True
    )
    reversal_of_id = fields.Many2one("sacco.savings.transaction", readonly=True, index=True)
    reversed_by_id = fields.Many2one("sacco.savings.transaction", readonly=True)

    _sql_constraints = [
        (
            "external_ref_company_uniq",
            "unique(external_ref, company_id)",
            "A transaction with this external reference was already posted.",
        ),
    ]

    def write(self, vals):
        # Posted money is never edited; only the reversal links and state may change.
        if set(vals) - {"state", "reversed_by_id"}:
            raise UserError(self.env._("Posted transactions cannot be changed; reverse them."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Posted transactions cannot be deleted; reverse them."))

    def _description_text(self):
        self.ensure_one()
        label = dict(TRANSACTION_KINDS)[self.kind]
        return f"{label} ({self.narration})" if self.narration else label

    # ---------------------------------------------------------------- the posting engine

    @api.model
    def _post_movements(
        self,
        movements,
        counter_lines,
        journal,
        date,
        channel,
        ref=None,
        external_ref=None,
        narration=None,
        bulk=False,
    ):
        """Post member-account movements and their GL counterparts as one balanced move.

        Locks every account first, checks states and available balances under the lock,
        posts the move (member account lines carry the account for reconciliation),
        updates the balances and records one transaction per movement. ``bulk`` posts
        a batch's many lines through ``sacco.ledger._post_bulk_entry``.
        """
        if external_ref:
            self._check_external_ref_unused(external_ref, movements[0].account.company_id)
        accounts = self.env["sacco.savings.account"].union(*(m.account for m in movements))
        accounts._lock_for_posting()
        debits = defaultdict(float)
        for movement in movements:
            movement.account._check_can_move(movement.kind, movement.amount)
            if movement.amount < 0:
                debits[movement.account] -= movement.amount
        # An exit refund pays out the whole balance, minimum balance included.
        refunded = {movement.account for movement in movements if movement.kind == "refund"}
        for account, debit_total in debits.items():
            account._check_available(debit_total, keep_minimum=account not in refunded)
        reference = ref or self.env["ir.sequence"].next_by_code("sacco.savings.transaction")
        ledger = self.env["sacco.ledger"].sudo()
        move = (ledger._post_bulk_entry if bulk else ledger._post_entry)(
            journal,
            date,
            reference,
            [self._member_line(movement, narration or reference) for movement in movements]
            + counter_lines,
        )
        return self._record(movements, move, reference, date, channel, external_ref, narration)

    @api.model
    def _member_line(self, movement, label):
        account = movement.account
        return {
            "account": account.product_id._control_account(),
            "partner": account.partner_id,
            "name": f"{label} {account.name}",
            "debit": -movement.amount if movement.amount < 0 else 0.0,
            "credit": movement.amount if movement.amount > 0 else 0.0,
            "vals": {"sacco_savings_account_id": account.id},
        }

    @api.model
    def _record(
        self, movements, move, reference, date, channel, external_ref, narration, reversal_of=None
    ):
        vals_list = []
        for index, movement in enumerate(movements):
            account = movement.account
            account_vals = {"balance": account.balance + movement.amount}
            if movement.kind in MEMBER_KINDS:
                account_vals["last_activity_date"] = date
                if account.state == "dormant" and movement.amount > 0:
                    account_vals["state"] = "active"
            account.sudo().write(account_vals)
            vals_list.append(
                {
                    "name": reference if len(movements) == 1 else f"{reference}/{index + 1}",
                    "account_id": account.id,
                    "date": date,
                    "kind": movement.kind,
                    "channel": channel,
                    "amount": movement.amount,
                    "balance_after": account.balance,
                    "move_id": move.id,
                    "entry_ref": reference,
                    "external_ref": external_ref if index == 0 else False,
                    "narration": narration,
                    "user_id": self.env.user.id,
                    "reversal_of_id": reversal_of[index].id if reversal_of else False,
                }
            )
        return self.sudo().create(vals_list).sudo(False)

    @api.model
    def _check_external_ref_unused(self, external_ref, company):
        if self.sudo().search_count(
            [("external_ref", "=", external_ref), ("company_id", "=", company.id)]
        ):
            raise UserError(
                self.env._("A transaction with reference %s was already posted.", external_ref)
            )

    # ---------------------------------------------------------------- reversal

    def action_reverse(self, reason=None):
        """Reverse the whole entry these transactions belong to (a withdrawal with its charges,
        both sides of a transfer) with a reversing move; nothing posted is edited."""
        reason = reason or self.env._("Reversal")
        for move in self.move_id:
            originals = self.sudo().search([("move_id", "=", move.id)])
            if originals.filtered(lambda txn: txn.state != "posted" or txn.kind == "reversal"):
                raise UserError(self.env._("Only posted, unreversed transactions can be reversed."))
            originals._reverse_group(reason)
        return True

    def _reverse_group(self, reason):
        accounts = self.account_id
        accounts._lock_for_posting()
        movements = [Movement(txn.account_id, "reversal", -txn.amount) for txn in self]
        for account in accounts:
            if account.state == "closed":
                raise UserError(self.env._("Account %s is closed.", account.name))
            debit_total = -sum(m.amount for m in movements if m.account == account and m.amount < 0)
            if debit_total:
                account._check_available(debit_total)
        today = fields.Date.context_today(self)
        reversal_move = self.env["sacco.ledger"].sudo()._reverse_entry(self.move_id, today, reason)
        reversals = self._record(
            movements,
            reversal_move,
            f"R/{self.move_id.ref}",
            today,
            "system",
            None,
            reason,
            reversal_of=self,
        )
        for original, reversal in zip(self, reversals, strict=True):
            original.sudo().write({"state": "reversed", "reversed_by_id": reversal.id})
        return reversals
