from odoo import api, fields, models
from odoo.exceptions import ValidationError

from sacco_core.money import to_money
from sacco_core.ussd import Limits
from sacco_core.ussd_texts import ENGLISH, SWAHILI

MANAGER = "sacco_base.sacco_base_group_manager"


# What serving a request reads of its channel, kept with the tokens in each worker's cache.
ROUTED_COLUMNS = ("name", "company_id", "extension", "default_language", "session_timeout")


class SaccoUssdChannel(models.Model):
    """One USSD service code on one gateway; its secret token is in the callback URL."""

    _name = "sacco.ussd.channel"
    _inherit = ["sacco.callback.token.mixin"]
    _description = "USSD Channel"
    _order = "name"
    _callback_route_fields = ("gateway", *ROUTED_COLUMNS)

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    service_code = fields.Char(required=True, help="The code members dial, e.g. *384*123#.")
    gateway = fields.Selection(
        [("africastalking", "Africa's Talking"), ("aggregator", "Aggregator (GET)")],
        required=True,
        default="africastalking",
    )
    extension = fields.Char(
        help="On a code shared through an aggregator, the extension members type first; "
        "the aggregator sends it as the first input."
    )
    callback_token = fields.Char(groups=MANAGER)
    default_language = fields.Selection(
        [(ENGLISH, "English"), (SWAHILI, "Kiswahili")],
        required=True,
        default=ENGLISH,
        help="The menu language of members who have not chosen one.",
    )
    session_timeout = fields.Integer(
        string="Session Timeout (s)",
        default=180,
        help="A session older than this is answered 'expired' (Kenyan telcos: 180 s).",
    )
    deposit_min = fields.Monetary(string="Minimum Deposit", default=10.0)
    deposit_max = fields.Monetary(string="Maximum Deposit", default=250000.0)
    withdraw_min = fields.Monetary(string="Minimum Withdrawal", default=50.0)
    withdraw_max = fields.Monetary(
        string="Maximum Withdrawal", default=70000.0, help="Per transaction."
    )
    daily_withdraw_max = fields.Monetary(
        string="Daily Withdrawal Limit", default=150000.0, help="Per member, all channels."
    )
    session_ids = fields.One2many("sacco.ussd.session", "channel_id", readonly=True)
    session_count = fields.Integer(compute="_compute_session_count")
    callback_path = fields.Char(compute="_compute_callback_path", groups=MANAGER)

    _sql_constraints = [
        (
            "callback_token_uniq",
            "unique(callback_token)",
            "Each USSD channel needs its own callback token.",
        ),
    ]

    @api.constrains(
        "deposit_min", "deposit_max", "withdraw_min", "withdraw_max", "daily_withdraw_max"
    )
    def _check_limits(self):
        for channel in self:
            if (
                min(channel.deposit_min, channel.withdraw_min) < 1
                or channel.deposit_min > channel.deposit_max
                or channel.withdraw_min > channel.withdraw_max
                or channel.withdraw_max > channel.daily_withdraw_max
            ):
                raise ValidationError(
                    self.env._(
                        "USSD limits: minimums of at least KES 1, each minimum below its "
                        "maximum, and the per-transaction withdrawal within the daily limit."
                    )
                )

    def _compute_session_count(self):
        counts = dict(
            self.env["sacco.ussd.session"]._read_group(
                [("channel_id", "in", self.ids)], ["channel_id"], ["__count"]
            )
        )
        for channel in self:
            channel.session_count = counts.get(channel, 0)

    @api.depends("gateway")
    def _compute_callback_path(self):
        for channel in self:
            kind = "at" if channel.gateway == "africastalking" else "gateway"
            channel.callback_path = f"/sacco/ussd/{channel.callback_token}/{kind}"

    def action_view_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sacco_ussd.sacco_ussd_session_action"
        )
        action["domain"] = [("channel_id", "=", self.id)]
        return action

    @api.model
    def _for_token(self, token, gateway):
        """The active channel of ``gateway`` whose token is ``token``, its ``ROUTED_COLUMNS``
        put in the record cache from the worker's routes: a request reads no channel row."""
        route = self._callback_route(token)
        if not route or route[2] != gateway:
            return self.browse()
        _token, channel_id, _gateway, *values = route
        channel = self.browse(channel_id)
        for name, value in zip(ROUTED_COLUMNS, values, strict=True):
            self.env.cache.insert_missing(channel, self._fields[name], [value])
        return channel

    def _limits(self, withdrawn_today, charge_tiers, excise_rate):
        self.ensure_one()
        return Limits(
            deposit_min=self._money(self.deposit_min),
            deposit_max=self._money(self.deposit_max),
            withdraw_min=self._money(self.withdraw_min),
            withdraw_max=self._money(self.withdraw_max),
            daily_withdraw_max=self._money(self.daily_withdraw_max),
            withdrawn_today=withdrawn_today,
            charge_tiers=charge_tiers,
            excise_rate=excise_rate,
        )

    @staticmethod
    def _money(value):
        return to_money(value or 0.0, strict=False)

    @api.model
    def simulator_channels(self):
        """The channels the back-office simulator dials, with their callback paths."""
        channels = self.search([("company_id", "in", self.env.companies.ids)])
        return [
            {
                "id": channel.id,
                "name": channel.name,
                "service_code": channel.service_code,
                "gateway": channel.gateway,
                "extension": channel.extension or "",
                "path": channel.sudo().callback_path,
            }
            for channel in channels
        ]
