import base64

from cryptography.hazmat.primitives.asymmetric import padding

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SHORTCODE, SaccoMpesaCommon


@tagged("post_install", "-at_install")
class TestDarajaClient(SaccoMpesaCommon):
    def test_token_cached_and_shared(self):
        self.config.action_register_c2b_urls()
        self.config.action_register_c2b_urls()
        self.assertEqual(self.daraja.token_count, 1)
        registered = self.daraja.registered[SHORTCODE]
        self.assertTrue(registered["ConfirmationURL"].endswith(f"/{self.token}/c2b/confirmation"))
        self.assertEqual(registered["ResponseType"], "Completed")
        self.assertEqual(len(self.daraja.calls("/mpesa/c2b/v2/registerurl")), 2)

    def test_invalid_token_refreshed_once(self):
        self.config.action_register_c2b_urls()
        self.daraja.token = "revoked-by-another-generate"
        self.config.action_register_c2b_urls()
        self.assertEqual(self.daraja.token_count, 2)

    def test_gateway_errors_retried(self):
        self.daraja.gateway_failures = 2
        self.config.action_register_c2b_urls()
        self.assertEqual(len(self.daraja.calls("/mpesa/c2b")), 3)

    def test_wrong_credentials_are_a_clear_error(self):
        self.config.sudo().consumer_secret = "wrong"
        with self.assertRefused(UserError, "refused the credentials"):
            self.config.action_register_c2b_urls()

    def test_security_credential_is_rsa_pkcs1_of_the_password(self):
        key = self._configure_initiator()
        credential = self.config._security_credential()
        clear = key.decrypt(base64.b64decode(credential), padding.PKCS1v15())
        self.assertEqual(clear, b"Safaricom999!*!")
        self.config.sudo().certificate = "not a certificate"
        with self.assertRefused(UserError, "PEM"):
            self.config._security_credential()

    def test_rotate_token_changes_the_urls(self):
        old = self.config.callback_token
        self.config.action_rotate_token()
        self.assertNotEqual(self.config.callback_token, old)
        with self.assertLogs("odoo.addons.sacco_mpesa.controllers.main", "WARNING"):
            self.assertEqual(self._post("stk", "{}", token=old).status_code, 404)

    def test_credentials_hidden_from_tellers(self):
        config = self.config.with_user(self.teller_a)
        self.assertEqual(config.name, "Test Paybill")
        with self.assertRaises(AccessError):
            config.consumer_secret  # noqa: B018
