from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sacco_mobile_access_ttl_minutes = fields.Integer(
        string="App Access Token Lifetime (minutes)",
        config_parameter="sacco_mobile_api.access_ttl_minutes",
        default=10,
    )
    sacco_mobile_transaction_limit = fields.Integer(
        string="App Limit per Transaction (KES)",
        config_parameter="sacco_mobile_api.transaction_limit",
        default=70000,
    )
    sacco_mobile_daily_limit = fields.Integer(
        string="App Daily Limit (KES)",
        config_parameter="sacco_mobile_api.daily_limit",
        default=150000,
    )
    sacco_mobile_rate_per_minute = fields.Integer(
        string="App Requests per Minute",
        config_parameter="sacco_mobile_api.rate_per_minute",
        default=120,
        help="Per member, per device and per IP address.",
    )
    sacco_mobile_auth_rate_per_minute = fields.Integer(
        string="App Sign-in Requests per Minute",
        config_parameter="sacco_mobile_api.auth_rate_per_minute",
        default=10,
        help="Sign-in, registration and code requests, per phone and per IP address.",
    )

    @api.constrains("sacco_mobile_access_ttl_minutes")
    def _check_sacco_mobile_access_ttl(self):
        for settings in self:
            if not 1 <= settings.sacco_mobile_access_ttl_minutes <= 15:
                raise ValidationError(
                    self.env._("An access token lives 1 to 15 minutes (OWASP, RFC 9700).")
                )
