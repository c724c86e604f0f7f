from datetime import UTC

from odoo import fields, models

from sacco_core.mobile_auth import RefreshRecord


class SaccoMobileRefreshToken(models.Model):
    """A refresh token, stored as its SHA-256 only."""

    _name = "sacco.mobile.refresh.token"
    _description = "Member App Refresh Token"
    _order = "id desc"

    session_id = fields.Many2one(
        "sacco.mobile.session", required=True, ondelete="cascade", index=True
    )
    digest = fields.Char(required=True, readonly=True, index=True)
    issued_at = fields.Datetime(required=True, readonly=True)
    expires_at = fields.Datetime(required=True, readonly=True)
    spent_at = fields.Datetime(readonly=True)

    _sql_constraints = [("digest_uniq", "unique(digest)", "Refresh tokens are unique.")]

    def _as_record(self):
        """The pure rule's view of the token."""
        self.ensure_one()
        session = self.session_id
        return RefreshRecord(
            digest=self.digest,
            family=session.family,
            device_id=session.device_id.device_id,
            issued_at=self.issued_at.replace(tzinfo=UTC),
            expires_at=self.expires_at.replace(tzinfo=UTC),
            spent_at=self.spent_at.replace(tzinfo=UTC) if self.spent_at else None,
            revoked=session.state == "revoked",
        )
