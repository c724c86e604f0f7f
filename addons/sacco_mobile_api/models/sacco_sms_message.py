from odoo import api, models

# SMS whose text is a secret (a one-time code): never copied into the app's inbox.
SECRET_TEMPLATES = ("sacco_base.sacco_sms_template_member_otp",)


class SaccoSmsMessage(models.Model):
    _inherit = "sacco.sms.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        messages._notify_members()
        return messages

    @api.model
    def _queue_rendered(self, template, rows):
        """The bulk queue inserts with SQL; its rows reach the inbox the same way."""
        queued = super()._queue_rendered(template, rows)
        if queued and not self._is_secret(template):
            rows = [row for row in rows if row[0] and row[2]]
            member_ids, company_ids, _phones, bodies = (list(c) for c in zip(*rows, strict=True))
            self.env.cr.execute(
                """
                INSERT INTO sacco_mobile_notification
                    (member_id, company_id, title, body, kind, read,
                     create_uid, write_uid, create_date, write_date)
                SELECT m, c, %(title)s, b, 'sms', false, %(uid)s, %(uid)s,
                       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM unnest(%(members)s::int[], %(companies)s::int[], %(bodies)s::text[])
                       AS r(m, c, b)
                """,
                {
                    "title": template.name,
                    "uid": self.env.uid,
                    "members": member_ids,
                    "companies": company_ids,
                    "bodies": bodies,
                },
            )
        return queued

    def _notify_members(self):
        self.env["sacco.mobile.notification"].sudo().create(
            [
                {
                    "member_id": message.member_id.id,
                    "title": message.template_id.name or self.env._("Message"),
                    "body": message.body,
                    "kind": "sms",
                    "sms_id": message.id,
                }
                for message in self
                if message.member_id and not self._is_secret(message.template_id)
            ]
        )

    @api.model
    def _notify_members_of_history(self):
        """Copy the members' earlier SMS into their inbox, read (one INSERT ... SELECT)."""
        secret = [
            template.id
            for template in (self.env.ref(x, raise_if_not_found=False) for x in SECRET_TEMPLATES)
            if template
        ]
        self.flush_model()
        self.env.cr.execute(
            """
            INSERT INTO sacco_mobile_notification
                (member_id, company_id, title, body, kind, sms_id, read, read_on,
                 create_uid, write_uid, create_date, write_date)
            SELECT m.member_id, m.company_id, COALESCE(t.name->>'en_US', 'SMS'), m.body, 'sms',
                   m.id, true, m.create_date, m.create_uid, m.create_uid, m.create_date,
                   m.create_date
              FROM sacco_sms_message m
              LEFT JOIN sacco_sms_template t ON t.id = m.template_id
             WHERE m.member_id IS NOT NULL
               AND (m.template_id IS NULL OR m.template_id <> ALL(%s))
            """,
            [secret or [0]],
        )

    @api.model
    def _is_secret(self, template):
        return bool(template) and any(
            template == self.env.ref(xmlid, raise_if_not_found=False) for xmlid in SECRET_TEMPLATES
        )
