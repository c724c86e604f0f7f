import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from sacco_core.checkoff import file_fingerprint


class SaccoUploadedFileMixin(models.AbstractModel):
    """A record made from an uploaded file (check-off remittance, loan book, M-Pesa or bank
    statement) that must never be imported twice: the file's SHA-256 is kept, unique per
    company, and uploading the same file again is refused, naming the earlier upload."""

    _name = "sacco.uploaded.file.mixin"
    _description = "SACCO Uploaded File"

    file = fields.Binary(attachment=True, copy=False)
    file_name = fields.Char(copy=False)
    file_hash = fields.Char(
        readonly=True, copy=False, index=True, help="SHA-256 of the file, to refuse it twice."
    )
    error_message = fields.Text(readonly=True, copy=False, help="What is wrong with the file.")

    _sql_constraints = [
        (
            "file_hash_company_uniq",
            "unique(file_hash, company_id)",
            "This file was already uploaded.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            vals.update(self._file_hash_vals(vals, company))
        return super().create(vals_list)

    def write(self, vals):
        if "file" not in vals:
            return super().write(vals)
        for record in self:
            company = self.env["res.company"].browse(vals.get("company_id")) or record.company_id
            super(SaccoUploadedFileMixin, record).write(
                {**vals, **record._file_hash_vals(vals, company)}
            )
        return True

    def _file_hash_vals(self, vals, company):
        """The hash of the file in ``vals``, refused when the same file was uploaded before
        in ``company`` (the unique constraint only backs this clearer message)."""
        if "file" not in vals:
            return {}
        digest = vals["file"] and file_fingerprint(base64.b64decode(vals["file"]))
        if digest:
            earlier = self.sudo().search(
                [
                    ("file_hash", "=", digest),
                    ("company_id", "=", company.id),
                    ("id", "not in", self.ids),
                ],
                limit=1,
            )
            if earlier:
                raise UserError(
                    self.env._(
                        "This file was already uploaded as %(earlier)s; the same file is never "
                        "imported twice.",
                        earlier=earlier._uploaded_file_description(),
                    )
                )
        return {"file_hash": digest or False}

    def _uploaded_file_description(self):
        """What the earlier upload is, for the refusal message."""
        self.ensure_one()
        return self.display_name
