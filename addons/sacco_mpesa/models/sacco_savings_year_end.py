from decimal import ROUND_FLOOR

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.sacco_savings.models.sacco_savings_transaction import Movement

from sacco_core.money import to_money


class SaccoSavingsYearEnd(models.Model):
    """Interest and dividends paid by M-Pesa (B2C) to the members who chose it: one entry
    moves their net amounts into B2C clearing (cents, which M-Pesa cannot send, to their
    FOSA account), then a B2C request per member is sent in the background."""

    _inherit = "sacco.savings.year.end"

    mpesa_request_ids = fields.One2many("sacco.mpesa.request", "year_end_id", readonly=True)
    mpesa_request_count = fields.Integer(compute="_compute_mpesa_request_count")

    def _compute_mpesa_request_count(self):
        for record in self:
            record.mpesa_request_count = len(record.mpesa_request_ids)

    def _pay_to_accounts(self, lines):
        if self.payout_method != "credit_fosa":
            return super()._pay_to_accounts(lines)
        by_mpesa = lines.filtered(
            lambda line: line.net >= 1 and line.member_id._mpesa_payout_msisdn()
        )
        if by_mpesa:
            self._pay_by_mpesa(by_mpesa)
        return super()._pay_to_accounts(lines - by_mpesa)

    def _pay_by_mpesa(self, lines):
        Request = self.env["sacco.mpesa.request"].sudo()
        config = Request._config_for(lines[:1].member_id)
        lines._set_payout_accounts()
        label = self.env._("%s by M-Pesa", self.name)
        shillings = {line: to_money(line.net).to_integral_value(ROUND_FLOOR) for line in lines}
        counter = []
        for line, amount in shillings.items():
            counter.append(line._ledger_line(line._payable_account(), label, debit=line.net))
            counter.append(
                line._ledger_line(config.clearing_account_id, label, credit=float(amount))
            )
        cents = [
            Movement(line.payout_account_id, line.kind, line.net - float(amount))
            for line, amount in shillings.items()
            if line.currency_id.compare_amounts(line.net, float(amount))
        ]
        if any(not movement.account for movement in cents):
            raise UserError(
                self.env._("Members paid by M-Pesa need an open FOSA account for the cents.")
            )
        if cents:
            move = (
                self.env["sacco.savings.transaction"]
                ._post_movements(
                    cents, counter, self.journal_id, self.payment_date, "system", narration=label
                )
                .move_id
            )
        else:
            move = (
                self.env["sacco.ledger"]
                .sudo()
                ._post_entry(self.journal_id, self.payment_date, label, counter)
            )
        Request.create(
            [
                {
                    "kind": "b2c",
                    "purpose": "dividend",
                    "config_id": config.id,
                    "member_id": line.member_id.id,
                    "phone": line.member_id._mpesa_payout_msisdn(),
                    "amount": float(amount),
                    "charge": float(config._b2c_charge(amount)),
                    "source_move_id": move.id,
                    "year_end_id": self.id,
                }
                for line, amount in shillings.items()
            ]
        )
        lines.write({"paid": True})
        self.env.ref("sacco_mpesa.ir_cron_sacco_mpesa_submit")._trigger()

    def action_view_mpesa_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sacco_mpesa.sacco_mpesa_request_action"
        )
        action["domain"] = [("year_end_id", "=", self.id)]
        return action
