from odoo import http
from odoo.http import request

from sacco_core.africastalking import parse_delivery_report
from sacco_core.exceptions import SaccoRuleError


class SaccoSmsController(http.Controller):
    @http.route(
        "/sacco/sms/delivery/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def sms_delivery_report(self, token, **form):
        """Africa's Talking delivery report (form-encoded POST)."""
        company = request.env["res.company"].sudo()._sacco_company_for_sms_token(token)
        if not company:
            return request.make_response("Forbidden", status=403)
        try:
            report = parse_delivery_report(form)
        except SaccoRuleError as error:
            return request.make_response(str(error), status=400)
        request.env["sacco.sms.message"].sudo().with_company(company)._apply_delivery_report(report)
        return request.make_response("OK")
