from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.sacco_savings.models.sacco_savings_transaction import Movement

from .sacco_mpesa_request_reversal import OPEN_STATES

ACCOUNTANT = "sacco_base.sacco_base_group_accountant"
PROPOSALS = [("allocate", "Allocation"), ("refund", "Refund"), ("reversal", "Reversal")]


class SaccoMpesaTransaction(models.Model):
    """Maker-checker on the suspense queue and on reversals: one accountant proposes
    (allocate, refund by B2C, reverse the M-Pesa payment), another approves, and only the
    approval posts or calls M-Pesa."""

    _inherit = "sacco.mpesa.transaction"

    proposal = fields.Selection(PROPOSALS, readonly=True, copy=False, index=True, tracking=True)
    proposal_account_id = fields.Many2one("sacco.savings.account", readonly=True, copy=False)
    proposal_loan_id = fields.Many2one("sacco.loan", readonly=True, copy=False)
    proposal_member_id = fields.Many2one("sacco.member", readonly=True, copy=False)
    proposal_phone = fields.Char(readonly=True, copy=False)
    proposal_reason = fields.Char(readonly=True, copy=False)
    proposed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    proposed_at = fields.Datetime(readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    reversal_hold_id = fields.Many2one(
        "sacco.savings.hold",
        readonly=True,
        copy=False,
        help="Keeps the deposit to reverse from being spent until M-Pesa answers.",
    )
    reversed_from_state = fields.Char(readonly=True, copy=False)
    reversal_move_id = fields.Many2one("account.move", readonly=True, copy=False)

    # ---------------------------------------------------------------- proposals

    def _propose(self, proposal, **vals):
        """Record a proposal for a second person to approve."""
        self.ensure_one()
        if not self.env.user.has_group(ACCOUNTANT):
            raise AccessError(self.env._("Only accountants propose M-Pesa corrections."))
        if self.proposal:
            raise UserError(
                self.env._("%s already waits for approval of another proposal.", self.name)
            )
        self.sudo().write(
            {
                "proposal": proposal,
                "proposed_by_id": self.env.uid,
                "proposed_at": fields.Datetime.now(),
                "approved_by_id": False,
                **vals,
            }
        )
        label = dict(PROPOSALS)[proposal]
        self.message_post(body=self.env._("%s proposed; waiting for a second approval.", label))
        return True

    def propose_allocation(self, account=None, loan=None):
        if self.state != "suspense":
            raise UserError(self.env._("Only payments in suspense can be allocated."))
        if bool(account) == bool(loan):
            raise UserError(self.env._("Choose one savings account or one loan."))
        return self._propose(
            "allocate",
            proposal_account_id=account.id if account else False,
            proposal_loan_id=loan.id if loan else False,
            proposal_member_id=(account or loan).member_id.id,
        )

    def propose_refund(self, phone, member=None):
        if self.state != "suspense":
            raise UserError(self.env._("Only payments in suspense can be refunded."))
        return self._propose(
            "refund",
            proposal_phone=phone,
            proposal_member_id=(member or self.member_id).id,
        )

    def propose_reversal(self, reason):
        """Ask M-Pesa to give a wrong payment back to the payer. A deposit is held on the
        member's account at once, so it cannot be withdrawn while the reversal is decided; a
        loan repayment must be the loan's latest (its reversal is checked again on approval)."""
        self.ensure_one()
        self._check_reversible()
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the payment is reversed."))
        self._propose("reversal", proposal_reason=reason.strip())
        if self.state == "posted" and self.savings_account_id:
            hold = self.savings_account_id.sudo()._place_hold(
                self.amount, self.env._("M-Pesa reversal of %s", self.name), source=self
            )
            self.sudo().reversal_hold_id = hold
        return True

    def _check_reversible(self):
        if self.state == "suspense" or (self.state == "posted" and self.savings_account_id):
            return
        if self.state == "posted" and self.loan_id:
            self._loan_repayment()._check_reversible()
            return
        raise UserError(
            self.env._(
                "Only payments posted to a savings account or a loan or waiting in suspense "
                "can be reversed (%s is %s).",
                self.name,
                dict(self._fields["state"].selection)[self.state],
            )
        )

    # ---------------------------------------------------------------- approval

    def action_approve(self):
        """The second person's approval: posts the allocation; a refund or a reversal is
        queued for M-Pesa (the background job sends it, the approver does not wait)."""
        for txn in self:
            txn._check_approver()
            proposal = txn.proposal
            vals = txn._proposal_vals()
            txn.sudo().write(
                {"approved_by_id": self.env.uid, **dict.fromkeys(self._proposal_fields(), False)}
            )
            txn.message_post(body=self.env._("%s approved.", dict(PROPOSALS)[proposal]))
            getattr(txn.sudo(), f"_execute_{proposal}")(**vals)
        return True

    def action_reject(self):
        for txn in self.filtered("proposal"):
            txn._check_approver(rejecting=True)
            if txn.reversal_hold_id:
                txn.reversal_hold_id.sudo().action_release()
            label = dict(PROPOSALS)[txn.proposal]
            txn.sudo().write(
                {**dict.fromkeys(self._proposal_fields(), False), "reversal_hold_id": False}
            )
            txn.message_post(body=self.env._("%s rejected.", label))
        return True

    def _check_approver(self, rejecting=False):
        self.ensure_one()
        if not self.proposal:
            raise UserError(self.env._("%s has nothing waiting for approval.", self.name))
        if not self.env.user.has_group(ACCOUNTANT):
            raise AccessError(self.env._("Only accountants approve M-Pesa corrections."))
        if not rejecting and self.proposed_by_id == self.env.user:
            raise UserError(
                self.env._(
                    "A second person must approve: you proposed this %s yourself.",
                    dict(PROPOSALS)[self.proposal].lower(),
                )
            )

    def _proposal_fields(self):
        return [
            "proposal",
            "proposal_account_id",
            "proposal_loan_id",
            "proposal_member_id",
            "proposal_phone",
            "proposal_reason",
            "proposed_by_id",
            "proposed_at",
        ]

    def _proposal_vals(self):
        return {
            "allocate": {"account": self.proposal_account_id, "loan": self.proposal_loan_id},
            "refund": {"phone": self.proposal_phone, "member": self.proposal_member_id},
            "reversal": {"reason": self.proposal_reason},
        }[self.proposal]

    def _execute_allocate(self, account, loan):
        return self._allocate(account=account or None, loan=loan or None)

    def _execute_refund(self, phone, member):
        if member and not self.member_id:
            self.member_id = member
        return self.env["sacco.mpesa.request"].request_b2c(
            member or self.member_id, phone, self.amount, self, defer=True
        )

    def _execute_reversal(self, reason):
        return self.env["sacco.mpesa.request"]._request_reversal(self, reason)

    # ---------------------------------------------------------------- reversal result

    def _lock_for_reversal(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM sacco_mpesa_transaction WHERE id = %s FOR UPDATE", [self.id]
        )
        self.invalidate_recordset()

    def _post_reversal(self, reason):
        """M-Pesa gave the money back: reverse our posting of the receipt (the savings
        deposit, the loan repayment or the suspense credit); the money leaves the M-Pesa
        account."""
        self.ensure_one()
        label = self.env._(
            "M-Pesa reversal of %(receipt)s: %(reason)s", receipt=self.name, reason=reason
        )
        if self.reversal_hold_id:
            self.reversal_hold_id.action_release()
        if self.reversed_from_state == "posted" and self.loan_id:
            move = self._loan_repayment()._reverse(label)
        elif self.reversed_from_state == "posted":
            move = self._reverse_deposit(label)
        else:
            move = self._reverse_suspense(label)
        self.write({"state": "reversed", "reversal_move_id": move.id, "reversal_hold_id": False})
        self.message_post(body=label)

    def _loan_repayment(self):
        """The loan's record of the repayment this receipt posted (its entry)."""
        repayment = (
            self.env["sacco.loan.repayment"]
            .sudo()
            .search([("loan_id", "=", self.loan_id.id), ("move_id", "=", self.move_id.id)])
        )
        if len(repayment) != 1:
            raise UserError(self.env._("The loan repayment of %s is not on record.", self.name))
        return repayment

    def _reverse_deposit(self, label):
        """The whole entry when it holds this deposit only; else a reversing entry of this
        deposit's lines (deposits of one shortcode are posted together)."""
        Savings = self.env["sacco.savings.transaction"].sudo()
        entry = Savings.search([("move_id", "=", self.move_id.id)])
        own = entry.filtered(
            lambda t: (
                t.account_id == self.savings_account_id
                and t.kind == "deposit"
                and t.state == "posted"
                and not self.currency_id.compare_amounts(t.amount, self.amount)
            )
        )[:1]
        if not own:
            raise UserError(self.env._("The deposit of %s is no longer on the account.", self.name))
        if entry == own:
            own.action_reverse(label)
            return own.reversed_by_id.move_id
        reversal = Savings._post_movements(
            [Movement(own.account_id, "reversal", -self.amount)],
            [
                {
                    "account": self.config_id.journal_id._sacco_money_account("outbound"),
                    "partner": self.member_id.partner_id,
                    "name": label,
                    "credit": self.amount,
                }
            ],
            self.config_id.journal_id,
            fields.Date.context_today(self),
            "mpesa",
            narration=label,
        )
        own.write({"state": "reversed", "reversed_by_id": reversal.id})
        return reversal.move_id

    def _reverse_suspense(self, label):
        ledger = self.env["sacco.ledger"].sudo()
        today = fields.Date.context_today(self)
        if len(self.move_id.line_ids) == 2:
            return ledger._reverse_entry(self.move_id, today, label)
        partner = self.member_id.partner_id
        return ledger._post_entry(
            self.config_id.journal_id,
            today,
            label,
            [
                ledger._line(self.config_id.suspense_account_id, partner, label, debit=self.amount),
                ledger._line(
                    self.config_id.journal_id._sacco_money_account("outbound"),
                    partner,
                    label,
                    credit=self.amount,
                ),
            ],
        )

    def _reversal_abandoned(self):
        """The reversal failed (and no retry is under way): the receipt is back as it was."""
        self.ensure_one()
        txn = self.sudo()
        open_requests = (
            self.env["sacco.mpesa.request"]
            .sudo()
            .search_count(
                [
                    ("transaction_id", "=", txn.id),
                    ("kind", "=", "reversal"),
                    ("state", "in", OPEN_STATES),
                ]
            )
        )
        if txn.state != "reversing" or open_requests:
            return
        if txn.reversal_hold_id:
            txn.reversal_hold_id.action_release()
        txn.write({"state": txn.reversed_from_state, "reversal_hold_id": False})
        txn.message_post(body=self.env._("M-Pesa did not reverse the payment."))
