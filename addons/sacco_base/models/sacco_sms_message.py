import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.phones import mask_msisdn, normalize_msisdn
from sacco_core.sms import retry_delay_seconds

from ..services.africastalking_gateway import SmsGatewayError

_logger = logging.getLogger(__name__)


class SaccoSmsMessage(models.Model):
    _name = "sacco.sms.message"
    _description = "SMS Outbox Message"
    _order = "id desc"
    _rec_name = "phone"

    member_id = fields.Many2one("sacco.member", index=True, ondelete="set null")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    template_id = fields.Many2one("sacco.sms.template", ondelete="set null")
    phone = fields.Char(required=True)
    body = fields.Text(required=True)
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("delivered", "Delivered"),
            ("failed", "Failed"),
        ],
        default="queued",
        required=True,
        index=True,
    )
    provider_message_id = fields.Char(string="Provider Message ID", index=True, copy=False)
    cost = fields.Float(digits=(12, 4), copy=False)
    cost_currency = fields.Char(copy=False)
    attempts = fields.Integer(copy=False)
    last_error = fields.Char(copy=False)
    next_attempt_at = fields.Datetime(copy=False)
    sent_at = fields.Datetime(copy=False)
    delivered_at = fields.Datetime(copy=False)
    delivery_status = fields.Char(copy=False, help="The last status the gateway reported.")

    _sql_constraints = [
        (
            "provider_message_id_uniq",
            "unique(provider_message_id)",
            "The provider message ID must be unique.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            try:
                vals["phone"] = normalize_msisdn(vals.get("phone") or "")
            except SaccoRuleError as error:
                raise ValidationError(str(error)) from error
        return super().create(vals_list)

    @api.model
    def _queue_from_template(self, template_xmlid, member, values=None):
        """Queue a templated SMS to a member; nothing when the template is archived or deleted.
        ``values`` fill placeholders other than the member's."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        return self._queue_all([self._template_vals(template, member, values)])

    @api.model
    def _template_vals(self, template, member, values=None):
        """The values of a templated SMS to ``member``, or None when the template is archived
        or missing or the member has no phone."""
        if not template or not template.active or not member.phone:
            return None
        return {
            "member_id": member.id,
            "company_id": member.company_id.id,
            "template_id": template.id,
            "phone": member.phone,
            "body": template._render_for(member, values),
        }

    @api.model
    def _queue_all(self, vals_list):
        """Queue many messages in one create (None entries skipped) and wake the sender."""
        vals_list = [vals for vals in vals_list if vals]
        if not vals_list:
            return self.browse()
        messages = self.sudo().create(vals_list)
        self.env.ref("sacco_base.ir_cron_sacco_sms_send")._trigger()
        return messages

    @api.model
    def _queue_rendered(self, template, rows):
        """Queue ``(member id, company id, phone, body)`` rows of ``template`` with one
        INSERT ... SELECT, for the nightly jobs that message thousands of members (the ORM
        would cost ~1 ms a message). Phones must already be canonical (members' are).
        Returns the number queued."""
        rows = [row for row in rows if row[2]]
        if not rows or not template or not template.active:
            return 0
        self.flush_model()
        columns = (list(column) for column in zip(*rows, strict=True))
        member_ids, company_ids, phones, bodies = columns
        self.env.cr.execute(
            """
            INSERT INTO sacco_sms_message
                (member_id, company_id, template_id, phone, body, state, attempts,
                 create_uid, write_uid, create_date, write_date)
            SELECT m, c, %(template)s, p, b, 'queued', 0, %(uid)s, %(uid)s,
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM unnest(%(members)s::int[], %(companies)s::int[], %(phones)s::varchar[],
                          %(bodies)s::text[]) AS r(m, c, p, b)
            """,
            {
                "template": template.id,
                "uid": self.env.uid,
                "members": member_ids,
                "companies": company_ids,
                "phones": phones,
                "bodies": bodies,
            },
        )
        queued = self.env.cr.rowcount
        self.env.ref("sacco_base.ir_cron_sacco_sms_send")._trigger()
        return queued

    # ---------------------------------------------------------------- sending

    @api.model
    def _cron_send_queued(self, batch_size=100):
        """Send due messages in batches; rows taken by a concurrent run are skipped."""
        self.flush_model(["state", "next_attempt_at"])
        self.env.cr.execute(
            "SELECT DISTINCT company_id FROM sacco_sms_message WHERE state = 'queued'"
        )
        companies = self.env["res.company"].sudo().browse(row[0] for row in self.env.cr.fetchall())
        configured = companies.filtered(lambda company: company._sacco_sms_configured())
        # Only the messages of configured companies are taken, so an unconfigured company's
        # queue neither blocks the others nor re-triggers the cron forever.
        self.env.cr.execute(
            """
            SELECT id FROM sacco_sms_message
             WHERE state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
               AND company_id = ANY(%s)
             ORDER BY id LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            (fields.Datetime.now(), configured.ids, batch_size),
        )
        messages = self.browse(row[0] for row in self.env.cr.fetchall())
        for company, company_messages in messages.grouped("company_id").items():
            gateway = company._sacco_sms_gateway()
            for message in company_messages:
                message._send_with(gateway)
        if len(messages) == batch_size:
            self.env.ref("sacco_base.ir_cron_sacco_sms_send")._trigger()
        return messages

    def _send_with(self, gateway):
        self.ensure_one()
        try:
            result = gateway.send(self.body, [self.phone])[0]
        except (SmsGatewayError, IndexError) as error:
            _logger.info("SMS %s to %s not sent: %s", self.id, mask_msisdn(self.phone), error)
            return self._register_failure(str(error) or "no recipient in the answer", True)
        if not result.accepted:
            return self._register_failure(result.status, result.retryable)
        self.write(
            {
                "state": "sent",
                "attempts": self.attempts + 1,
                "provider_message_id": result.message_id,
                "cost": float(result.cost or 0),
                "cost_currency": result.currency,
                "sent_at": fields.Datetime.now(),
                "last_error": False,
                "delivery_status": result.status,
            }
        )

    def _register_failure(self, error, retryable):
        attempts = self.attempts + 1
        vals = {"attempts": attempts, "last_error": error[:250]}
        if retryable and attempts < self.company_id.sacco_sms_max_attempts:
            vals["next_attempt_at"] = fields.Datetime.now() + timedelta(
                seconds=retry_delay_seconds(attempts)
            )
        else:
            vals["state"] = "failed"
        self.write(vals)

    def action_retry(self):
        if self.filtered(lambda message: message.state != "failed"):
            raise UserError(self.env._("Only failed messages can be sent again."))
        self.write({"state": "queued", "attempts": 0, "next_attempt_at": False})
        self.env.ref("sacco_base.ir_cron_sacco_sms_send")._trigger()

    # ---------------------------------------------------------------- delivery reports

    @api.model
    def _apply_delivery_report(self, report):
        """Update the outbox from an Africa's Talking delivery report; unknown ids are ignored."""
        message = self.search(
            [
                ("provider_message_id", "=", report.message_id),
                ("company_id", "=", self.env.company.id),
            ],
            limit=1,
        )
        if not message:
            return message
        vals = {"delivery_status": report.status}
        if report.outcome == "delivered":
            vals.update(state="delivered", delivered_at=fields.Datetime.now())
        elif report.outcome == "failed":
            vals.update(state="failed", last_error=report.failure_reason or report.status)
        message.write(vals)
        return message
