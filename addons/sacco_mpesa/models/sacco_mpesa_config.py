import base64
import ipaddress
from decimal import Decimal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from sacco_core.money import to_money
from sacco_core.mpesa import (
    DEFAULT_B2C_TIERS,
    PRODUCTION_URL,
    SANDBOX_URL,
    MpesaFormatError,
    account_balance_payload,
    b2c_charge,
    c2b_register_payload,
)

from ..services.daraja_client import DarajaClient, DarajaError, fetch_token

ADMIN = "sacco_base.sacco_base_group_admin"
# (config field, default code, name, account type) of the accounts only M-Pesa uses.
MPESA_ACCOUNTS = [
    ("suspense_account_id", "205800", "M-Pesa Suspense", "liability_current"),
    ("charges_account_id", "605300", "M-Pesa Transaction Charges", "expense"),
]


class SaccoMpesaConfig(models.Model):
    _name = "sacco.mpesa.config"
    _inherit = ["sacco.callback.token.mixin"]
    _description = "M-Pesa Shortcode Configuration"
    _check_company_auto = True
    _callback_route_fields = ("allowed_ips",)

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    shortcode = fields.Char(required=True, help="The paybill (or the till's store number).")
    shortcode_type = fields.Selection(
        [("paybill", "Paybill"), ("till", "Till (Buy Goods)")], default="paybill", required=True
    )
    till_number = fields.Char(help="For a till: the till number STK Push pays (PartyB).")
    environment = fields.Selection(
        [("sandbox", "Sandbox"), ("production", "Production"), ("custom", "Custom URL")],
        default="sandbox",
        required=True,
    )
    base_url = fields.Char(
        string="Custom Base URL", help="For the Custom environment (a proxy or a test server)."
    )
    consumer_key = fields.Char(groups=ADMIN, copy=False)
    consumer_secret = fields.Char(groups=ADMIN, copy=False)
    passkey = fields.Char(string="STK Passkey", groups=ADMIN, copy=False)
    initiator_name = fields.Char(groups=ADMIN, copy=False)
    initiator_password = fields.Char(groups=ADMIN, copy=False)
    certificate = fields.Text(
        string="M-Pesa Certificate (PEM)",
        groups=ADMIN,
        help="The sandbox or production public-key certificate from the Daraja portal; the "
        "initiator password is encrypted with it into the SecurityCredential.",
    )
    callback_base_url = fields.Char(
        help="Public HTTPS address Daraja reaches us at; defaults to web.base.url."
    )
    callback_token = fields.Char(groups=ADMIN)
    allowed_ips = fields.Char(
        string="Allowed Source IPs",
        help="Comma-separated addresses or networks; empty accepts callbacks from anywhere "
        "(the secret token in the URL still applies).",
    )
    c2b_validation = fields.Boolean(
        string="Validate Account Numbers",
        help="Reject paybill payments to unknown account numbers at validation (needs "
        "External Validation enabled on the shortcode by Safaricom).",
    )
    c2b_version = fields.Selection([("v1", "v1"), ("v2", "v2")], default="v2", required=True)
    default_destination = fields.Selection(
        [("bosa", "BOSA Deposits"), ("fosa", "FOSA Savings")],
        default="bosa",
        required=True,
        help="Where a payment to a bare member number goes.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="M-Pesa Journal",
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="Bank-type journal of the shortcode's utility account.",
    )
    clearing_account_id = fields.Many2one(
        "account.account", string="B2C Clearing Account", check_company=True
    )
    clearing_journal_id = fields.Many2one(
        "account.journal",
        string="B2C Clearing Journal",
        check_company=True,
        help="Its default account is the B2C clearing account: a payout leaves the member's "
        "account into clearing when it is sent, and clears when M-Pesa confirms it.",
    )
    suspense_account_id = fields.Many2one(
        "account.account", string="M-Pesa Suspense Account", check_company=True
    )
    suspense_journal_id = fields.Many2one(
        "account.journal",
        string="M-Pesa Suspense Journal",
        check_company=True,
        help="Its default account is the suspense account: allocating a payment from suspense "
        "is a deposit or repayment paid from this journal.",
    )
    charges_account_id = fields.Many2one(
        "account.account", string="M-Pesa Charges Account", check_company=True
    )
    outstanding_account_id = fields.Many2one(
        "account.account",
        string="M-Pesa Outstanding Account",
        check_company=True,
        help="Reconcilable: M-Pesa receipts are debited and payouts credited here, and each "
        "item is cleared when the imported M-Pesa statement shows the money in the paybill "
        "(the journal's bank account then holds the statement's balance).",
    )
    b2c_charge_bearer = fields.Selection(
        [("sacco", "SACCO"), ("member", "Member")],
        string="B2C Charge Paid By",
        default="sacco",
        required=True,
        help="Member: a FOSA withdrawal to M-Pesa also takes M-Pesa's B2C charge from the "
        "member's account (shown before the withdrawal). SACCO: the charge is the SACCO's "
        "expense. Either way M-Pesa's charge is booked to the charges account.",
    )
    b2c_tier_ids = fields.One2many(
        "sacco.mpesa.b2c.tier", "config_id", string="B2C Charges", copy=True
    )
    balance_utility = fields.Monetary(string="Utility Account", readonly=True)
    balance_working = fields.Monetary(string="Working Account", readonly=True)
    balance_charges = fields.Monetary(string="Charges Paid Account", readonly=True)
    balance_at = fields.Datetime(string="Balances As Of", readonly=True)

    _sql_constraints = [
        (
            "shortcode_company_uniq",
            "unique(shortcode, company_id)",
            "This shortcode is already configured for the company.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        configs = super().create(vals_list)
        configs._setup_accounting()
        configs.filtered(lambda c: not c.b2c_tier_ids).sudo().write(
            {
                "b2c_tier_ids": [
                    Command.create({"up_to": float(up_to), "charge": float(charge)})
                    for up_to, charge in DEFAULT_B2C_TIERS
                ]
            }
        )
        return configs

    @api.constrains("allowed_ips")
    def _check_allowed_ips(self):
        for config in self:
            try:
                self._networks(config.allowed_ips)
            except ValueError as error:
                raise ValidationError(self.env._("Allowed source IPs: %s", error)) from None

    @api.constrains("b2c_tier_ids")
    def _check_b2c_tiers(self):
        for config in self:
            try:
                b2c_charge(Decimal(1), config.b2c_tier_ids._as_core_tiers())
            except MpesaFormatError as error:
                raise ValidationError(self.env._("B2C charges: %s", error)) from None

    @api.constrains("environment", "base_url")
    def _check_base_url(self):
        if any(c.environment == "custom" and not c.base_url for c in self):
            raise ValidationError(self.env._("Set the custom base URL."))

    def _setup_accounting(self):
        """Fill the empty journal and accounts: an M-Pesa bank journal, the company's M-Pesa
        clearing account for B2C in transit, and M-Pesa's own outstanding, suspense and charges
        accounts."""
        for config in self:
            company = config.company_id
            vals = {}
            for field_name, code, name, account_type in MPESA_ACCOUNTS:
                if not config[field_name]:
                    account = company._sacco_find_or_create_account(code, name, account_type)
                    vals[field_name] = account.id
            if not config.outstanding_account_id:
                # One per shortcode, as its journal's bank account: each paybill reconciles
                # with its own statement.
                vals["outstanding_account_id"] = company._sacco_find_or_create_account(
                    f"1056{config.shortcode}",
                    f"M-Pesa Outstanding Receipts and Payments {config.shortcode}",
                    "asset_current",
                ).id
            if not config.journal_id:
                vals["journal_id"] = config._find_or_create_journal("MP", "bank").id
            if vals:
                config.sudo().write(vals)
            config._setup_outstanding_account()
            # After the accounts exist: the company's setup also maps them (SASRA lines).
            company._sacco_setup_accounts()
            if not config.clearing_account_id:
                config.sudo().clearing_account_id = company.sacco_account_mpesa_clearing_id
            if not config.suspense_journal_id:
                config.sudo().suspense_journal_id = config._find_or_create_journal(
                    "MS", "general", config.suspense_account_id
                )
            if not config.clearing_journal_id:
                config.sudo().clearing_journal_id = config._find_or_create_journal(
                    "MC", "general", config.clearing_account_id
                )

    @api.model
    def _setup_missing_outstanding_accounts(self):
        """Databases from before the per-shortcode outstanding account (the 18.0.1.1.0
        upgrade calls this): each configuration without one gets its account, set on its
        paybill journal's payment methods. Posted entries keep their accounts."""
        configs = (
            self.sudo()
            .with_context(active_test=False)
            .search([("outstanding_account_id", "=", False)])
        )
        configs._setup_accounting()
        return configs

    def _setup_outstanding_account(self):
        """Odoo's outstanding receipts/payments account of the paybill journal: reconcilable,
        and the account of the journal's payment methods (so Odoo payments use it too)."""
        self.ensure_one()
        account = self.sudo().outstanding_account_id
        if not account.reconcile:
            account.reconcile = True
        journal = self.sudo().journal_id
        methods = journal.inbound_payment_method_line_ids | journal.outbound_payment_method_line_ids
        methods.filtered(lambda line: not line.payment_account_id).payment_account_id = account

    def _find_or_create_journal(self, prefix, journal_type, account=None):
        Journal = self.env["account.journal"].sudo()
        code = f"{prefix}{self.shortcode[-3:]}"
        name = {"MP": "M-Pesa %s", "MS": "M-Pesa Suspense %s", "MC": "M-Pesa B2C Clearing %s"}[
            prefix
        ]
        return Journal.search(
            [("code", "=", code), ("company_id", "=", self.company_id.id)], limit=1
        ) or Journal.create(
            {
                "name": name % self.shortcode,
                "code": code,
                "type": journal_type,
                "company_id": self.company_id.id,
                "default_account_id": account.id if account else False,
            }
        )

    def _suspense_journal(self):
        self.ensure_one()
        return self.sudo().suspense_journal_id

    # ---------------------------------------------------------------- callbacks

    @api.model
    def _callback_route_extras(self, values):
        """A route keeps the allowed networks, parsed once per worker."""
        (allowed_ips,) = values
        return (tuple(self._networks(allowed_ips)),)

    @staticmethod
    def _networks(allowed_ips):
        return [
            ipaddress.ip_network(part.strip(), strict=False)
            for part in (allowed_ips or "").split(",")
            if part.strip()
        ]

    def _source_allowed(self, address):
        self.ensure_one()
        networks = next(
            (route[2] for route in self._callback_routes() if route[1] == self.id),
            None,
        )
        if networks is None:  # not a callback route (archived or without a token)
            networks = self._networks(self.sudo().allowed_ips)
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in network for network in networks)

    def _callback_url(self, kind):
        self.ensure_one()
        base = self.callback_base_url or self.env["ir.config_parameter"].sudo().get_param(
            "web.base.url"
        )
        return f"{base.rstrip('/')}/sacco/mpesa/{self.sudo().callback_token}/{kind}"

    # ---------------------------------------------------------------- Daraja

    def _base_url(self):
        self.ensure_one()
        return {"sandbox": SANDBOX_URL, "production": PRODUCTION_URL}.get(
            self.environment, self.base_url
        )

    def _client(self):
        self.ensure_one()
        config = self.sudo()
        base_url = config._base_url()
        if not (config.consumer_key and config.consumer_secret):
            raise UserError(self.env._("Set the consumer key and secret of %s.", config.name))

        def token_provider(force):
            return self.env["sacco.mpesa.token"]._get(
                base_url,
                config.consumer_key,
                lambda: fetch_token(base_url, config.consumer_key, config.consumer_secret),
                force=force,
            )

        return DarajaClient(base_url, token_provider)

    def _security_credential(self):
        """The initiator password RSA-encrypted (PKCS #1 v1.5) with the M-Pesa certificate,
        base64-encoded, as Daraja documents it."""
        self.ensure_one()
        config = self.sudo()
        if not (config.initiator_name and config.initiator_password and config.certificate):
            raise UserError(
                self.env._("Set the initiator name, password and certificate of %s.", config.name)
            )
        try:
            certificate = x509.load_pem_x509_certificate(config.certificate.encode())
        except ValueError:
            raise UserError(self.env._("The M-Pesa certificate is not in PEM format.")) from None
        encrypted = certificate.public_key().encrypt(
            config.initiator_password.encode(), padding.PKCS1v15()
        )
        return base64.b64encode(encrypted).decode()

    def action_register_c2b_urls(self):
        """Register the confirmation and validation URLs of the shortcode."""
        for config in self:
            try:
                payload = c2b_register_payload(
                    shortcode=config.shortcode,
                    confirmation_url=config._callback_url("c2b/confirmation"),
                    validation_url=config._callback_url("c2b/validation"),
                    response_type="Cancelled" if config.c2b_validation else "Completed",
                )
                answer = config._client().call("c2b_register", payload, version=config.c2b_version)
            except (DarajaError, MpesaFormatError) as error:
                raise UserError(str(error)) from None
            if not answer.accepted:
                raise UserError(
                    self.env._(
                        "M-Pesa refused the URLs: %(code)s %(message)s",
                        code=answer.code,
                        message=answer.description,
                    )
                )
        return True

    def action_query_balance(self):
        """Ask M-Pesa for the shortcode's account balances (the result updates them)."""
        Request = self.env["sacco.mpesa.request"].sudo()
        for config in self:
            request = Request.create({"kind": "balance", "config_id": config.id})
            request._send_initiator_request(
                "balance",
                lambda q, c: account_balance_payload(
                    originator_id=q.originator_id,
                    initiator=c.initiator_name or "",
                    security_credential=c._security_credential(),
                    shortcode=c.shortcode,
                    result_url=c._callback_url("balance/result"),
                    timeout_url=c._callback_url("balance/timeout"),
                ),
            )
        return True

    def _b2c_charge(self, amount):
        """M-Pesa's charge for paying ``amount`` out by B2C from this shortcode."""
        self.ensure_one()
        try:
            return b2c_charge(
                to_money(amount, strict=False), self.sudo().b2c_tier_ids._as_core_tiers()
            )
        except MpesaFormatError as error:
            raise UserError(str(error)) from None

    def _member_b2c_charge(self, amount):
        """The part of the B2C charge the member pays (nothing when the SACCO bears it)."""
        self.ensure_one()
        return self._b2c_charge(amount) if self.b2c_charge_bearer == "member" else Decimal(0)

    def _store_balances(self, balances):
        by_name = {balance.name.lower(): float(balance.available) for balance in balances}
        self.write(
            {
                "balance_utility": by_name.get("utility account", 0.0),
                "balance_working": by_name.get("working account", 0.0),
                "balance_charges": by_name.get("charges paid account", 0.0),
                "balance_at": fields.Datetime.now(),
            }
        )
