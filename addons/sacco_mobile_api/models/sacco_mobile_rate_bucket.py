from odoo import api, fields, models

from sacco_core.mobile_auth import Bucket, MobileApiError, take_token


class SaccoMobileRateBucket(models.Model):
    """Token buckets of the app's rate limits, one row per member, device, IP address or
    phone, shared by every worker through the database."""

    _name = "sacco.mobile.rate.bucket"
    _description = "Member App Rate Limit Bucket"
    _log_access = False

    key = fields.Char(required=True, index=True)
    tokens = fields.Float(required=True)
    updated_at = fields.Datetime(required=True)

    _sql_constraints = [("key_uniq", "unique(key)", "One bucket per key.")]

    @api.model
    def _take(self, keys, capacity, per_second):
        """Spend a token from each bucket of ``keys`` (row-locked in key order) or raise
        ``rate_limited`` with the longest wait; nothing is spent when one is empty."""
        now = fields.Datetime.now()
        keys = sorted(set(keys))
        self.env.cr.execute(
            """
            INSERT INTO sacco_mobile_rate_bucket (key, tokens, updated_at)
            SELECT k, %s, %s FROM unnest(%s::varchar[]) AS k
            ON CONFLICT (key) DO NOTHING
            """,
            [float(capacity), now, keys],
        )
        self.env.cr.execute(
            "SELECT key, tokens, updated_at FROM sacco_mobile_rate_bucket"
            " WHERE key = ANY(%s) ORDER BY key FOR UPDATE",
            [keys],
        )
        taken, wait = [], 0
        for key, tokens, updated_at in self.env.cr.fetchall():
            allowed, seconds, bucket = take_token(
                Bucket(tokens, updated_at), now, capacity, per_second
            )
            wait = max(wait, seconds)
            taken.append((bucket.tokens, key))
        if wait:
            raise MobileApiError("rate_limited", retry_after=wait)
        self.env.cr.executemany(
            "UPDATE sacco_mobile_rate_bucket SET tokens = %s, updated_at = %s WHERE key = %s",
            [(tokens, now, key) for tokens, key in taken],
        )

    @api.autovacuum
    def _gc_full_buckets(self):
        """Buckets untouched for a day are full again: a missing row means the same."""
        self.env.cr.execute(
            "DELETE FROM sacco_mobile_rate_bucket WHERE updated_at < now() - interval '1 day'"
        )
