from fastapi import Request
from starlette.routing import Match

from sacco_core.mobile_auth import MobileApiError

from ..any_path import ANY_PATH
from . import accounts, auth, loans, payments, profile
from .common import mobile_router

mobile_api_router = mobile_router()
for _module in (auth, accounts, loans, payments, profile):
    mobile_api_router.include_router(_module.router)


@mobile_api_router.api_route(
    f"/{{path:{ANY_PATH}}}",
    methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def not_found(path: str, request: Request):
    """Anything else: the API's own envelope, 405 for a known path with another method."""
    known = (route.matches(request.scope)[0] for route in mobile_api_router.routes)
    if Match.PARTIAL in known:
        raise MobileApiError("method_not_allowed")
    raise MobileApiError("not_found")
