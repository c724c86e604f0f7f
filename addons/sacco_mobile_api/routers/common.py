"""What every route of the members' API shares: the Odoo environment, the signed-in
member, rate limits, idempotency keys, and one error envelope for every refusal."""

import logging
import time
from dataclasses import dataclass
from typing import Annotated, Any

import psycopg2
from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from odoo.api import Environment
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from odoo.addons.fastapi.context import odoo_env_ctx
from odoo.addons.fastapi.dependencies import odoo_env

from sacco_core.mobile_auth import MobileApiError

from ..durable import collecting
from ..schemas import ErrorBody

_logger = logging.getLogger(__name__)

ERROR_RESPONSES = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "Malformed request, missing or invalid Idempotency-Key, wrong or expired code"),
        (401, "Not signed in, token expired or revoked, wrong PIN"),
        (403, "App locked or device not verified"),
        (404, "Not found, or not the signed-in member's"),
        (409, "A request with this Idempotency-Key is still being processed"),
        (413, "The file is too large"),
        (415, "The file type is not accepted"),
        (422, "Invalid fields, or an Idempotency-Key reused with another request"),
        (429, "Too many requests (see Retry-After)"),
    )
}


HTTP_ERRORS = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}


def _as_api_error(exc):
    """The API's refusal for an exception raised while serving a request."""
    if isinstance(exc, MobileApiError):
        return exc
    if isinstance(exc, RequestValidationError):
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return MobileApiError("invalid_request", "The body is not valid JSON.")
        return MobileApiError("validation_error", _validation_message(errors))
    if isinstance(exc, MissingError | AccessError):
        return MobileApiError("not_found")
    if isinstance(exc, UserError):
        return MobileApiError("validation_error", str(exc))
    if isinstance(exc, StarletteHTTPException):  # the body could not be parsed, mostly
        return MobileApiError(HTTP_ERRORS.get(exc.status_code, "invalid_request"))
    if isinstance(exc, psycopg2.DataError):
        return MobileApiError("validation_error", "A value is out of range.")
    if isinstance(exc, UnicodeDecodeError):
        return MobileApiError("invalid_request", "The body is not valid UTF-8.")
    _logger.error("Mobile API request failed", exc_info=exc)
    return MobileApiError("internal_error")


def _validation_message(errors):
    parts = []
    for error in errors[:5]:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "Some fields are not valid."


def _refuse(request, exc, durable_writes):
    """Roll the request back whole, keep its durable writes, answer the envelope."""
    error = _as_api_error(exc)
    env = odoo_env_ctx.get()
    env.cr.rollback()
    for write in durable_writes:
        write()
    request.state.error_code = error.code
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def _flush():
    """Write what the request left pending now, as the operations ran (superuser), so a
    failure is still this request's to refuse."""
    odoo_env_ctx.get()(su=True).flush_all()


def _storable(text):
    """A request's text as a column holds it: PostgreSQL refuses NUL characters."""
    return text.replace("\x00", "\\x00")[:255]


def _audit(request, operation, status_code, started):
    env = odoo_env_ctx.get()
    env["sacco.mobile.audit"].sudo().create(
        {
            "member_id": getattr(request.state, "member_id", False),
            "device_id": getattr(request.state, "device_id", False),
            "operation": operation,
            "path": _storable(request.url.path),
            "status_code": status_code,
            "error_code": getattr(request.state, "error_code", False),
            "ip": client_ip(request),
            "user_agent": _storable(request.headers.get("user-agent") or ""),
            "duration_ms": int((time.monotonic() - started) * 1000),
        }
    )


class MobileRoute(APIRoute):
    """A route whose refusals are the API's JSON envelope, rolled back whole but for
    their durable writes, and whose every call lands in the audit trail."""

    def get_route_handler(self):
        handler = super().get_route_handler()
        operation = f"{'/'.join(sorted(self.methods))} {self.path}"

        async def route_handler(request):
            started = time.monotonic()
            with collecting() as durable_writes:
                try:
                    response = await handler(request)
                    await run_in_threadpool(_flush)
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                    raise  # Odoo retries the whole request
                except Exception as exc:  # noqa: BLE001 -- every refusal is an envelope
                    response = await run_in_threadpool(_refuse, request, exc, durable_writes)
            if self.include_in_schema:
                await run_in_threadpool(_audit, request, operation, response.status_code, started)
            return response

        return route_handler


def mobile_router(**kwargs):
    return APIRouter(route_class=MobileRoute, responses=ERROR_RESPONSES, **kwargs)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def mobile_api(env: Annotated[Environment, Depends(odoo_env)]):
    """The operations model, as superuser: every operation filters on the member."""
    return env["sacco.mobile.api"].sudo()


MobileApi = Annotated[Any, Depends(mobile_api)]


@dataclass
class Caller:
    member: Any
    device: Any
    session: Any
    api: Any


bearer = HTTPBearer(auto_error=False, description="The access token from /auth/login.")


def caller(
    request: Request,
    api: MobileApi,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The signed-in member (valid token of a live session), rate-limited per member,
    device and IP address."""
    member, device, session = api._authenticate(credentials.credentials if credentials else None)
    request.state.member_id, request.state.device_id = member.id, device.id
    api = api.with_company(member.company_id)
    api._rate_limit([f"member:{member.id}", f"device:{device.id}", f"ip:{client_ip(request)}"])
    return Caller(member, device, session, api)


def public_rate_limit(request: Request, api: MobileApi):
    """Sign-in and code requests: a stricter limit per IP address."""
    api._rate_limit([f"auth-ip:{client_ip(request)}"], "auth_rate_per_minute")


SignedIn = Annotated[Caller, Depends(caller)]
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Required on money requests: a new UUID per operation, the same on a retry.",
        examples=["0b9c7d0e-6a4f-4a55-9c0d-3f1c5b2a7e11"],
    ),
]


def idempotent(caller: Caller, key, request: Request, body, run):
    """Answer a money request through its Idempotency-Key (see ``_idempotent``); the
    PIN is no part of the stored fingerprint."""
    fingerprint_body = body.model_dump(mode="json", exclude={"pin"}) if body else None
    status, payload, replayed = caller.api._idempotent(
        caller.member, key, request.method, request.url.path, fingerprint_body, run
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(payload, status_code=status, headers=headers)
