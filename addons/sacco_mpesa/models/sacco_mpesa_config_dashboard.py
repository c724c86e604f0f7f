from datetime import datetime, time, timedelta

import pytz

from odoo import fields, models

IN_FLOW_STATES = ("posted", "suspense", "allocated", "refunded", "reversing", "reversed")


class SaccoMpesaConfig(models.Model):
    """The M-Pesa dashboard: one card per shortcode (today's money in by channel, the
    suspense queue, what waits for approval, requests that failed or whose outcome is
    unknown, the last balances M-Pesa reported and how the last statement reconciled)."""

    _inherit = "sacco.mpesa.config"

    today_stk_amount = fields.Monetary(string="STK Push Today", compute="_compute_dashboard")
    today_c2b_amount = fields.Monetary(string="Paybill Today", compute="_compute_dashboard")
    today_count = fields.Integer(string="Payments Today", compute="_compute_dashboard")
    suspense_count = fields.Integer(compute="_compute_dashboard")
    suspense_amount = fields.Monetary(compute="_compute_dashboard")
    to_approve_count = fields.Integer(compute="_compute_dashboard")
    pending_stk_count = fields.Integer(compute="_compute_dashboard")
    problem_request_count = fields.Integer(
        string="Failed / Unknown Requests", compute="_compute_dashboard"
    )
    last_statement_id = fields.Many2one(
        "sacco.mpesa.statement", string="Last Statement", compute="_compute_dashboard"
    )
    statement_issue_count = fields.Integer(
        string="Statement Differences", compute="_compute_dashboard"
    )

    def _today_start(self):
        """Midnight of the user's today, in UTC (paid_at is stored in UTC)."""
        tz = pytz.timezone(self.env.user.tz or "Africa/Nairobi")
        today = fields.Date.context_today(self)
        return (
            tz.localize(datetime.combine(today, time.min)).astimezone(pytz.UTC).replace(tzinfo=None)
        )

    def _compute_dashboard(self):
        Transaction = self.env["sacco.mpesa.transaction"].sudo()
        Request = self.env["sacco.mpesa.request"].sudo()
        domain = [("config_id", "in", self.ids)]
        today = {
            (config.id, source): (total, count)
            for config, source, total, count in Transaction._read_group(
                domain + [("paid_at", ">=", self._today_start()), ("state", "in", IN_FLOW_STATES)],
                ["config_id", "source"],
                ["amount:sum", "__count"],
            )
        }
        suspense = {
            config.id: (total, count)
            for config, total, count in Transaction._read_group(
                domain + [("state", "=", "suspense")], ["config_id"], ["amount:sum", "__count"]
            )
        }
        to_approve = dict(
            Transaction._read_group(
                domain + [("proposal", "!=", False)], ["config_id"], ["__count"]
            )
        )
        pending_stk = dict(
            Request._read_group(
                domain + [("kind", "=", "stk"), ("state", "in", ("submitted", "pending"))],
                ["config_id"],
                ["__count"],
            )
        )
        Statement = self.env["sacco.mpesa.statement"]
        last_statement = {
            config: Statement.browse(last_id)
            for config, last_id in Statement._read_group(
                domain + [("state", "=", "done")], ["config_id"], ["id:max"]
            )
        }
        problems = dict(
            Request._read_group(domain + self._problem_domain(), ["config_id"], ["__count"])
        )
        for config in self:
            stk = today.get((config.id, "stk"), (0.0, 0))
            c2b = today.get((config.id, "c2b"), (0.0, 0))
            statement = today.get((config.id, "statement"), (0.0, 0))
            config.today_stk_amount = stk[0]
            config.today_c2b_amount = c2b[0] + statement[0]
            config.today_count = stk[1] + c2b[1] + statement[1]
            config.suspense_amount, config.suspense_count = suspense.get(config.id, (0.0, 0))
            config.to_approve_count = to_approve.get(config, 0)
            config.pending_stk_count = pending_stk.get(config, 0)
            config.problem_request_count = problems.get(config, 0)
            last = last_statement.get(config, Statement)
            config.last_statement_id = last
            config.statement_issue_count = last.issue_count

    def _problem_domain(self):
        """Payouts and reversals that failed in the last week or whose outcome is unknown."""
        week = fields.Datetime.now() - timedelta(days=7)
        return [
            ("kind", "in", ("b2c", "reversal")),
            "|",
            ("state", "=", "unknown"),
            "&",
            ("state", "=", "failed"),
            ("write_date", ">=", week),
        ]

    def _dashboard_action(self, xml_id, domain, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [("config_id", "=", self.id), *domain]
        action["context"] = context or {}
        return action

    def action_open_today(self):
        return self._dashboard_action(
            "sacco_mpesa.sacco_mpesa_transaction_action",
            [("paid_at", ">=", self._today_start())],
            {"search_default_group_source": 1},
        )

    def action_open_suspense(self):
        return self._dashboard_action(
            "sacco_mpesa.sacco_mpesa_transaction_action", [("state", "=", "suspense")]
        )

    def action_open_to_approve(self):
        return self._dashboard_action(
            "sacco_mpesa.sacco_mpesa_transaction_action", [("proposal", "!=", False)]
        )

    def action_open_pending_stk(self):
        return self._dashboard_action(
            "sacco_mpesa.sacco_mpesa_request_action",
            [("kind", "=", "stk"), ("state", "in", ("submitted", "pending"))],
        )

    def action_open_statement(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sacco.mpesa.statement",
            "res_id": self.last_statement_id.id,
            "view_mode": "form",
        }

    def action_open_problems(self):
        return self._dashboard_action(
            "sacco_mpesa.sacco_mpesa_request_action", self._problem_domain()
        )
