import json
import logging

from odoo import http
from odoo.http import request

from odoo.addons.sacco_base.controllers.callback_route import act_as_public_user, callback_route

from sacco_core.mpesa import (
    C2B_ACCEPT,
    C2B_REJECT_ACCOUNT,
    C2B_REJECT_AMOUNT,
    C2B_REJECT_SHORTCODE,
    CALLBACK_ACK,
    parse_c2b,
)

_logger = logging.getLogger(__name__)

RESULT_KINDS = {
    "stk": "stk",
    "c2b/confirmation": "c2b_confirmation",
    "b2c/result": "b2c_result",
    "b2c/timeout": "b2c_timeout",
    "status/result": "status_result",
    "status/timeout": "status_timeout",
    "reversal/result": "reversal_result",
    "reversal/timeout": "reversal_timeout",
    "balance/result": "balance_result",
    "balance/timeout": "balance_timeout",
}
HEADERS_KEPT = ("Content-Type", "User-Agent", "X-Forwarded-For", "X-Real-Ip")


class MpesaCallbacks(http.Controller):
    """Daraja's callbacks: authenticate by the secret token in the URL, store the raw body
    (committed with the request's transaction before the answer leaves), answer at once in
    Daraja's documented format; the processing runs in the background."""

    @callback_route([f"/sacco/mpesa/<string:token>/{path}" for path in RESULT_KINDS], ["POST"])
    def result(self, token, **_kwargs):
        config = self._config(token)
        if not config:
            raise request.not_found()
        path = request.httprequest.path.split(f"/{token}/", 1)[1]
        request.env["sacco.mpesa.callback"].sudo()._store(
            config,
            RESULT_KINDS[path],
            self._raw_body(),
            self._headers(),
            self._source_ip(),
            wake=True,
        )
        return request.make_json_response(CALLBACK_ACK)

    @callback_route("/sacco/mpesa/<string:token>/c2b/validation", ["POST"])
    def c2b_validation(self, token, **_kwargs):
        """Accept or reject a paybill payment before M-Pesa completes it (< 8 s, one
        indexed lookup); the decision is logged with the raw body."""
        config = self._config(token)
        if not config:
            raise request.not_found()
        raw = self._raw_body()
        answer, error = self._validate(config, raw)
        request.env["sacco.mpesa.callback"].sudo()._store(
            config,
            "c2b_validation",
            raw,
            self._headers(),
            self._source_ip(),
            state="failed" if error else "done",
            error=error,
        )
        return request.make_json_response(answer)

    def _validate(self, config, raw):
        try:
            payment = parse_c2b(json.loads(raw or ""))
        except ValueError as error:
            reject = C2B_REJECT_AMOUNT if "amount" in str(error).lower() else C2B_REJECT_ACCOUNT
            return reject, str(error)
        if payment.shortcode != config.shortcode:
            return C2B_REJECT_SHORTCODE, f"Unknown shortcode {payment.shortcode}."
        known = (
            request.env["sacco.mpesa.transaction"].sudo()._reference_known(config, payment.bill_ref)
        )
        if config.c2b_validation and not known:
            return C2B_REJECT_ACCOUNT, f"Unknown account number '{payment.bill_ref}'."
        return C2B_ACCEPT, None

    def _config(self, token):
        act_as_public_user()
        config = request.env["sacco.mpesa.config"].sudo()._for_token(token)
        source = self._source_ip()
        if not config:
            _logger.warning("M-Pesa callback with an unknown token from %s", source)
        elif not config._source_allowed(source):
            _logger.warning("M-Pesa callback from %s, outside the allow-list", source)
            return None
        return config

    @staticmethod
    def _raw_body():
        return request.httprequest.get_data(as_text=True)

    @staticmethod
    def _headers():
        return {key: request.httprequest.headers.get(key) for key in HEADERS_KEPT}

    @staticmethod
    def _source_ip():
        return request.httprequest.remote_addr
