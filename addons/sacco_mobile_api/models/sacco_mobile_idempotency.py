import json

from odoo import fields, models

from sacco_core.mobile_auth import IdempotencyRecord


class SaccoMobileIdempotency(models.Model):
    """A money request seen under an ``Idempotency-Key``: its fingerprint and, once done,
    the response the app gets again on a retry."""

    _name = "sacco.mobile.idempotency"
    _description = "Member App Idempotency Key"
    _order = "id desc"
    _rec_name = "key"

    member_id = fields.Many2one("sacco.member", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    key = fields.Char(required=True, readonly=True)
    fingerprint = fields.Char(required=True, readonly=True)
    operation = fields.Char(readonly=True, help="The endpoint, e.g. POST /accounts/7/withdraw.")
    state = fields.Selection(
        [("processing", "Processing"), ("done", "Done")],
        default="processing",
        required=True,
        readonly=True,
    )
    status_code = fields.Integer(readonly=True)
    response = fields.Text(readonly=True)
    outflow = fields.Monetary(
        readonly=True, help="Money this request sent out of the member's accounts (daily limit)."
    )
    currency_id = fields.Many2one(related="member_id.currency_id")

    _sql_constraints = [
        ("key_uniq", "unique(member_id, key)", "An idempotency key is used once per member.")
    ]

    def _as_record(self):
        self.ensure_one()
        return IdempotencyRecord(
            fingerprint=self.fingerprint,
            created_at=self.create_date,
            done=self.state == "done",
            status=self.status_code,
            body=json.loads(self.response) if self.response else None,
        )
