from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core import ussd
from sacco_core.mobile_auth import pin_attempt
from sacco_core.ussd import QueueStkDeposit, Refusal, VerifyPin, advance
from sacco_core.ussd_requests import (
    MASK,
    MalformedUssdRequest,
    UssdRequest,
    mask_inputs,
    masked_text,
    parse_at_request,
    parse_gateway_request,
    session_expired,
    split_text,
)
from tests.test_ussd import small_view

AT_FORM = {
    "sessionId": "ATUid_0b7c2f",
    "serviceCode": "*384*1234#",
    "phoneNumber": "+254712345678",
    "networkCode": "63902",
    "text": "",
}


def test_split_text():
    assert split_text("") == ()
    assert split_text("1") == ("1",)
    assert split_text("1*2*500") == ("1", "2", "500")
    assert split_text("1**2") == ("1", "", "2")
    with pytest.raises(MalformedUssdRequest):
        split_text("1*" * 600)


def test_africas_talking_request():
    request = parse_at_request({**AT_FORM, "text": "4826*3*1*500"})
    assert request == UssdRequest(
        session_id="ATUid_0b7c2f",
        service_code="*384*1234#",
        phone="+254712345678",
        network="63902",
        inputs=("4826", "3", "1", "500"),
    )
    assert parse_at_request(AT_FORM).inputs == ()
    assert parse_at_request({**AT_FORM, "text": None}).inputs == ()


@pytest.mark.parametrize("missing", ["sessionId", "serviceCode", "phoneNumber"])
def test_africas_talking_request_without_a_field(missing):
    with pytest.raises(MalformedUssdRequest, match=missing):
        parse_at_request({key: value for key, value in AT_FORM.items() if key != missing})


def test_a_request_from_a_bad_phone_number_is_malformed():
    with pytest.raises(MalformedUssdRequest, match="not a valid mobile number"):
        parse_at_request({**AT_FORM, "phoneNumber": "hello"})


def test_aggregator_request():
    query = {"SESSIONID": "17", "USSDCODE": "*789#", "MSISDN": "254712345678", "INPUT": "1*2"}
    request = parse_gateway_request({**query, "NETWORK": "saf"})
    assert request.phone == "+254712345678"
    assert request.inputs == ("1", "2")
    assert request.network == "saf" and request.extension is None
    assert parse_gateway_request({**query, "INPUT": ""}).inputs == ()
    del query["INPUT"]
    assert parse_gateway_request(query).inputs == ()


def test_aggregator_shared_code_extension_comes_first():
    query = {"SESSIONID": "17", "USSDCODE": "*789#", "MSISDN": "0712345678", "INPUT": "123"}
    first = parse_gateway_request(query, shared_code=True)
    assert first.extension == "123" and first.inputs == ()
    later = parse_gateway_request({**query, "INPUT": "123*4826*1"}, shared_code=True)
    assert later.extension == "123" and later.inputs == ("4826", "1")
    with pytest.raises(MalformedUssdRequest, match="extension"):
        parse_gateway_request({**query, "INPUT": ""}, shared_code=True)


@pytest.mark.parametrize("missing", ["SESSIONID", "USSDCODE", "MSISDN"])
def test_aggregator_request_without_a_field(missing):
    query = {"SESSIONID": "17", "USSDCODE": "*789#", "MSISDN": "0712345678", "INPUT": "1"}
    del query[missing]
    with pytest.raises(MalformedUssdRequest, match=missing):
        parse_gateway_request(query)


def session(view, inputs):
    """Run a whole gateway session the way an add-on does: one request per input."""
    state = advance(None, (), view, lambda action: None).state
    for index in range(1, len(inputs) + 1):
        state = advance(state, inputs[:index], view, lambda action: None).state
    return state


def test_pins_and_codes_are_masked_and_the_rest_kept():
    view = small_view()
    inputs = ("4826", "4", "1", "2000", "4826")
    state = session(view, inputs)
    assert state.trail == ("pin", "home", "withdraw_account", "withdraw_amount", "withdraw_confirm")
    assert mask_inputs(inputs, state.trail) == (MASK, "4", "1", "2000", MASK)
    assert masked_text(inputs, state.trail) == "****" + "*4*1*2000*" + "****"


def test_first_use_masks_the_id_number_the_code_and_both_pins():
    view = small_view(pin_set=False)
    inputs = ("12345678", "654321", "4826", "4826", "1")
    state = session(view, inputs)
    assert mask_inputs(inputs, state.trail) == (MASK, MASK, MASK, MASK, "1")


def test_change_pin_masks_old_and_new_pins_but_not_menu_choices():
    inputs = ("4826", "8", "1", "4826", "5937", "5937", "0")
    state = session(small_view(), inputs)
    assert mask_inputs(inputs, state.trail) == (MASK, "8", "1", MASK, MASK, MASK, "0")


def test_inputs_the_engine_has_not_seen_are_masked():
    assert mask_inputs(("4826", "1"), ()) == (MASK, MASK)


def test_advance_answers_a_resent_request_with_nothing_new():
    view, done = small_view(), []
    first = advance(None, (), view, done.append)
    assert first.reply.startswith("CON Welcome Achieng.")
    assert advance(first.state, (), view, done.append) is None
    state = advance(first.state, ("4826", "3", "1", "500"), view, done.append).state
    assert done == [VerifyPin("4826"), QueueStkDeposit("account", "fosa", Decimal("500.00"))]
    assert advance(state, ("4826", "3", "1", "500"), view, done.append) is None
    assert len(done) == 2  # the STK push is queued once, whatever the gateway re-sends


def test_advance_applies_refusals():
    view = small_view()
    start = advance(None, (), view, lambda action: None).state
    wrong = advance(start, ("1111",), view, lambda action: Refusal(ussd.WRONG_PIN, 2))
    assert wrong.reply.startswith("CON Wrong PIN. 2 tries left.")
    locked = advance(wrong.state, ("1111", "2222"), view, lambda a: Refusal(ussd.ACCESS_LOCKED))
    assert locked.reply.startswith("END Wrong PIN 3 times")


def test_a_pin_check_outcome_is_a_refusal_reason():
    view = small_view()
    start = advance(None, (), view, lambda action: None).state

    def check(failures):
        outcome = pin_attempt(False, failures, locked=False)
        return lambda action: Refusal(outcome.outcome, outcome.attempts_left)

    assert advance(start, ("1111",), view, check(0)).reply.startswith("CON Wrong PIN. 2 tries")
    assert advance(start, ("1111",), view, check(2)).reply.startswith("END Wrong PIN 3 times")


def test_advance_replays_a_whole_session_when_the_state_was_lost():
    view = small_view()
    result = advance(None, ("4826", "1"), view, lambda action: None)
    assert result.reply.startswith("CON Balances (KES)")
    assert result.state.trail == ("pin", "home")
    unknown = advance(None, ("1",), None, lambda action: None)
    assert unknown.reply.startswith("END This phone number is not registered")


@given(st.lists(st.text(alphabet="0123456789*#", max_size=6), max_size=10))
def test_masking_never_reveals_a_pin_screen_input(inputs):
    inputs = tuple(inputs)
    state = session(small_view(), inputs)
    masked = mask_inputs(inputs, state.trail)
    assert len(masked) == len(inputs)
    if inputs:
        assert masked[0] == MASK  # typed on the PIN screen


def test_session_expiry_at_180_seconds():
    started = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
    assert not session_expired(started, started + timedelta(seconds=179, microseconds=999999))
    assert session_expired(started, started + timedelta(seconds=180))
    assert session_expired(started, started + timedelta(seconds=31), timedelta(seconds=30))
