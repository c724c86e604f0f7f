import logging

from odoo import http
from odoo.http import request

from odoo.addons.sacco_base.controllers.callback_route import act_as_public_user, callback_route

from sacco_core.ussd import final_reply
from sacco_core.ussd_requests import (
    MalformedUssdRequest,
    parse_at_request,
    parse_gateway_request,
)

_logger = logging.getLogger(__name__)


class UssdGateway(http.Controller):
    """The gateways' callbacks: find the channel by the token in the URL, parse the
    gateway's format, let the session model answer; always a ``CON``/``END`` text."""

    @callback_route("/sacco/ussd/<string:token>/at", ["POST"])
    def africastalking(self, token, **_form):
        channel = self._channel(token, "africastalking")
        return self._answer(channel, lambda: parse_at_request(request.httprequest.form))

    @callback_route("/sacco/ussd/<string:token>/gateway", ["GET"])
    def aggregator(self, token, **_query):
        channel = self._channel(token, "aggregator")
        shared = bool(channel.extension)
        return self._answer(
            channel, lambda: parse_gateway_request(request.httprequest.args, shared_code=shared)
        )

    @staticmethod
    def _channel(token, gateway):
        act_as_public_user()
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
