from fastapi import FastAPI
from starlette.routing import Mount, compile_path

from odoo import api, fields, models

from odoo.addons.fastapi.middleware import ASGIMiddleware

from ..any_path import ANY_PATH
from ..routers import mobile_api_router

API_DESCRIPTION = """
The SACCO members' app API.

* Sign in: `POST /auth/register` → SMS code → `POST /auth/verify-otp` (sets the PIN) →
  `POST /auth/login` (phone, PIN, device). Send `Authorization: Bearer <access_token>`;
  access tokens live at most 15 minutes, refresh tokens are single use (`/auth/refresh-token`).
* Money requests (deposit, withdraw, transfer, repay, apply, top-up) need an
  `Idempotency-Key` header: a retry with the same key and body gets the first answer
  and moves nothing again.
* Every refusal is `{"error": {"code": "...", "message": "..."}}` with its HTTP status;
  429 answers carry `Retry-After`.
"""


class AnyPathMount(Mount):
    """Starlette's Mount, matching the paths below it across newlines too."""

    def __init__(self, path, app):
        super().__init__(path, app=app)
        self.path_regex, self.path_format, self.param_convertors = compile_path(
            f"{self.path}/{{path:{ANY_PATH}}}"
        )


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    app = fields.Selection(
        selection_add=[("mobile", "SACCO Members' App")],
        ondelete={"mobile": "cascade"},
    )

    def _get_fastapi_routers(self):
        if self.app == "mobile":
            return [mobile_api_router]
        return super()._get_fastapi_routers()

    def _get_routing_info(self):
        routing = super()._get_routing_info()
        if self.app == "mobile":
            routing["routes"] = [
                route.replace("<path:", f"<{ANY_PATH}:") for route in routing["routes"]
            ]
        return routing

    @api.model
    def get_app(self, path):
        """fastapi's own, but mounting the members' API at a path that spans newlines."""
        record = self._get_endpoint(path)
        if not record or record.app != "mobile":
            return super().get_app(path)
        app = FastAPI()
        app.router.routes.append(AnyPathMount(record.root_path, app=record._get_app()))
        self._clear_fastapi_exception_handlers(app)
        return ASGIMiddleware(app)

    def _prepare_fastapi_app_params(self):
        params = super()._prepare_fastapi_app_params()
        if self.app == "mobile":
            params.update(
                version="1.0.0",
                description=self.description or API_DESCRIPTION,
                openapi_tags=[
                    {"name": "auth", "description": "Registration, sign-in, tokens, PIN."},
                    {"name": "accounts", "description": "Balances, statements, M-Pesa, transfers."},
                    {"name": "loans", "description": "Loans, products, eligibility, applications."},
                    {"name": "guarantees", "description": "Requests to guarantee other members."},
                    {
                        "name": "payments",
                        "description": "M-Pesa state of deposits and withdrawals.",
                    },
                    {"name": "profile", "description": "Contact details, next of kin, KYC."},
                    {"name": "notifications", "description": "Every SMS and app event."},
                ],
            )
        return params
