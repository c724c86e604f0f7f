import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core import mobile_auth as auth
from sacco_core.exceptions import SaccoRuleError
from sacco_core.mobile_auth import (
    Bucket,
    IdempotencyRecord,
    InvalidAccessToken,
    InvalidPin,
    OtpRecord,
    access_claims,
    check_pin,
    decode_access_token,
    encode_access_token,
    error_body,
    error_status,
    generate_otp,
    idempotency_decision,
    issue_refresh,
    otp_digest,
    otp_send_allowed,
    pin_attempt,
    pin_problem,
    request_fingerprint,
    rotate_refresh,
    sign_in_error,
    sliding_window,
    take_token,
    token_digest,
    verify_otp,
)

NOW = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
KEY = b"k" * 64
OTP_KEY = b"otp-key"
ISS, AUD = "https://sacco.example", "sacco-mobile"


# PIN ---------------------------------------------------------------------------------


@pytest.mark.parametrize("pin", ["4826", "48261", "482619", "0417", "9040"])
def test_acceptable_pins(pin):
    assert pin_problem(pin) is None
    assert check_pin(pin) == pin


@pytest.mark.parametrize(
    ("pin", "problem"),
    [
        ("482", "format"),
        ("4826193", "format"),
        ("48a6", "format"),
        ("", "format"),
        (" 4826", "format"),
        ("４８２６", "format"),  # full-width digits
        ("0000", "trivial"),
        ("111111", "trivial"),
        ("1234", "trivial"),
        ("0123", "trivial"),
        ("456789", "trivial"),
        ("9876", "trivial"),
        ("3210", "trivial"),
        ("1212", "trivial"),
        ("252525", "trivial"),
        ("1990", "birth_year"),
        ("419905", "birth_year"),
    ],
)
def test_pin_policy_refusals(pin, problem):
    assert pin_problem(pin, birth_year=1990) == problem
    with pytest.raises(InvalidPin):
        check_pin(pin, birth_year=1990)


def test_pin_lengths_are_configurable_and_the_message_says_them():
    assert pin_problem("48261", 4, 4) == "format"
    with pytest.raises(InvalidPin, match="4 to 4 digits"):
        check_pin("48261", 4, 4)
    assert pin_problem(4826) == "format"


def test_three_wrong_pins_in_a_row_lock():
    first = pin_attempt(False, 0, locked=False)
    assert first == auth.PinCheck(auth.PIN_WRONG, 1, 2)
    second = pin_attempt(False, first.failures, locked=False)
    assert second == auth.PinCheck(auth.PIN_WRONG, 2, 1)
    third = pin_attempt(False, second.failures, locked=False)
    assert third == auth.PinCheck(auth.PIN_LOCKED, 3, 0, lock_now=True)


def test_a_good_pin_clears_failures_but_not_a_lock():
    assert pin_attempt(True, 2, locked=False) == auth.PinCheck(auth.PIN_OK, 0, 3)
    assert pin_attempt(True, 3, locked=True) == auth.PinCheck(auth.PIN_LOCKED, 3, 0)
    assert pin_attempt(False, 3, locked=True).lock_now is False
    assert pin_attempt(False, 0, locked=False, allowed=1).lock_now


def test_sign_in_error():
    ok, wrong = pin_attempt(True, 0, False), pin_attempt(False, 0, False)
    assert sign_in_error(ok, device_trusted=True) is None
    assert sign_in_error(ok, device_trusted=False) == "device_not_verified"
    assert sign_in_error(wrong, device_trusted=False) == "invalid_credentials"
    assert sign_in_error(pin_attempt(True, 3, True), True) == "account_locked"
    for code in ("device_not_verified", "invalid_credentials", "account_locked"):
        assert code in auth.ERRORS


# OTP ---------------------------------------------------------------------------------


def test_generated_codes_are_six_digits_and_vary():
    codes = {generate_otp() for _ in range(200)}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 190
    assert len(generate_otp(8)) == 8


def record(code="123456", **changes):
    values = {"digest": otp_digest(code, OTP_KEY), "issued_at": NOW, **changes}
    return OtpRecord(**values)


def test_a_good_code_within_five_minutes_is_accepted_once():
    outcome, used = verify_otp(record(), "123456", OTP_KEY, NOW + timedelta(seconds=299))
    assert outcome == auth.OTP_OK and used.used_at == NOW + timedelta(seconds=299)
    assert verify_otp(used, "123456", OTP_KEY, NOW + timedelta(seconds=10))[0] == auth.OTP_USED


def test_a_code_expires_at_exactly_five_minutes():
    assert verify_otp(record(), "123456", OTP_KEY, NOW + timedelta(minutes=5))[0] == "expired"
    late = NOW + timedelta(minutes=5, microseconds=-1)
    assert verify_otp(record(), "123456", OTP_KEY, late)[0] == auth.OTP_OK


