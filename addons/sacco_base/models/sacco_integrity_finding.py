from odoo import api, fields, models


class SaccoIntegrityFinding(models.Model):
    """One difference the integrity check found, with the way to its record and items."""

    _name = "sacco.integrity.finding"
    _description = "Ledger Integrity Finding"
    _order = "run_id desc, check, id"

    run_id = fields.Many2one(
        "sacco.integrity.run", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    check = fields.Char(
        string="Check Code", required=True, readonly=True, help="Code of the check that found it."
    )
    check_name = fields.Char(string="Check", readonly=True)
    name = fields.Char(string="Finding", required=True, readonly=True)
    res_model = fields.Char(string="Record Model", readonly=True)
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model", readonly=True)
    record_name = fields.Char(string="Record", compute="_compute_record_name")
    item_field = fields.Char(
        readonly=True, help="The journal item field pointing at the record, for the drill-down."
    )
    account_id = fields.Many2one("account.account", string="GL Account", readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    expected = fields.Monetary(string="Sub-ledger", readonly=True)
    actual = fields.Monetary(string="General Ledger", readonly=True)
    difference = fields.Monetary(compute="_compute_difference", store=True)

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for finding in self:
            record = finding._record()
            finding.record_name = record.display_name if record else False

    @api.depends("expected", "actual")
    def _compute_difference(self):
        for finding in self:
            finding.difference = finding.actual - finding.expected

    def _record(self):
        self.ensure_one()
        if not (self.res_model in self.env and self.res_id):
            return None
        return self.env[self.res_model].browse(self.res_id).exists()

    def _journal_items_domain(self):
        self.ensure_one()
        domain = [("parent_state", "=", "posted")] if self.item_field != "move_id" else []
        if self.item_field and self.res_id:
            domain.append((self.item_field, "=", self.res_id))
        if self.account_id:
            domain.append(("account_id", "=", self.account_id.id))
        return domain

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    def action_open_journal_items(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal Items: %s", self.name),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "domain": self._journal_items_domain(),
            "context": {"create": False},
        }
