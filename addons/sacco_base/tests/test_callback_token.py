import string
from unittest.mock import patch

from odoo.tests import TransactionCase

from odoo.addons.sacco_base.models.sacco_callback_token_mixin import (
    new_callback_token,
    same_token,
)


class TestCallbackToken(TransactionCase):
    def test_new_tokens_are_long_random_and_url_safe(self):
        tokens = {new_callback_token() for _ in range(20)}
        self.assertEqual(len(tokens), 20)
        alphabet = set(string.ascii_letters + string.digits + "-_")
        for token in tokens:
            self.assertGreaterEqual(len(token), 43)
            self.assertLessEqual(set(token), alphabet)

    def test_same_token_refuses_wrong_missing_and_non_ascii_tokens(self):
        self.assertTrue(same_token("abc-123", "abc-123"))
        for known, token in (
            ("abc-123", "abc-124"),
            ("abc-123", None),
            ("abc-123", ""),
            ("", ""),
            (None, None),
            ("abc-123", "abc-12é"),
        ):
            self.assertFalse(same_token(known, token), (known, token))

    def test_for_token_finds_the_cached_route(self):
        Mixin = self.env["sacco.callback.token.mixin"]
        routes = (("first-token", 7, "extra"), ("second-token", 9, "extra"))
        with patch.object(type(Mixin), "_callback_routes", return_value=routes):
            self.assertEqual(Mixin._for_token("second-token"), Mixin.browse(9))
            self.assertEqual(Mixin._callback_route("first-token"), routes[0])
            self.assertFalse(Mixin._for_token("third-token"))
            self.assertFalse(Mixin._for_token(None))