def test_wrong_codes_count_and_the_third_locks_the_code():
    outcome, tried = verify_otp(record(), "000000", OTP_KEY, NOW)
    assert outcome == auth.OTP_WRONG and tried.attempts == 1
    outcome, tried = verify_otp(tried, "000001", OTP_KEY, NOW)
    assert outcome == auth.OTP_WRONG and tried.attempts == 2
    outcome, tried = verify_otp(tried, "000002", OTP_KEY, NOW)
    assert outcome == auth.OTP_TOO_MANY_ATTEMPTS and tried.attempts == 3
    outcome, _ = verify_otp(tried, "123456", OTP_KEY, NOW)
    assert outcome == auth.OTP_TOO_MANY_ATTEMPTS


def test_the_code_is_stored_as_a_keyed_digest():
    digest = otp_digest("123456", OTP_KEY)
    assert "123456" not in digest and len(digest) == 64
    assert digest != otp_digest("123456", b"another key")


def test_at_most_three_codes_an_hour_per_phone():
    sent = [NOW - timedelta(minutes=50), NOW - timedelta(minutes=20), NOW - timedelta(minutes=5)]
    assert otp_send_allowed(sent[1:], NOW) == (True, 0)
    assert otp_send_allowed(sent, NOW) == (False, 600)
    assert otp_send_allowed(sent, NOW + timedelta(minutes=10)) == (True, 0)


# Rate limits --------------------------------------------------------------------------


def test_sliding_window_edges():
    window = timedelta(seconds=60)
    hits = [NOW - timedelta(seconds=60), NOW - timedelta(seconds=59.5), NOW]
    # The hit exactly one window ago no longer counts; the next frees up in 0.5 s -> 1 s.
    assert sliding_window(hits, NOW, 2, window) == (False, 1)
    assert sliding_window(hits, NOW, 3, window) == (True, 0)
    assert sliding_window([], NOW, 1, window) == (True, 0)
    assert sliding_window([NOW + timedelta(seconds=5)], NOW, 1, window) == (True, 0)


def test_token_bucket_refills_over_time():
    allowed, wait, bucket = take_token(None, NOW, capacity=2, per_second=0.5)
    assert (allowed, wait, bucket.tokens) == (True, 0, 1.0)
    allowed, wait, bucket = take_token(bucket, NOW, 2, 0.5)
    assert (allowed, wait, bucket.tokens) == (True, 0, 0.0)
    allowed, wait, bucket = take_token(bucket, NOW + timedelta(seconds=1), 2, 0.5)
    assert (allowed, wait) == (False, 1) and bucket.tokens == 0.5
    allowed, _, bucket = take_token(bucket, NOW + timedelta(seconds=2), 2, 0.5)
    assert allowed and bucket.tokens == 0.0
    allowed, _, bucket = take_token(bucket, NOW + timedelta(hours=1), 2, 0.5)
    assert allowed and bucket.tokens == 1.0  # never more than the capacity


def test_token_bucket_retry_after_rounds_up():
    empty = Bucket(0.0, NOW)
    assert take_token(empty, NOW, 10, 1 / 6) == (False, 6, Bucket(0.0, NOW))
    assert take_token(empty, NOW, 10, 100)[1] == 1


def test_token_bucket_clock_going_back_adds_nothing():
    bucket = Bucket(0.0, NOW)
    assert take_token(bucket, NOW - timedelta(seconds=30), 5, 1)[0] is False


@pytest.mark.parametrize(("capacity", "rate", "cost"), [(0, 1, 1), (5, 0, 1), (1, 1, 2)])
def test_token_bucket_bad_settings(capacity, rate, cost):
    with pytest.raises(SaccoRuleError):
        take_token(None, NOW, capacity, rate, cost)


@given(st.lists(st.floats(0, 30), max_size=40))
def test_token_bucket_never_allows_more_than_capacity_plus_refill(gaps):
    bucket, moment, allowed = None, NOW, 0
    for gap in gaps:
        moment += timedelta(seconds=gap)
        ok, wait, bucket = take_token(bucket, moment, 5, 0.1)
        allowed += ok
        assert ok or wait >= 1
    assert allowed <= 5 + 0.1 * sum(gaps) + 1e-6


# Refresh tokens -----------------------------------------------------------------------


