"""The floor under any database route: Odoo opens the registry, matches the route,
authenticates and commits a transaction, then the route answers without a query."""

from odoo import http
from odoo.http import request


class BenchFloor(http.Controller):
    @http.route(
        "/sacco/bench/floor/public",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def floor_public(self, **_form):
        return request.make_response("CON ok", headers=[("Content-Type", "text/plain")])

    @http.route(
        "/sacco/bench/floor/none",
        type="http",
        auth="none",
        readonly=False,
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def floor_none(self, **_form):
        request.env.cr.execute("SELECT 1")
        return request.make_response("CON ok", headers=[("Content-Type", "text/plain")])
