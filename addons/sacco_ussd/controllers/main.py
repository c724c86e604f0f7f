import logging

from odoo import http
from odoo.http import request

from sacco_core.ussd import final_reply
from sacco_core.ussd_requests import (
    MalformedUssdRequest,
    parse_at_request,
    parse_gateway_request,
)

_logger = logging.getLogger(__name__)
PUBLIC_USER = "base.public_user"


class UssdGateway(http.Controller):
    """The gateways' callbacks: find the channel by the token in the URL, parse the
    gateway's format, let the session model answer; always a ``CON``/``END`` text."""

    @http.route(
        "/sacco/ussd/<string:token>/at",
        type="http",
        auth="none",
        readonly=False,  # auth="none" routes are read-only by default
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def africastalking(self, token, **_form):
        channel = self._channel(token, "africastalking")
        return self._answer(channel, lambda: parse_at_request(request.httprequest.form))

    @http.route(
        "/sacco/ussd/<string:token>/gateway",
        type="http",
        auth="none",
        readonly=False,
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def aggregator(self, token, **_query):
        channel = self._channel(token, "aggregator")
        shared = bool(channel.extension)
        return self._answer(
            channel, lambda: parse_gateway_request(request.httprequest.args, shared_code=shared)
        )

    @staticmethod
    def _channel(token, gateway):
        # As auth="public" would, minus its query proving the public user exists.
        request.update_env(user=request.env["ir.model.data"]._xmlid_to_res_id(PUBLIC_USER))
        channel = request.env["sacco.ussd.channel"].sudo()._for_token(token, gateway)
        if not channel:
            raise request.not_found()
        return channel

    def _answer(self, channel, parse):
        language, name = channel.default_language, channel.name
        try:
            ussd_request = parse()
            if channel.extension and ussd_request.extension != channel.extension:
                raise MalformedUssdRequest("Unknown extension.")
            reply = request.env["sacco.ussd.session"].sudo()._serve(channel, ussd_request)
        except MalformedUssdRequest as error:
            request.env.cr.rollback()
            _logger.info("USSD request refused on %s: %s", name, error)
            reply = final_reply("failed", language)
        except Exception:
            # Whatever broke, the handset gets a proper END and nothing half-written stays
            # (the request's transaction holds nothing else: a rollback, not a savepoint).
            request.env.cr.rollback()
            _logger.exception("USSD request failed on %s", name)
            reply = final_reply("failed", language)
        return request.make_response(reply, headers=[("Content-Type", "text/plain; charset=utf-8")])