def test_rotation_issues_a_new_token_in_the_family_and_spends_the_old():
    token, first = issue_refresh("device-1", NOW)
    assert first.digest == token_digest(token) and token not in first.digest
    rotation = rotate_refresh(first, "device-1", NOW + timedelta(days=1))
    assert rotation.outcome == auth.ROTATE and not rotation.revoke_family
    assert rotation.spent.spent_at == NOW + timedelta(days=1)
    assert rotation.record.family == first.family
    assert rotation.record.digest == token_digest(rotation.token) != first.digest
    assert rotation.record.expires_at == NOW + timedelta(days=31)


def test_reuse_of_a_spent_token_revokes_the_family():
    _, first = issue_refresh("device-1", NOW)
    spent = rotate_refresh(first, "device-1", NOW).spent
    reuse = rotate_refresh(spent, "device-1", NOW + timedelta(seconds=1))
    assert reuse.outcome == auth.REUSED and reuse.revoke_family and reuse.family == first.family
    assert reuse.token is None


def test_a_token_from_another_device_revokes_the_family():
    _, first = issue_refresh("device-1", NOW)
    stolen = rotate_refresh(first, "device-2", NOW)
    assert stolen.outcome == auth.WRONG_DEVICE and stolen.revoke_family


def test_revoked_unknown_and_expired_tokens():
    _, first = issue_refresh("device-1", NOW, ttl=timedelta(days=30))
    assert rotate_refresh(None, "device-1", NOW).outcome == auth.UNKNOWN
    revoked = rotate_refresh(
        first.__class__(**{**first.__dict__, "revoked": True}), "device-1", NOW
    )
    assert revoked.outcome == auth.REVOKED and not revoked.revoke_family
    at_expiry = rotate_refresh(first, "device-1", NOW + timedelta(days=30))
    assert at_expiry.outcome == auth.EXPIRED
    before = rotate_refresh(first, "device-1", NOW + timedelta(days=30, microseconds=-1))
    assert before.outcome == auth.ROTATE


def test_each_login_starts_a_new_family():
    assert issue_refresh("d", NOW)[1].family != issue_refresh("d", NOW)[1].family


# Access tokens ------------------------------------------------------------------------


def token_at(moment=NOW, ttl=timedelta(minutes=15), **extra):
    claims = {**access_claims("M00042", "device-1", moment, ISS, AUD, ttl), **extra}
    return encode_access_token(claims, KEY)


def decode(token, now):
    return decode_access_token(token, KEY, ISS, AUD, now)


def test_access_token_round_trip_and_claims():
    claims = decode(token_at(), NOW + timedelta(minutes=1))
    assert claims["sub"] == "M00042" and claims["did"] == "device-1"
    assert claims["exp"] - claims["iat"] == 900
    assert jwt.get_unverified_header(token_at())["alg"] == "HS256"


def test_access_tokens_live_at_most_fifteen_minutes():
    with pytest.raises(SaccoRuleError, match="15 minutes"):
        access_claims("M1", "d", NOW, ISS, AUD, timedelta(minutes=15, seconds=1))
    with pytest.raises(SaccoRuleError):
        access_claims("M1", "d", NOW, ISS, AUD, timedelta(0))
    forged = token_at(exp=int(NOW.timestamp()) + 3600)
    with pytest.raises(InvalidAccessToken, match="longer than 15 minutes"):
        decode(forged, NOW)


def test_expiry_with_leeway_edges():
    token = token_at()
    expires = NOW + timedelta(minutes=15)
    assert decode(token, expires + timedelta(seconds=29))
    with pytest.raises(InvalidAccessToken) as error:
        decode(token, expires + timedelta(seconds=30))
    assert error.value.code == "token_expired"
    assert decode(token, NOW - timedelta(seconds=30))
    with pytest.raises(InvalidAccessToken, match="not valid yet") as early:
        decode(token, NOW - timedelta(seconds=31))
    assert early.value.code == "invalid_token"


def unsigned(claims, alg="none"):
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': alg, 'typ': 'JWT'})}.{part(claims)}."


def test_alg_none_and_other_algorithms_are_refused():
    claims = access_claims("M1", "d", NOW, ISS, AUD)
    for token in (
        unsigned(claims),
        unsigned(claims, "None"),
        jwt.encode(claims, KEY, algorithm="HS512"),
        jwt.encode(claims, KEY, algorithm="HS384"),
    ):
        with pytest.raises(InvalidAccessToken) as error:
            decode(token, NOW)
        assert error.value.code == "invalid_token"


@pytest.mark.parametrize(
    "token",
    [
        token_at(iss="https://evil.example"),
        token_at(aud="another-app"),
        jwt.encode(access_claims("M1", "d", NOW, ISS, AUD), b"x" * 32, algorithm="HS256"),
        "not.a.token",
        "",
    ],
)
def test_wrong_issuer_audience_signature_or_garbage(token):
    with pytest.raises(InvalidAccessToken) as error:
        decode(token, NOW)
    assert error.value.code == "invalid_token"


