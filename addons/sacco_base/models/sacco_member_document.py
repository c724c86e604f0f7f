from odoo import api, fields, models
from odoo.exceptions import UserError


class SaccoMemberDocument(models.Model):
    _name = "sacco.member.document"
    _description = "Member KYC Document"
    _inherit = ["mail.thread"]
    _order = "member_id, document_type_id"
    _check_company_auto = True

    member_id = fields.Many2one("sacco.member", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True)
    document_type_id = fields.Many2one("sacco.document.type", required=True, ondelete="restrict")
    reference = fields.Char(help="The number printed on the document, where it has one.")
    file = fields.Binary(attachment=True)
    file_name = fields.Char()
    expiry_date = fields.Date()
    state = fields.Selection(
        [("pending", "Pending"), ("verified", "Verified"), ("rejected", "Rejected")],
        default="pending",
        required=True,
        tracking=True,
    )
    verified_by_id = fields.Many2one("res.users", readonly=True)
    verified_on = fields.Datetime(readonly=True)
    rejection_reason = fields.Char()

    @api.depends("document_type_id", "member_id")
    def _compute_display_name(self):
        for document in self:
            document.display_name = (
                f"{document.document_type_id.name or ''} - {document.member_id.name or ''}"
            )

    def write(self, vals):
        if "file" in vals and self.filtered(lambda doc: doc.state == "verified"):
            raise UserError(self.env._("A verified document cannot be replaced; reject it first."))
        return super().write(vals)

    def action_verify(self):
        if self.filtered(lambda doc: doc.state == "verified"):
            raise UserError(self.env._("This document is already verified."))
        if self.filtered(lambda doc: doc.document_type_id.has_expiry and not doc.expiry_date):
            raise UserError(self.env._("Enter the expiry date before verifying the document."))
        self.write(
            {
                "state": "verified",
                "verified_by_id": self.env.user.id,
                "verified_on": fields.Datetime.now(),
                "rejection_reason": False,
            }
        )

    def action_reject(self):
        self.write({"state": "rejected", "verified_by_id": False, "verified_on": False})
