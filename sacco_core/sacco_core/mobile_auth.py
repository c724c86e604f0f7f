"""Security rules of the members' channels (mobile API and USSD), as pure functions.

PIN policy, one-time codes, refresh-token rotation with reuse detection, access-token
claims (JWT, HS256 pinned), idempotency keys for money requests, rate limits and the JSON
error envelope. Times are timezone-aware ``datetime`` values passed in by the caller
(``now``), so every rule is tested at its edges; nothing here reads a clock or a database.
"""

import hashlib
import hmac
import json
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

import jwt

from sacco_core.exceptions import SaccoRuleError

# PIN -----------------------------------------------------------------------------------

PIN_MIN_LENGTH, PIN_MAX_LENGTH = 4, 6
MAX_PIN_ATTEMPTS = 3
_DIGITS = re.compile(r"[0-9]+")


class InvalidPin(SaccoRuleError):
    """A new PIN breaks the PIN policy."""


def pin_problem(
    pin: str,
    min_length: int = PIN_MIN_LENGTH,
    max_length: int = PIN_MAX_LENGTH,
    birth_year: int | None = None,
) -> str | None:
    """What is wrong with ``pin`` as a new PIN: "format" (not ``min_length`` to
    ``max_length`` digits), "trivial" (one digit repeated, a run up or down such as 1234
    or 9876, or a repeated pair such as 1212), "birth_year" (contains the member's birth
    year) or None when it is acceptable."""
    if not isinstance(pin, str) or not _DIGITS.fullmatch(pin):
        return "format"
    if not min_length <= len(pin) <= max_length:
        return "format"
    if _is_trivial(pin):
        return "trivial"
    if birth_year is not None and str(birth_year) in pin:
        return "birth_year"
    return None


_PIN_MESSAGES = {
    "format": "The PIN must be {low} to {high} digits.",
    "trivial": "The PIN is too easy to guess; avoid repeated digits and runs like 1234.",
    "birth_year": "The PIN must not contain your year of birth.",
}


def check_pin(
    pin: str,
    min_length: int = PIN_MIN_LENGTH,
    max_length: int = PIN_MAX_LENGTH,
    birth_year: int | None = None,
) -> str:
    """``pin`` unchanged if ``pin_problem`` finds nothing, else ``InvalidPin``."""
    problem = pin_problem(pin, min_length, max_length, birth_year)
    if problem:
        raise InvalidPin(_PIN_MESSAGES[problem].format(low=min_length, high=max_length))
    return pin


PIN_OK = "ok"
PIN_WRONG = "wrong_pin"
PIN_LOCKED = "locked"


@dataclass(frozen=True)
class PinCheck:
    """The outcome of a PIN attempt: ``failures`` is the new count of consecutive wrong
    PINs to store, ``lock_now`` says this attempt locks the member (send the SMS alert)."""

    outcome: str
    failures: int
    attempts_left: int
    lock_now: bool = False


def pin_attempt(
    matches: bool, failures: int, locked: bool, allowed: int = MAX_PIN_ATTEMPTS
) -> PinCheck:
    """Apply the lockout rule to one PIN attempt: a locked member stays locked whatever
    the PIN; a good PIN clears the failures; the ``allowed``-th wrong PIN in a row locks."""
    if locked:
        return PinCheck(PIN_LOCKED, failures, 0)
    if matches:
        return PinCheck(PIN_OK, 0, allowed)
    left = max(allowed - failures - 1, 0)
    return PinCheck(PIN_WRONG if left else PIN_LOCKED, failures + 1, left, lock_now=not left)


def sign_in_error(check: PinCheck, device_trusted: bool) -> str | None:
    """The error code of an app sign-in (None: sign in). The PIN is judged first, so a new
    device is only offered an SMS code once the PIN is right."""
    if check.outcome == PIN_LOCKED:
        return "account_locked"
    if check.outcome == PIN_WRONG:
        return "invalid_credentials"
    return None if device_trusted else "device_not_verified"


