from datetime import timedelta

from odoo import api, fields, models

from sacco_core.mobile_auth import MobileApiError, sliding_window

WINDOW = timedelta(minutes=1)


class SaccoMobileRateHit(models.Model):
    """The requests the app's rate limits count, one row per request and key (member,
    device, IP address, phone), shared by every worker through the database. Insert-only:
    concurrent requests of one member never wait for or conflict with each other."""

    _name = "sacco.mobile.rate.hit"
    _description = "Member App Rate Limit Hit"
    _log_access = False

    key = fields.Char(required=True, index=True)
    at = fields.Datetime(required=True, index=True)

    @api.model
    def _take(self, keys, per_minute):
        """Count one request against each of ``keys`` (at most ``per_minute`` a minute,
        sliding window) or raise ``rate_limited`` with the longest wait."""
        now = fields.Datetime.now()
        keys = sorted(set(keys))
        self.env.cr.execute(
            "SELECT key, at FROM sacco_mobile_rate_hit WHERE key = ANY(%s) AND at > %s",
            [keys, now - WINDOW],
        )
        hits = {key: [] for key in keys}
        for key, at in self.env.cr.fetchall():
            hits[key].append(at)
        wait = max(sliding_window(at, now, per_minute, WINDOW)[1] for at in hits.values())
        if wait:
            raise MobileApiError("rate_limited", retry_after=wait)
        self.env.cr.execute(
            "INSERT INTO sacco_mobile_rate_hit (key, at) SELECT k, %s FROM unnest(%s::varchar[]) k",
            [now, keys],
        )

    @api.autovacuum
    def _gc_old_hits(self):
        self.env.cr.execute(
            "DELETE FROM sacco_mobile_rate_hit WHERE at < %s", [fields.Datetime.now() - WINDOW]
        )