def test_required_claims():
    claims = access_claims("M1", "d", NOW, ISS, AUD)
    del claims["jti"]
    with pytest.raises(InvalidAccessToken, match="jti"):
        decode(jwt.encode(claims, KEY, algorithm="HS256"), NOW)
    bad_times = {**access_claims("M1", "d", NOW, ISS, AUD), "iat": "soon"}
    with pytest.raises(InvalidAccessToken):
        decode(jwt.encode(bad_times, KEY, algorithm="HS256"), NOW)


def test_short_keys_are_refused():
    with pytest.raises(SaccoRuleError, match="32 bytes"):
        encode_access_token(access_claims("M1", "d", NOW, ISS, AUD), b"short")
    with pytest.raises(SaccoRuleError, match="32 bytes"):
        decode_access_token(token_at(), b"short", ISS, AUD, NOW)


# Idempotency --------------------------------------------------------------------------

FP = request_fingerprint("POST", "/accounts/7/withdraw", {"amount": "500", "pin": "4826"})


def test_fingerprint_is_canonical():
    same = request_fingerprint("post", "/accounts/7/withdraw", {"pin": "4826", "amount": "500"})
    assert same == FP
    assert request_fingerprint("POST", "/accounts/7/withdraw", {"amount": "501"}) != FP
    assert request_fingerprint("POST", "/accounts/8/withdraw", {"amount": "500"}) != (
        request_fingerprint("POST", "/accounts/7/withdraw", {"amount": "500"})
    )
    decimal = request_fingerprint("POST", "/x", {"amount": Decimal("5.00")})
    assert decimal == request_fingerprint("POST", "/x", {"amount": "5.00"})
    assert request_fingerprint("POST", "/x", None) != request_fingerprint("POST", "/x", {})
    with pytest.raises(TypeError):
        request_fingerprint("POST", "/x", {"when": NOW})


def test_idempotency_decision_table():
    done = IdempotencyRecord(FP, NOW, done=True, status=201, body={"id": 1})
    running = IdempotencyRecord(FP, NOW)
    later = NOW + timedelta(seconds=5)
    assert idempotency_decision(None, FP, None, NOW) == auth.KEY_MISSING
    assert idempotency_decision("", FP, None, NOW) == auth.KEY_MISSING
    assert idempotency_decision("bad key", FP, None, NOW) == auth.KEY_INVALID
    assert idempotency_decision("k" * 256, FP, None, NOW) == auth.KEY_INVALID
    assert idempotency_decision("k" * 255, FP, None, NOW) == auth.PROCESS
    key = "5f0c1e9a-7d3b-4c1e-9a52-0e1c2f3a4b5c"
    assert idempotency_decision(key, FP, None, NOW) == auth.PROCESS
    assert idempotency_decision(key, FP, done, later) == auth.REPLAY
    assert idempotency_decision(key, "other", done, later) == auth.KEY_REUSED
    assert idempotency_decision(key, FP, running, later) == auth.IN_PROGRESS
    assert idempotency_decision(key, "other", running, later) == auth.KEY_REUSED
    expired = NOW + timedelta(hours=24)
    assert idempotency_decision(key, "other", done, expired) == auth.PROCESS
    just_before = expired - timedelta(microseconds=1)
    assert idempotency_decision(key, FP, done, just_before) == auth.REPLAY


def test_idempotency_outcomes_have_the_right_statuses():
    assert error_status(auth.KEY_MISSING) == 400
    assert error_status(auth.KEY_INVALID) == 400
    assert error_status(auth.KEY_REUSED) == 422
    assert error_status(auth.IN_PROGRESS) == 409


# Errors ------------------------------------------------------------------------------


def test_error_envelope():
    assert error_body("not_found") == {"error": {"code": "not_found", "message": "Not found."}}
    assert error_body("validation_error", "amount: must be positive") == {
        "error": {"code": "validation_error", "message": "amount: must be positive"}
    }
    assert error_status("rate_limited") == 429
    with pytest.raises(KeyError):
        error_body("teapot")


def test_every_error_code_is_a_4xx_or_5xx_with_a_sentence():
    for code, (status, message) in auth.ERRORS.items():
        assert 400 <= status < 600 and code.islower() and " " not in code
        assert message.endswith(".")


def test_api_error_carries_status_body_and_retry_after():
    error = auth.MobileApiError("rate_limited", retry_after=7)
    assert (error.status, error.retry_after) == (429, 7)
    assert error.body() == {
        "error": {"code": "rate_limited", "message": "Too many requests; try again later."}
    }
    assert auth.MobileApiError("not_found", "No such loan.").body()["error"]["message"] == (
        "No such loan."
    )
