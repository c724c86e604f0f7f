from odoo import api, fields, models


class SaccoStatementReconcile(models.TransientModel):
    """The accountant's reconciliation of one bank or M-Pesa statement line: the proposed
    open items, any other open items chosen by hand, and a write-off for the difference
    (e.g. bank charges). The entries are made by ``account.bank.statement.line._sacco_reconcile``
    (sacco_base)."""

    _name = "sacco.statement.reconcile"
    _description = "Reconcile a Statement Line"

    statement_line_id = fields.Many2one(
        "account.bank.statement.line", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="statement_line_id.company_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    journal_id = fields.Many2one(related="statement_line_id.journal_id")
    date = fields.Date(related="statement_line_id.date")
    payment_ref = fields.Char(related="statement_line_id.payment_ref", string="Label")
    partner_id = fields.Many2one(related="statement_line_id.partner_id")
    amount = fields.Monetary(related="statement_line_id.amount")
    proposal_ids = fields.Many2many(
        "account.move.line",
        "sacco_statement_reconcile_proposal_rel",
        string="Proposed Items",
        readonly=True,
        help="Open items with the line's exact amount and its partner or reference.",
    )
    move_line_ids = fields.Many2many(
        "account.move.line",
        "sacco_statement_reconcile_item_rel",
        string="Items to Match",
        domain="[('company_id', '=', company_id), ('parent_state', '=', 'posted'),"
        " ('reconciled', '=', False), ('account_id.reconcile', '=', True),"
        " ('statement_line_id', '!=', statement_line_id)]",
    )
    selected_total = fields.Monetary(compute="_compute_difference", string="Matched")
    difference = fields.Monetary(
        compute="_compute_difference",
        help="Line amount less the open amount of the chosen items: goes to the write-off "
        "account, or (without one) leaves the last item partly open.",
    )
    writeoff_account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        domain="[('reconcile', '=', False), ('account_type', 'not in', "
        "('asset_cash', 'liability_credit_card', 'off_balance'))]",
        check_company=True,
    )
    writeoff_label = fields.Char(default=lambda self: self.env._("Bank charges"))

    @api.depends("amount", "move_line_ids.amount_residual")
    def _compute_difference(self):
        for wizard in self:
            wizard.selected_total = sum(wizard.move_line_ids.mapped("amount_residual"))
            wizard.difference = wizard.currency_id.round(wizard.amount - wizard.selected_total)

    def action_use_proposals(self):
        self.move_line_ids = self.proposal_ids
        return self._reopen()

    def action_reconcile(self):
        self.ensure_one()
        self.statement_line_id._sacco_reconcile(
            self.move_line_ids, self.writeoff_account_id, self.writeoff_label
        )
        return {"type": "ir.actions.act_window_close"}

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
