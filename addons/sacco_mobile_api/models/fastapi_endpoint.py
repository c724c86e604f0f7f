from odoo import fields, models

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
