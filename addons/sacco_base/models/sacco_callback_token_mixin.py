import hmac
import secrets

from odoo import api, fields, models, tools
from odoo.tools import SQL


def new_callback_token(*_args):
    """A secret for a callback URL: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def same_token(known, token):
    """Whether ``token`` (from a URL, maybe missing or not ASCII) is ``known``, compared in
    constant time so the comparison gives nothing of the secret away."""
    return hmac.compare_digest((known or "").encode(), (token or "").encode()) and bool(known)


class SaccoCallbackTokenMixin(models.AbstractModel):
    """A record a provider calls back at a URL that carries its secret ``callback_token``
    (M-Pesa shortcodes, USSD channels). Each worker caches the active records' tokens, with
    the ``_callback_route_fields`` a callback reads, so a callback finds its record without a
    query; creating, deleting or changing any of them clears that cache in every worker
    (Odoo's registry cache invalidation). The inheriting model has an ``active`` field."""

    _name = "sacco.callback.token.mixin"
    _description = "SACCO Callback Token"

    # Columns cached with the token, for the callbacks to read; changing one clears the cache.
    _callback_route_fields = ()

    callback_token = fields.Char(
        groups="base.group_system", copy=False, readonly=True, default=new_callback_token
    )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()  # _callback_routes
        return records

    def write(self, vals):
        if {"callback_token", "active", *self._callback_route_fields} & set(vals):
            self.env.registry.clear_cache()  # _callback_routes
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()  # _callback_routes
        return super().unlink()

    def action_rotate_token(self):
        """A new secret for the callback URLs: the old ones stop working at once."""
        for record in self.sudo():
            record.callback_token = new_callback_token()
        return True

    @api.model
    def _for_token(self, token):
        """The active record whose callback token is ``token`` (else an empty recordset)."""
        route = self._callback_route(token)
        return self.browse(route[1] if route else ())

    @api.model
    def _callback_route(self, token):
        """The cached route whose token is ``token``, or None (no record row is read)."""
        return next(
            (route for route in self._callback_routes() if same_token(route[0], token)), None
        )

    @api.model
    @tools.ormcache()
    def _callback_routes(self):
        """``(token, id, *extras)`` of each active record with a token, the extras made of
        its ``_callback_route_fields`` by ``_callback_route_extras``."""
        columns = ("callback_token", "id", *self._callback_route_fields)
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM %s WHERE active AND callback_token IS NOT NULL ORDER BY id",
                SQL(", ").join(SQL.identifier(name) for name in columns),
                SQL.identifier(self._table),
            )
        )
        return tuple(
            (token, record_id, *self._callback_route_extras(values))
            for token, record_id, *values in self.env.cr.fetchall()
        )

    @api.model
    def _callback_route_extras(self, values):
        """What a route keeps of the values of ``_callback_route_fields``: all of them."""
        return tuple(values)
