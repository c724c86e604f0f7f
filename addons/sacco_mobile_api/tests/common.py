import uuid

from odoo.addons.sacco_mpesa.tests.common import SaccoMpesaCommon

API = "/api/mobile"
PIN = "2580"


class MobileApiCommon(SaccoMpesaCommon):
    """The members' API over real HTTP, with M-Pesa against the local Daraja server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = cls.env.ref("sacco_mobile_api.fastapi_endpoint_mobile")
        cls.endpoint._handle_registry_sync()
        cls.Api = cls.env["sacco.mobile.api"].sudo()
        cls._configure_initiator()
        cls.member_fosa.deposit(20000, journal=cls.cash)
        cls.other_fosa = cls._account(cls.other, cls.fosa)
        # Every test signs in from 127.0.0.1: the sign-in limit per IP is the rate tests'.
        cls.env["ir.config_parameter"].sudo().set_param(
            "sacco_mobile_api.auth_rate_per_minute", 100
        )

    @classmethod
    def _enrol(cls, member, pin=PIN, device_id=None):
        """A member who registered the app on a trusted device (the OTP steps are the
        journey test's); returns the device id."""
        device_id = device_id or f"device-{member.id}-{uuid.uuid4().hex[:8]}"
        cls.Api._credential(member)._set_pin(pin)
        cls.Api._device(member, device_id)._trust()
        return device_id

    def call(self, method, path, body=None, token=None, key=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if key:
            headers["Idempotency-Key"] = key
        return self.opener.request(
            method,
            self.base_url() + API + path,
            json=body,
            headers=headers,
            timeout=30,
            allow_redirects=False,
            **kwargs,
        )

    def login(self, member, device_id, pin=PIN):
        response = self.call(
            "POST", "/auth/login", {"phone": member.phone, "pin": pin, "device_id": device_id}
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def assertError(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.json()["error"]["code"], code, response.text)
        self.assertEqual(set(response.json()["error"]), {"code", "message"})

    def signed_in(self, member=None):
        """(access token, refresh token, device id) of a fresh sign-in."""
        member = member or self.member
        device = self._enrol(member)
        tokens = self.login(member, device)
        return tokens["access_token"], tokens["refresh_token"], device

    def set_param(self, name, value):
        self.env["ir.config_parameter"].sudo().set_param(f"sacco_mobile_api.{name}", value)