def _is_trivial(pin: str) -> bool:
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    repeated_pair = len(pin) % 2 == 0 and pin == pin[:2] * (len(pin) // 2)
    return steps in ({0}, {1}, {-1}) or repeated_pair


# One-time codes --------------------------------------------------------------------------

OTP_LENGTH = 6
OTP_TTL = timedelta(minutes=5)
OTP_MAX_ATTEMPTS = 3
OTP_SENDS_PER_HOUR = 3

OTP_OK = "ok"
OTP_WRONG = "wrong"
OTP_EXPIRED = "expired"
OTP_USED = "used"
OTP_TOO_MANY_ATTEMPTS = "too_many_attempts"


def generate_otp(length: int = OTP_LENGTH) -> str:
    """A random code of ``length`` digits from the OS's secure generator."""
    return f"{secrets.randbelow(10**length):0{length}d}"


def otp_digest(code: str, key: bytes) -> str:
    """The keyed hash of a code to store in its place (HMAC-SHA256, hex)."""
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class OtpRecord:
    """An issued code: its digest, when it was issued, wrong tries so far, and when it was
    used (None: not yet)."""

    digest: str
    issued_at: datetime
    attempts: int = 0
    used_at: datetime | None = None


def verify_otp(
    record: OtpRecord,
    code: str,
    key: bytes,
    now: datetime,
    ttl: timedelta = OTP_TTL,
    max_attempts: int = OTP_MAX_ATTEMPTS,
) -> tuple[str, OtpRecord]:
    """The outcome of checking ``code`` against ``record`` at ``now`` and the record to
    store. A code is good until ``issued_at + ttl`` (excluded), once, within
    ``max_attempts`` tries; a wrong try counts, a good one marks the code used."""
    if record.used_at is not None:
        return OTP_USED, record
    if now >= record.issued_at + ttl:
        return OTP_EXPIRED, record
    if record.attempts >= max_attempts:
        return OTP_TOO_MANY_ATTEMPTS, record
    if not hmac.compare_digest(record.digest, otp_digest(code, key)):
        tried = replace(record, attempts=record.attempts + 1)
        return (OTP_TOO_MANY_ATTEMPTS if tried.attempts >= max_attempts else OTP_WRONG), tried
    return OTP_OK, replace(record, used_at=now)


def otp_send_allowed(
    sent_at: Sequence[datetime], now: datetime, per_hour: int = OTP_SENDS_PER_HOUR
) -> tuple[bool, int]:
    """Whether another code may be sent to a phone that was sent codes at ``sent_at``, and
    if not, the seconds to wait."""
    return sliding_window(sent_at, now, per_hour, timedelta(hours=1))


# Refresh tokens --------------------------------------------------------------------------

REFRESH_TTL = timedelta(days=30)

ROTATE = "rotate"
UNKNOWN = "unknown"
EXPIRED = "expired"
REVOKED = "revoked"
REUSED = "reused"
WRONG_DEVICE = "wrong_device"


def new_refresh_token() -> str:
    """An opaque refresh token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """How a refresh token is stored and looked up: its SHA-256 (hex). The token is random
    and long, so a plain hash suffices (unlike a PIN)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class RefreshRecord:
    """A stored refresh token. Tokens rotated from one login share a ``family``; a
    ``spent_at`` token was exchanged already; ``revoked`` covers the whole family."""

    digest: str
    family: str
    device_id: str
    issued_at: datetime
    expires_at: datetime
    spent_at: datetime | None = None
    revoked: bool = False


def issue_refresh(
    device_id: str, now: datetime, family: str | None = None, ttl: timedelta = REFRESH_TTL
) -> tuple[str, RefreshRecord]:
    """A new token and its record, in ``family`` (a new family for a fresh login)."""
    token = new_refresh_token()
    record = RefreshRecord(
        digest=token_digest(token),
        family=family or secrets.token_hex(16),
        device_id=device_id,
        issued_at=now,
        expires_at=now + ttl,
    )
    return token, record


@dataclass(frozen=True)
class Rotation:
    """The outcome of presenting a refresh token. On ROTATE: ``spent`` is the old record
    to store, ``token``/``record`` the new pair. ``revoke_family``: revoke every token of
    ``family`` (a spent token came back, or from another device)."""

    outcome: str
    family: str | None = None
    revoke_family: bool = False
    spent: RefreshRecord | None = None
    token: str | None = None
    record: RefreshRecord | None = None


def rotate_refresh(
    record: RefreshRecord | None, device_id: str, now: datetime, ttl: timedelta = REFRESH_TTL
) -> Rotation:
    """Exchange a presented refresh token (``record`` found by its digest, None if not
    found) for a new one of the same family, expiring ``ttl`` after the exchange. Each
    token is single use and bound to its device: a spent token presented again, or one
    presented from another device, revokes the family (it may have been stolen)."""
    if record is None:
        return Rotation(UNKNOWN)
    if record.revoked:
        return Rotation(REVOKED, record.family)
    if record.spent_at is not None:
        return Rotation(REUSED, record.family, revoke_family=True)
    if not hmac.compare_digest(record.device_id, device_id):
        return Rotation(WRONG_DEVICE, record.family, revoke_family=True)
    if now >= record.expires_at:
        return Rotation(EXPIRED, record.family)
    token, new = issue_refresh(device_id, now, record.family, ttl)
    return Rotation(
        ROTATE, record.family, spent=replace(record, spent_at=now), token=token, record=new
    )


# Access tokens ---------------------------------------------------------------------------

ACCESS_ALGORITHM = "HS256"
ACCESS_TTL_MAX = timedelta(minutes=15)
DEFAULT_LEEWAY = timedelta(seconds=30)
MIN_KEY_BYTES = 32
_REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "exp", "jti")


