from fastapi import Request, Response

from sacco_core.mobile_auth import OTP_TTL

from ..schemas import (
    ChangePinIn,
    CodeSent,
    Done,
    ForgotPinIn,
    LoginIn,
    RefreshIn,
    RegisterIn,
    ResetPinIn,
    TokenPair,
    VerifyOtpIn,
)
from .common import MobileApi, SignedIn, client_ip, mobile_router, public_rate_limit

router = mobile_router(prefix="/auth", tags=["auth"])

CODE_SENT = CodeSent(
    message="If the details match a member, a code was sent by SMS.",
    expires_in=int(OTP_TTL.total_seconds()),
)


def _limit(request, api, phone):
    public_rate_limit(request, api)
    api._rate_limit([f"auth-phone:{phone}"], "auth_rate_per_minute")


@router.post("/register", status_code=202, response_model=CodeSent)
def register(body: RegisterIn, request: Request, api: MobileApi):
    """Step 1 of registration: member number or ID number and the phone registered at the
    SACCO; a code goes by SMS to that phone."""
    _limit(request, api, body.phone)
    api._request_registration(body.identifier, body.phone)
    return CODE_SENT


@router.post("/verify-otp", response_model=TokenPair)
def verify_otp(body: VerifyOtpIn, request: Request, api: MobileApi):
    """Step 2: the code, and the PIN to set (registration) or the member's PIN (a new
    device). The device is trusted from then on; the answer signs it in."""
    _limit(request, api, body.phone)
    tokens = api._verify_otp(
        body.phone,
        body.device_id,
        body.device_name,
        body.purpose,
        body.code,
        body.pin,
        client_ip(request),
    )
    _note_member(request, tokens)
    return tokens


@router.post("/login", response_model=TokenPair)
def login(body: LoginIn, request: Request, api: MobileApi):
    """Phone, PIN and device: a 15-minute access token and a single-use refresh token. A
    device never verified gets ``device_not_verified`` (403) and a code by SMS."""
    _limit(request, api, body.phone)
    tokens = api._login(body.phone, body.pin, body.device_id, body.device_name, client_ip(request))
    _note_member(request, tokens)
    return tokens


def _note_member(request, tokens):
    request.state.member_id = tokens.pop("_member_id", False)


@router.post("/refresh-token", response_model=TokenPair)
def refresh_token(body: RefreshIn, request: Request, api: MobileApi):
    """A new pair for a refresh token, which is spent; presenting a spent one again (or
    from another device) signs that session out everywhere."""
    public_rate_limit(request, api)
    tokens = api._refresh(body.refresh_token, body.device_id)
    _note_member(request, tokens)
    return tokens


@router.post("/logout", status_code=204, response_class=Response)
def logout(caller: SignedIn):
    """End this session: its refresh token and access tokens stop working."""
    caller.session._revoke("logout")
    return Response(status_code=204)


@router.post("/forgot-pin", status_code=202, response_model=CodeSent)
def forgot_pin(body: ForgotPinIn, request: Request, api: MobileApi):
    _limit(request, api, body.phone)
    api._forgot_pin(body.phone)
    return CODE_SENT


@router.post("/reset-pin", response_model=Done)
def reset_pin(body: ResetPinIn, request: Request, api: MobileApi):
    """The code from /auth/forgot-pin and a new PIN: unlocks the app, ends all sessions."""
    _limit(request, api, body.phone)
    api._reset_pin(body.phone, body.code, body.new_pin)
    return Done(message="Your PIN is changed; sign in with it.")


@router.post("/change-pin", response_model=Done)
def change_pin(body: ChangePinIn, caller: SignedIn):
    caller.api._change_pin(caller.member, body.current_pin, body.new_pin)
    return Done(message="Your PIN is changed.")
