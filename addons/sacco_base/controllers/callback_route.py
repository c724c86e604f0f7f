"""What the providers' callback routes (M-Pesa, USSD gateways) share."""

from odoo import http
from odoo.http import request

PUBLIC_USER = "base.public_user"


def callback_route(paths, methods):
    """A route a provider calls: authenticated by the secret token in its URL (no session,
    no CSRF token, no cookie saved), and writing (``auth="none"`` routes are read-only by
    default)."""
    return http.route(
        paths,
        type="http",
        auth="none",
        readonly=False,
        methods=methods,
        csrf=False,
        save_session=False,
    )


def act_as_public_user():
    """Run the request as the public user, as ``auth="public"`` would, minus its query
    proving that user exists (the XML id's id is cached)."""
    request.update_env(user=request.env["ir.model.data"]._xmlid_to_res_id(PUBLIC_USER))