class MobileApiError(SaccoRuleError):
    """A request the API refuses; ``code`` is a key of ``ERRORS``; ``retry_after`` the
    seconds to wait (``Retry-After``) when the refusal is a rate limit."""

    def __init__(self, code: str, message: str | None = None, retry_after: int | None = None):
        super().__init__(message or ERRORS[code][1])
        self.code = code
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        return error_status(self.code)

    def body(self) -> dict:
        return error_body(self.code, str(self))


class InvalidAccessToken(MobileApiError):
    """An access token is refused; ``code`` is "token_expired" or "invalid_token"."""


def access_claims(
    subject: str,
    device_id: str,
    now: datetime,
    issuer: str,
    audience: str,
    ttl: timedelta = ACCESS_TTL_MAX,
) -> dict:
    """The claims of an access token for member ``subject`` on ``device_id``."""
    if not timedelta(0) < ttl <= ACCESS_TTL_MAX:
        raise SaccoRuleError("An access token must live more than 0 and at most 15 minutes.")
    issued = int(now.timestamp())
    return {
        "iss": issuer,
        "aud": audience,
        "sub": str(subject),
        "did": device_id,
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(ttl.total_seconds()),
        "jti": secrets.token_hex(16),
    }


def encode_access_token(claims: Mapping, key: bytes) -> str:
    """``claims`` signed with HS256."""
    _check_key(key)
    return jwt.encode(dict(claims), key, algorithm=ACCESS_ALGORITHM)


