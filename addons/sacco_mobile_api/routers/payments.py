from ..schemas import PaymentOut
from .common import RecordId, SignedIn, mobile_router

router = mobile_router(prefix="/payments", tags=["payments"])


@router.get("/{request_id}", response_model=PaymentOut)
def payment(request_id: RecordId, caller: SignedIn):
    """A deposit's or withdrawal's M-Pesa state: draft, submitted, pending, done, failed
    or unknown (being resolved with Safaricom)."""
    request = caller.api._own(
        caller.member, "sacco.mpesa.request", request_id, [("kind", "in", ("stk", "b2c"))]
    )
    return caller.api._payment_data(request)
