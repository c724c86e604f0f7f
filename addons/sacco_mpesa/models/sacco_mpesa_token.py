import hashlib
from datetime import timedelta

from odoo import api, fields, models

# Refresh this long before Daraja's expiry, so no call goes out with a dying token.
REFRESH_MARGIN = timedelta(seconds=60)


class SaccoMpesaToken(models.Model):
    """The OAuth token of one consumer key, shared by every Odoo worker: Daraja invalidates
    the previous token whenever a new one is generated, so workers must not each fetch
    their own."""

    _name = "sacco.mpesa.token"
    _description = "M-Pesa OAuth Token"

    key_hash = fields.Char(required=True, index=True, readonly=True)
    access_token = fields.Char(readonly=True)
    expires_at = fields.Datetime(readonly=True)

    _sql_constraints = [("key_hash_uniq", "unique(key_hash)", "One token per consumer key.")]

    @api.model
    def _key_hash(self, base_url, consumer_key):
        return hashlib.sha256(f"{base_url}|{consumer_key}".encode()).hexdigest()

    @api.model
    def _get(self, base_url, consumer_key, fetch, force=False):
        """A valid token for the key; ``fetch()`` returns a new ``Token``. The refresh runs
        under a row lock so concurrent workers wait for one fetch and then share it."""
        key_hash = self._key_hash(base_url, consumer_key)
        now = fields.Datetime.now()
        cached = self.sudo().search([("key_hash", "=", key_hash)], limit=1)
        if not force and cached.access_token and cached.expires_at - REFRESH_MARGIN > now:
            return cached.access_token
        stale = cached.access_token
        self.env.cr.execute(
            "INSERT INTO sacco_mpesa_token (key_hash, create_date, write_date) "
            "VALUES (%s, now() at time zone 'UTC', now() at time zone 'UTC') "
            "ON CONFLICT (key_hash) DO NOTHING",
            [key_hash],
        )
        self.env.cr.execute(
            "SELECT id, access_token, expires_at FROM sacco_mpesa_token "
            "WHERE key_hash = %s FOR UPDATE",
            [key_hash],
        )
        token_id, current, expires_at = self.env.cr.fetchone()
        fresh = current and expires_at and expires_at - REFRESH_MARGIN > now
        if fresh and (not force or current != stale):
            return current  # another worker refreshed it while we waited for the lock
        token = fetch()
        self.env.cr.execute(
            "UPDATE sacco_mpesa_token SET access_token = %s, expires_at = %s WHERE id = %s",
            [token.access_token, now + timedelta(seconds=token.expires_in), token_id],
        )
        self.invalidate_model(["access_token", "expires_at"])
        return token.access_token