def decode_access_token(
    token: str,
    key: bytes,
    issuer: str,
    audience: str,
    now: datetime,
    leeway: timedelta = DEFAULT_LEEWAY,
) -> dict:
    """The claims of a valid token, else ``InvalidAccessToken``. The header must say HS256
    (``none`` and every other algorithm are refused), the signature, ``iss`` and ``aud``
    must match, all of ``iss aud sub iat exp jti`` be present, the token must not live
    longer than 15 minutes, and ``now`` must lie within [``nbf``/``iat``, ``exp``) give or
    take ``leeway``."""
    _check_key(key)
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ACCESS_ALGORITHM:
            raise InvalidAccessToken("invalid_token", "The token's algorithm is not accepted.")
        claims = jwt.decode(
            token,
            key,
            algorithms=[ACCESS_ALGORITHM],
            issuer=issuer,
            audience=audience,
            options={
                "require": list(_REQUIRED_CLAIMS),
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError as error:
        raise InvalidAccessToken("invalid_token", f"The token is not valid: {error}.") from None
    _check_times(claims, now, leeway)
    return claims


def _check_times(claims: Mapping, now: datetime, leeway: timedelta) -> None:
    try:
        issued, expires = int(claims["iat"]), int(claims["exp"])
        not_before = int(claims.get("nbf", issued))
    except (TypeError, ValueError):
        raise InvalidAccessToken("invalid_token", "The token's times are not numbers.") from None
    if expires - issued > ACCESS_TTL_MAX.total_seconds():
        raise InvalidAccessToken("invalid_token", "The token lives longer than 15 minutes.")
    moment, slack = now.timestamp(), leeway.total_seconds()
    if moment < max(issued, not_before) - slack:
        raise InvalidAccessToken("invalid_token", "The token is not valid yet.")
    if moment >= expires + slack:
        raise InvalidAccessToken("token_expired", "The token has expired.")


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise SaccoRuleError(f"The signing key must be at least {MIN_KEY_BYTES} bytes.")


# Idempotency keys ------------------------------------------------------------------------

IDEMPOTENCY_TTL = timedelta(hours=24)
_KEY = re.compile(r"[\x21-\x7e]{1,255}")

PROCESS = "process"
REPLAY = "replay"
KEY_MISSING = "idempotency_key_missing"
KEY_INVALID = "idempotency_key_invalid"
KEY_REUSED = "idempotency_key_reused"
IN_PROGRESS = "idempotency_in_progress"


def request_fingerprint(method: str, path: str, body: object) -> str:
    """SHA-256 (hex) of the canonical JSON of method, path and body: keys sorted, no
    spaces, UTF-8, ``Decimal`` written as its string; equal requests give equal prints
    whatever their key order or spacing."""
    canonical = json.dumps(
        {"method": method.upper(), "path": path, "body": body},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_json_default,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be part of a request fingerprint.")


@dataclass(frozen=True)
class IdempotencyRecord:
    """A money request seen under a key: its fingerprint, when it arrived, and its stored
    response once done (``done`` False: still being processed)."""

    fingerprint: str
    created_at: datetime
    done: bool = False
    status: int | None = None
    body: object = None


def idempotency_decision(
    key: str | None,
    fingerprint: str,
    record: IdempotencyRecord | None,
    now: datetime,
    ttl: timedelta = IDEMPOTENCY_TTL,
) -> str:
    """What to do with a money request: PROCESS it (new key, or the key's record expired),
    REPLAY the stored response (same key, same request, done), or refuse it: KEY_MISSING /
    KEY_INVALID (400), KEY_REUSED for a different request (422), IN_PROGRESS (409)."""
    if not key:
        return KEY_MISSING
    if not _KEY.fullmatch(key):
        return KEY_INVALID
    if record is None or now >= record.created_at + ttl:
        return PROCESS
    if not hmac.compare_digest(record.fingerprint, fingerprint):
        return KEY_REUSED
    return REPLAY if record.done else IN_PROGRESS


# Rate limits -----------------------------------------------------------------------------


def sliding_window(
    hits: Sequence[datetime], now: datetime, limit: int, window: timedelta
) -> tuple[bool, int]:
    """Whether one more request fits ``limit`` requests per ``window`` given the earlier
    accepted ``hits``, and if not the whole seconds until it does (``Retry-After``). A hit
    counts while ``now - hit < window``."""
    recent = sorted(hit for hit in hits if timedelta(0) <= now - hit < window)
    if len(recent) < limit:
        return True, 0
    frees_at = recent[len(recent) - limit] + window
    return False, max(math.ceil((frees_at - now).total_seconds()), 1)


@dataclass(frozen=True)
class Bucket:
    """A token bucket: ``tokens`` left at ``updated_at``."""

    tokens: float
    updated_at: datetime


def take_token(
    bucket: Bucket | None, now: datetime, capacity: int, per_second: float, cost: float = 1
) -> tuple[bool, int, Bucket]:
    """Spend ``cost`` tokens from a bucket of ``capacity`` refilled at ``per_second``:
    (allowed, seconds to wait when refused, the bucket to store). A new bucket is full."""
    if capacity <= 0 or per_second <= 0 or cost > capacity:
        raise SaccoRuleError("A rate limit needs a positive capacity and rate, cost <= capacity.")
    if bucket is None:
        tokens = float(capacity)
    else:
        elapsed = max((now - bucket.updated_at).total_seconds(), 0.0)
        tokens = min(float(capacity), bucket.tokens + elapsed * per_second)
    if tokens >= cost:
        return True, 0, Bucket(tokens - cost, now)
    wait = math.ceil((cost - tokens) / per_second)
    return False, max(wait, 1), Bucket(tokens, now)


# Errors ----------------------------------------------------------------------------------

# code -> (HTTP status, default message)
ERRORS: dict[str, tuple[int, str]] = {
    "invalid_request": (400, "The request is malformed."),
    KEY_MISSING: (400, "This request needs an Idempotency-Key header."),
    KEY_INVALID: (400, "The Idempotency-Key must be 1 to 255 visible ASCII characters."),
    "otp_invalid": (400, "The code is wrong."),
    "otp_expired": (400, "The code has expired or was used; request a new one."),
    "invalid_credentials": (401, "The phone number or PIN is wrong."),
    "invalid_token": (401, "The token is not valid."),
    "token_expired": (401, "The token has expired."),
    "token_reused": (401, "This refresh token was used already; sign in again."),
    "wrong_pin": (401, "The PIN is wrong."),
    "account_locked": (403, "App access is locked after too many wrong PINs; reset your PIN."),
    "device_not_verified": (403, "This device must be verified with a code sent by SMS."),
    "forbidden": (403, "You may not do this."),
    "not_found": (404, "Not found."),
    "method_not_allowed": (405, "This method is not allowed here."),
    IN_PROGRESS: (409, "A request with this Idempotency-Key is still being processed."),
    "conflict": (409, "The request conflicts with the current state."),
    "payload_too_large": (413, "The request body is too large."),
    "unsupported_media_type": (415, "This content type is not accepted."),
    KEY_REUSED: (422, "This Idempotency-Key was used with a different request."),
    "validation_error": (422, "Some fields are not valid."),
    "pin_weak": (422, "The PIN is too easy to guess."),
    "insufficient_funds": (422, "The available balance is not enough."),
    "limit_exceeded": (422, "The amount is above your limit."),
    "rate_limited": (429, "Too many requests; try again later."),
    "internal_error": (500, "Something went wrong on our side."),
    "service_unavailable": (503, "The service is unavailable; try again later."),
}


def error_body(code: str, message: str | None = None) -> dict:
    """The JSON error envelope ``{"error": {"code", "message"}}`` of a listed code."""
    if code not in ERRORS:
        raise KeyError(f"Unknown API error code '{code}'.")
    return {"error": {"code": code, "message": message or ERRORS[code][1]}}


def error_status(code: str) -> int:
    """The HTTP status of a listed error code."""
    return ERRORS[code][0]
