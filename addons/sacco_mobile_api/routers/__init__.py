from sacco_core.mobile_auth import MobileApiError

from . import accounts, auth, loans, payments, profile
from .common import mobile_router

mobile_api_router = mobile_router()
for _module in (auth, accounts, loans, payments, profile):
    mobile_api_router.include_router(_module.router)


@mobile_api_router.api_route(
    "/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def not_found(path: str):
    """Anything else: the API's own 404 envelope."""
    raise MobileApiError("not_found")
