import json
import string
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sacco_core import ussd
from sacco_core.savings import ChargeTier
from sacco_core.sms import _GSM7_BASIC
from sacco_core.ussd import (
    AccountView,
    ApplyLoan,
    CommitPin,
    Exposure,
    GuaranteeRequestView,
    Limits,
    LoanProductView,
    LoanView,
    MemberView,
    ProductRate,
    QueueStkDeposit,
    RequestWithdrawal,
    RespondGuarantee,
    SendOtp,
    SendStatementSms,
    SetLanguage,
    StagePin,
    StatementLine,
    UssdState,
    VerifyIdAndOtp,
    VerifyPin,
    refuse,
    render,
    step,
)
from sacco_core.ussd_texts import (
    TEXTS,
    USSD_CHARSET,
    USSD_MAX_LENGTH,
    clip,
    is_valid_reply,
    text,
)

D = Decimal
HUGE = D("9999999.99")
LONG_NAME = "Wanjikũ Nyambũra Kariũki-Mwangi wa Njoroge Ochieng"  # accents telcos cannot show


def long_view(language: str = "en", **changes) -> MemberView:
    """A member with the longest realistic values everywhere and lists that need pages."""
    recent = tuple(
        StatementLine(date(2026, 12, 31), "Withdrawal to M-Pesa 0712345678", -HUGE)
        for _ in range(7)
    )
    accounts = tuple(
        AccountView(
            ref=index,
            name=f"Fixed Deposit Account {index} Long Product Name",
            balance=HUGE,
            available=HUGE,
            withdraw=True,
            recent=recent,
        )
        for index in range(1, 13)
    )
    loans = tuple(
        LoanView(
            ref=100 + index,
            name=f"Development Loan Long Product LN-2026-0000{index}",
            outstanding=HUGE,
            next_amount=HUGE,
            next_date=date(2026, 12, 31),
            arrears=HUGE,
            installments_left=120,
        )
        for index in range(6)
    )
    products = tuple(
        LoanProductView(
            ref=200 + index,
            name=f"Instant Mobile Emergency Loan Product {index}",
            max_amount=HUGE,
            min_amount=D("500"),
            terms=(1, 3, 6, 12, 24, 36, 48, 60),
            rate=D("12.75"),
            rate_per="year" if index % 2 else "month",
        )
        for index in range(8)
    )
    requests = tuple(
        GuaranteeRequestView(
            ref=300 + index,
            borrower=LONG_NAME,
            loan_amount=HUGE,
            amount=HUGE,
        )
        for index in range(10)
    )
    rates = tuple(
        ProductRate(f"Holiday Savings Product Number {index}", D("15.25"), "year")
        for index in range(10)
    )
    limits = Limits(
        deposit_max=HUGE,
        withdraw_max=HUGE,
        daily_withdraw_max=HUGE * 2,
        charge_tiers=(ChargeTier(D("1000"), D("30")), ChargeTier(None, HUGE)),
        excise_rate=D("20"),
    )
    view = MemberView(
        name=LONG_NAME,
        language=language,
        accounts=accounts,
        loans=loans,
        loan_products=products,
        guarantee_requests=requests,
        exposure=Exposure(loans=97, total=HUGE, free_deposits=HUGE),
        rates=rates,
        limits=limits,
    )
    return replace(view, **changes)


def small_view(**changes) -> MemberView:
    view = MemberView(
        name="Achieng",
        accounts=(
            AccountView(
                "fosa",
                "FOSA Savings",
                D("10000"),
                D("9000"),
                withdraw=True,
                recent=(
                    StatementLine(date(2026, 12, 1), "Deposit", D("500")),
                    StatementLine(date(2026, 11, 30), "Withdrawal", D("-200")),
                ),
            ),
            AccountView("shares", "Share Capital", D("5000"), D("0")),
            AccountView("deposits", "BOSA Deposits", D("60000"), D("45000")),
        ),
        loans=(
            LoanView(
                "ln1",
                "Development LN001",
                D("50000.40"),
                D("2500"),
                date(2026, 12, 31),
                D("0"),
                20,
            ),
        ),
        loan_products=(
            LoanProductView(
                "inst", "Instant Loan", D("20000"), D("500"), (1, 3), D("1.5"), "month"
            ),
            LoanProductView("single", "Salary Advance", D("8000"), D("1000"), (1,), D("10")),
            LoanProductView("none", "Asset Loan", D("0"), D("10000"), (12,), D("12")),
        ),
        guarantee_requests=(
            GuaranteeRequestView("g1", "Otieno Kamau", D("100000"), D("20000")),
            GuaranteeRequestView("g2", "Mary Wambui", D("40000"), D("10000")),
        ),
        exposure=Exposure(2, D("40000"), D("15000")),
        rates=(ProductRate("FOSA Savings", D("4")), ProductRate("Instant Loan", D("1.5"), "month")),
        limits=Limits(
            withdraw_max=D("5000"),
            daily_withdraw_max=D("7000"),
            withdrawn_today=D("1000"),
            charge_tiers=(ChargeTier(D("1000"), D("30")), ChargeTier(D("5000"), D("60"))),
            excise_rate=D("20"),
        ),
    )
    return replace(view, **changes)


def run(view, *inputs, state=None):
    """Dial in (unless a state is given) and type ``inputs``; return the last step."""
    result = step(None, None, view) if state is None else ussd.Step("", state)
    current = result.state
    for entry in inputs:
        result = step(current, entry, view)
        current = result.state
    return result


def signed_in(view, *inputs):
    """The step after signing in with a good PIN and typing ``inputs``."""
    result = run(view, "4826")
    assert result.action == VerifyPin("4826")
    return run(view, *inputs, state=result.state)


def lines(reply):
    return reply.split("\n")


# Every screen, both languages, longest values --------------------------------------------

SCREEN_VALUES = {
    "account": "1",
    "target": "loan:100",
    "loan": "100",
    "product": "200",
    "amount": str(HUGE),
    "charge": str(HUGE),
    "term": "60",
    "request": "300",
}
NOTICE_VALUES = {"amount": "9,999,999.99", "charge": "9,999,999.99", "count": 97}
AMOUNT_NOTICES = ("not_number", "whole_shillings", "too_small", "too_large")
PIN_NOTICES = ("pin_format", "wrong_pin")
# The notices each screen can be shown with (every screen: "invalid_choice" or a format).
NOTICES = {
    "home": ("invalid_choice", "pin_set", "pin_changed", "language_set"),
    "request": ("invalid_choice", "no_free_deposits"),
    "pin": PIN_NOTICES,
    "old_pin": PIN_NOTICES,
    "withdraw_confirm": PIN_NOTICES,
    "loan_confirm": PIN_NOTICES,
    "guarantee_confirm": PIN_NOTICES,
    "decline_confirm": PIN_NOTICES,
    "new_pin": ("pin_format", "pin_weak", "pin_mismatch"),
    "confirm_pin": ("pin_format",),
    "otp": ("otp_format", "wrong_otp"),
    "id_number": ("id_format",),
    "deposit_amount": AMOUNT_NOTICES,
    "loan_amount": AMOUNT_NOTICES,
    "guarantee_amount": AMOUNT_NOTICES,
    "withdraw_amount": (*AMOUNT_NOTICES, "daily_limit", "insufficient"),
}


def every_screen_state(language, screen, page=0):
    authenticated = screen not in {"pin", "locked", "id_number", "otp"}
    back = (("home", 0, {}),) if authenticated and screen != "home" else ()
    return UssdState(
        screen=screen,
        language=language,
        authenticated=authenticated,
        values=dict(
            SCREEN_VALUES, target="account:1" if screen == "deposit_amount" else "loan:100"
        ),
        page=page,
        back=back,
    )


@pytest.mark.parametrize("language", ["en", "sw"])
@pytest.mark.parametrize("screen", sorted(ussd._SCREENS))
def test_every_screen_fits_with_longest_values_on_every_page_and_notice(language, screen):
    view = long_view(language)
    pages = ussd._pages(every_screen_state(language, screen), view)
    for page in range(len(pages)):
        state = every_screen_state(language, screen, page)
        keys = NOTICES.get(screen, ("invalid_choice",))
        for notice in [None, *(text(key, language, **NOTICE_VALUES) for key in keys)]:
            reply = render(state, view, notice)
            assert is_valid_reply(reply), (len(reply), reply)
            if notice and len(pages) == 1:
                assert reply.startswith(f"CON {notice}\n")


@pytest.mark.parametrize("language", ["en", "sw"])
def test_the_loan_repayment_prompt_fits_too(language):
    state = every_screen_state(language, "deposit_amount")
    reply = render(replace(state, values={"target": "loan:100"}), long_view(language))
    assert is_valid_reply(reply)
    assert "9,999,999.99" in reply


@pytest.mark.parametrize("language", ["en", "sw"])
@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_fits_alone_with_longest_values(language, key):
    values = {
        "name": "W" * 24,
        "amount": "9,999,999.99",
        "charge": "9,999,999.99",
        "total": "9,999,999.99",
        "available": "9,999,999.99",
        "balance": "9,999,999.99",
        "outstanding": "9,999,999.99",
        "due": "9,999,999.99",
        "loan": "9,999,999.99",
        "maximum": "9,999,999.99",
        "minimum": "9,999,999.99",
        "free": "9,999,999.99",
        "count": 97,
        "left": 120,
        "date": "31/12/2026",
        "arrears": "9,999,999.99",
        "rate": "12.75% kwa mwaka",
        "term": "miezi 60",
    }
    reply = "END " + text(key, language, **values)
    assert is_valid_reply(reply), (len(reply), reply)


def test_the_ussd_charset_is_inside_the_gsm7_basic_set():
    assert USSD_CHARSET <= _GSM7_BASIC
    assert not set("[]{}~|^\\€`") & USSD_CHARSET


def test_swahili_texts_differ_from_english_ones():
    same = {key for key, (english, swahili) in TEXTS.items() if english == swahili}
    assert same == {"request_entry"}


def test_clip_removes_accents_and_unrenderable_characters():
    assert clip("Wanjikũ [Nyambũra] {x} €5", 40) == "Wanjiku Nyambura x 5"
    assert clip("  a\n b  ", 10) == "a b"
    assert clip(LONG_NAME, 20) == "Wanjiku Nyambura Kar"


# Dial-in -------------------------------------------------------------------------------


def test_an_unknown_phone_is_told_how_to_register():
    result = step(None, None, None)
    assert result.reply.startswith("END This phone number is not registered")
    assert "branch" in result.reply
    assert step(result.state, "1", None).reply.startswith("END ")


def test_an_unknown_phone_in_swahili_when_the_channel_says_so():
    result = step(UssdState(language="sw"), None, None)
    assert result.reply.startswith("END Nambari hii ya simu haijasajiliwa")


def test_a_member_with_a_pin_is_asked_for_it_in_their_language():
    assert run(small_view()).reply == "CON Welcome Achieng.\nEnter your PIN:"
    assert run(small_view(language="sw")).reply == "CON Karibu Achieng.\nWeka PIN yako:"
    assert run(small_view(language="fr")).state.language == "en"


def test_a_good_pin_opens_the_main_menu():
    result = run(small_view(), "4826")
    assert result.action == VerifyPin("4826")
    assert result.state.authenticated
    assert lines(result.reply)[:2] == ["CON Main menu", "1 Balances"]
    assert "4826" not in repr(result.action)


@pytest.mark.parametrize("entry", ["12", "12345", "abcd", "", "0", "00"])
def test_a_malformed_pin_is_asked_again_without_counting(entry):
    result = run(small_view(), entry)
    assert result.action is None
    assert result.reply.startswith("CON The PIN must be 4 digits.\nWelcome Achieng.")
    assert not result.state.authenticated


def test_wrong_pins_count_down_then_lock():
    view = small_view()
    first = run(view, "1111")
    again = refuse(first, ussd.WRONG_PIN, view, attempts_left=2)
    assert again.reply.startswith("CON Wrong PIN. 2 tries left.\nWelcome Achieng.")
    assert not again.state.authenticated and again.state.screen == "pin"
    third = refuse(step(again.state, "2222", view), ussd.WRONG_PIN, view, attempts_left=0)
    assert third.reply.startswith("END Wrong PIN 3 times: USSD access is locked")
    assert third.state.screen == "ended"


def test_a_locked_member_can_only_reset_the_pin():
    view = small_view(locked=True)
    result = run(view)
    assert result.reply.startswith("CON Your USSD access is locked")
    assert run(view, "0").reply == "END Thank you for banking with us."
    assert run(view, "7").reply.startswith("CON Invalid choice.")
    reset = run(view, "1")
    assert reset.reply.startswith("CON Welcome Achieng. To set your PIN")


def test_a_member_locked_mid_session_is_ended():
    state = signed_in(small_view()).state
    assert step(state, "1", small_view(locked=True)).reply.startswith("END Wrong PIN 3 times")


# First use -------------------------------------------------------------------------------


def test_first_use_sets_a_pin_with_id_number_and_sms_code():
    view = small_view(pin_set=False, birth_year=1990)
    result = run(view)
    assert result.reply == ("CON Welcome Achieng. To set your PIN, enter your ID number:")
    result = run(view, "12345678")
    assert result.action == SendOtp()
    assert result.reply == "CON Enter the 6-digit code we sent you by SMS:"
    result = step(result.state, "654321", view)
    assert result.action == VerifyIdAndOtp("12345678", "654321")
    assert "id_number" not in result.state.values
    assert result.reply == "CON Choose a 4-digit PIN:"
    for weak in ("1234", "0000", "9876", "1212", "1990"):
        assert step(result.state, weak, view).reply.startswith("CON That PIN is easy to guess.")
    assert step(result.state, "12345", view).reply.startswith("CON The PIN must be 4 digits.")
    chosen = step(result.state, "4826", view)
    assert chosen.action == StagePin("4826")
    assert chosen.reply == "CON Enter the new PIN again:"
    confirmed = step(chosen.state, "4826", view)
    assert confirmed.action == CommitPin("4826")
    assert confirmed.reply.startswith("CON Your PIN is set.\nMain menu")
    assert confirmed.state.authenticated and confirmed.state.screen == "home"


def test_first_use_pin_mismatch_asks_to_choose_again():
    view = small_view(pin_set=False)
    confirm = run(view, "12345678", "654321", "4826", "4862")
    again = refuse(confirm, ussd.PIN_MISMATCH, view)
    assert again.reply == "CON The PINs did not match.\nChoose a 4-digit PIN:"
    assert not again.state.authenticated


@pytest.mark.parametrize("entry", ["12345", "1234567890", "ID123456", ""])
def test_first_use_refuses_a_malformed_id_number(entry):
    result = run(small_view(pin_set=False), entry)
    assert result.reply.startswith("CON Enter 6 to 9 digits.")
    assert result.action is None


def test_first_use_refuses_a_malformed_code_and_handles_code_refusals():
    view = small_view(pin_set=False)
    at_code = run(view, "12345678")
    assert step(at_code.state, "12345", view).reply.startswith("CON The code has 6 digits.")
    checked = step(at_code.state, "111111", view)
    wrong = refuse(checked, ussd.WRONG_OTP, view, attempts_left=1)
    assert wrong.reply.startswith("CON Wrong code. 1 tries left.\nEnter the 6-digit code")
    assert refuse(checked, ussd.WRONG_OTP, view, attempts_left=0).reply.startswith(
        "END The code has expired"
    )
    assert refuse(checked, ussd.OTP_EXPIRED, view).reply.startswith("END The code has expired")
    assert refuse(checked, ussd.ID_MISMATCH, view).reply.startswith("END The details do not")
    assert refuse(at_code, ussd.OTP_LIMIT, view).reply.startswith("END Too many codes")


# Navigation ------------------------------------------------------------------------------


def test_back_home_and_exit():
    view = small_view()
    menu = signed_in(view, "2", "1")
    assert lines(menu.reply)[0] == "CON FOSA Savings"
    back = step(menu.state, "0", view)
    assert lines(back.reply)[0] == "CON Choose account:"
    back = step(back.state, "0", view)
    assert lines(back.reply)[0] == "CON Main menu"
    deep = step(menu.state, "00", view)
    assert lines(deep.reply)[0] == "CON Main menu" and deep.state.back == ()
    assert step(deep.state, "00", view).reply.startswith("CON Invalid choice.\nMain menu")
    assert step(deep.state, "0", view).reply == "END Thank you for banking with us."


def test_more_pages_through_a_long_list_and_numbers_run_across_pages():
    view = long_view()
    shown, result = [], signed_in(view, "2")
    while True:
        shown += [line for line in lines(result.reply) if line[:1].isdigit() and " " in line]
        if "98 More" not in result.reply:
            break
        result = step(result.state, "98", view)
    numbers = [int(line.split(" ")[0]) for line in shown if not line.startswith(("0 ", "98"))]
    assert numbers == list(range(1, 13))
    assert step(result.state, "98", view).reply.startswith("CON Invalid choice.")
    chosen = step(result.state, "12", view)
    assert chosen.state.values["account"] == "12"
    # Back from a later page returns to the screen before the list.
    assert lines(step(result.state, "0", view).reply)[0] == "CON Main menu"


def test_balances_are_paged_with_98_more_in_swahili():
    view = long_view("sw")
    result = signed_in(view, "1")
    assert lines(result.reply)[0] == "CON Salio (KES)"
    assert lines(result.reply)[-2:] == ["98 Zaidi", "0 Rudi 00 Mwanzo"]
    pages = 1
    while "98 Zaidi" in result.reply:
        result = step(result.state, "98", view)
        pages += 1
    assert pages > 4
    assert "Mkopo Development Loan Lo" in result.reply


@pytest.mark.parametrize("entry", ["9", "x", "", "1.5", "-1", "01x", "999"])
def test_home_refuses_bad_choices(entry):
    result = signed_in(small_view(), entry)
    assert result.reply.startswith("CON Invalid choice.\nMain menu")


def test_info_screens_only_take_navigation():
    result = signed_in(small_view(), "7")
    assert result.reply == (
        "CON Products and rates:\nFOSA Savings 4% a year\nInstant Loan 1.5% a month\n0 Back 00 Home"
    )
    assert step(result.state, "1", small_view()).reply.startswith("CON Invalid choice.")


def test_state_survives_json_and_replays_deterministically():
    view = small_view()
    inputs = ["4826", "3", "1", "500"]
    state = step(None, None, view).state
    replies = []
    for entry in inputs:
        state = UssdState.from_dict(json.loads(json.dumps(state.to_dict())))
        result = step(state, entry, view)
        replies.append((result.reply, result.action))
        state = result.state
    again = step(None, None, view).state
    for entry, expected in zip(inputs, replies, strict=True):
        result = step(again, entry, view)
        assert (result.reply, result.action) == expected
        again = result.state


def test_an_item_gone_from_the_view_ends_politely():
    view = small_view()
    at_amount = signed_in(view, "3", "1")
    gone = replace(view, accounts=view.accounts[1:])
    assert step(at_amount.state, "500", gone).reply.startswith("END Sorry, we could not")
    assert render(at_amount.state, gone).startswith("CON Sorry, we could not")


# 1 Balances, 2 Mini-statement ---------------------------------------------------------


def test_balances_show_every_account_and_loan():
    result = signed_in(small_view(), "1")
    assert result.reply == (
        "CON Balances (KES)\nFOSA Savings\nBal 10,000.00 Avl 9,000.00\nShare Capital\n"
        "Bal 5,000.00 Avl 0.00\nBOSA Deposits\nBal 60,000.00 Avl 45,000.00\n98 More\n"
        "0 Back 00 Home"
    )
    assert step(result.state, "98", small_view()).reply == (
        "CON Balances (KES)\nLoan Development LN001\nOwe 50,000.40\n"
        "Next 2,500.00 on 31/12/2026\n0 Back 00 Home"
    )


def test_balances_of_a_member_without_accounts():
    result = signed_in(small_view(accounts=(), loans=()), "1")
    assert result.reply == "CON You have no accounts yet.\n0 Back 00 Home"


def test_a_paid_up_loan_shows_no_next_installment():
    loan = LoanView("ln", "Old Loan", D("0"))
    result = signed_in(small_view(accounts=(), loans=(loan,)), "1")
    assert "Loan Old Loan\nOwe 0.00\n0 Back" in result.reply


def test_mini_statement_shows_the_last_five():
    view = small_view()
    result = signed_in(view, "2", "1", "1")
    assert result.reply == (
        "CON Last 5 (KES)\n01/12 Deposit +500.00\n30/11 Withdraw -200.00\n0 Back 00 Home"
    )
    long = signed_in(long_view(), "2", "1", "1")
    assert long.reply.count("31/12") == 5


def test_mini_statement_of_an_account_without_transactions():
    result = signed_in(small_view(), "2", "2", "1")
    assert result.reply == "CON No transactions yet.\n0 Back 00 Home"


@pytest.mark.parametrize(("choice", "months"), [("1", 1), ("2", 3), ("3", 6), ("4", 12)])
def test_full_statement_by_sms(choice, months):
    result = signed_in(small_view(), "2", "1", "2", choice)
    assert result.action == SendStatementSms("fosa", months)
    assert result.reply == "END Your statement will be sent to you by SMS."


def test_full_statement_refuses_another_period():
    result = signed_in(small_view(), "2", "1", "2", "5")
    assert result.reply.startswith("CON Invalid choice.\nStatement period:")


# 3 Deposit -------------------------------------------------------------------------------


def test_deposit_to_an_account_queues_an_stk_push():
    result = signed_in(small_view(), "3")
    assert result.reply == (
        "CON Deposit to:\n1 FOSA Savings\n2 Share Capital\n3 BOSA Deposits\n"
        "4 Loan Development LN001\n0 Back 00 Home"
    )
    result = signed_in(small_view(), "3", "2", "1500")
    assert result.action == QueueStkDeposit("account", "shares", D("1500.00"))
    assert result.reply == (
        "END You will receive an M-Pesa prompt to pay KES 1,500.00 to Share Capital. "
        "Enter your M-Pesa PIN to complete."
    )


@pytest.mark.parametrize(
    ("entry", "notice"),
    [
        ("abc", "Enter numbers only."),
        ("-50", "Enter numbers only."),
        ("1,000", "Enter numbers only."),
        ("100.50", "Enter whole shillings, no cents."),
        ("000", "The minimum is KES 10.00."),
        ("5", "The minimum is KES 10.00."),
        ("250001", "The maximum is KES 250,000.00."),
        ("99999999999999999999999", "The maximum is KES 250,000.00."),
    ],
)
def test_deposit_amount_is_checked(entry, notice):
    result = signed_in(small_view(), "3", "1", entry)
    assert result.action is None
    assert result.reply.startswith(f"CON {notice}\nFOSA Savings\nEnter amount (KES):")


def test_deposit_amount_98_is_an_amount_not_more():
    result = signed_in(small_view(), "3", "1", "98")
    assert result.action == QueueStkDeposit("account", "fosa", D("98.00"))


def test_zero_on_the_amount_screen_goes_back():
    result = signed_in(small_view(), "3", "1", "0")
    assert lines(result.reply)[0] == "CON Deposit to:"


def test_loan_repayment_from_the_deposit_menu_and_the_loans_menu():
    view = small_view()
    prompt = signed_in(view, "3", "4")
    assert prompt.reply == (
        "CON Development LN001\nDue KES 2,500.00\nEnter amount (KES):\n0 Back 00 Home"
    )
    assert step(prompt.state, "50002", view).reply.startswith("CON The maximum is KES 50,001.00")
    paid = step(prompt.state, "2500", view)
    assert paid.action == QueueStkDeposit("loan", "ln1", D("2500.00"))
    via_loans = signed_in(view, "5", "2", "1", "2500")
    assert via_loans.action == paid.action
    assert via_loans.reply == paid.reply


# 4 Withdraw ------------------------------------------------------------------------------


def test_withdrawal_shows_the_charge_and_asks_for_the_pin():
    view = small_view()
    result = signed_in(view, "4")
    assert result.reply == "CON Withdraw from:\n1 FOSA Savings\n0 Back 00 Home"
    result = signed_in(view, "4", "1")
    assert result.reply == (
        "CON FOSA Savings\nAvailable KES 9,000.00\nEnter amount (KES):\n0 Back 00 Home"
    )
    confirm = signed_in(view, "4", "1", "2000")
    assert confirm.reply == (
        "CON Withdraw KES 2,000.00 to M-Pesa\nCharge KES 72.00\nTotal KES 2,072.00\n"
        "Enter PIN to confirm:\n0 Back 00 Home"
    )
    assert step(confirm.state, "12", view).reply.startswith("CON The PIN must be 4 digits.")
    done = step(confirm.state, "4826", view)
    assert done.action == RequestWithdrawal("fosa", D("2000.00"), D("72.00"), "4826")
    assert "4826" not in repr(done.action)
    assert done.reply == (
        "END Your withdrawal of KES 2,000.00 to M-Pesa is being processed. You will get an SMS."
    )


@pytest.mark.parametrize(
    ("entry", "notice"),
    [
        ("5", "The minimum is KES 10.00."),
        ("5001", "The maximum is KES 5,000.00."),
        ("12.5", "Enter whole shillings, no cents."),
        ("ten", "Enter numbers only."),
    ],
)
def test_withdrawal_amount_limits(entry, notice):
    result = signed_in(small_view(), "4", "1", entry)
    assert result.reply.startswith(f"CON {notice}\nFOSA Savings")


def test_withdrawal_within_what_is_left_of_the_daily_limit():
    view = small_view(limits=replace(small_view().limits, withdrawn_today=D("4000")))
    result = signed_in(view, "4", "1", "3001")
    assert result.reply.startswith("CON Left today: KES 3,000.00.\nFOSA Savings")
    assert signed_in(view, "4", "1", "3000").state.screen == "withdraw_confirm"


def test_withdrawal_above_the_available_balance_including_the_charge():
    view = small_view()
    low = replace(view.accounts[0], available=D("1000"))
    view = replace(view, accounts=(low, *view.accounts[1:]))
    result = signed_in(view, "4", "1", "1000")
    assert result.reply.startswith("CON Not enough balance. Charge KES 36.00.\nFOSA Savings")
    assert signed_in(view, "4", "1", "964").state.screen == "withdraw_confirm"


def test_withdrawal_above_the_last_charge_tier():
    limits = replace(small_view().limits, withdraw_max=D("9000"), daily_withdraw_max=D("90000"))
    result = signed_in(small_view(limits=limits), "4", "1", "6000")
    assert result.reply.startswith("CON The maximum is KES 5,000.00.")


def test_withdrawal_without_a_withdrawable_account_ends():
    view = small_view(accounts=small_view().accounts[1:])
    result = signed_in(view, "4")
    assert result.reply == "END You have no account you can withdraw from."


def test_withdrawal_refusals_end_or_ask_again():
    view = small_view()
    asked = signed_in(view, "4", "1", "2000", "1111")
    wrong = refuse(asked, ussd.WRONG_PIN, view, attempts_left=1)
    assert wrong.reply.startswith("CON Wrong PIN. 1 tries left.\nWithdraw KES 2,000.00")
    assert refuse(asked, ussd.INSUFFICIENT, view).reply == (
        "END Your balance is not enough for this request."
    )
    assert refuse(asked, ussd.OVER_LIMIT, view).reply.startswith("END This amount is above")
    assert refuse(asked, "anything else", view).reply.startswith("END Sorry, we could not")
    assert refuse(asked, ussd.ACCESS_LOCKED, view).reply.startswith("END Wrong PIN 3 times")


# 5 Loans ---------------------------------------------------------------------------------


def test_loan_detail_shows_the_schedule_summary():
    result = signed_in(small_view(), "5", "1", "1")
    assert result.reply == (
        "CON Development LN001\nBalance KES 50,000.40\nNext KES 2,500.00 on 31/12/2026\n"
        "Arrears KES 0.00\nInstallments left 20\n0 Back 00 Home"
    )
    swahili = signed_in(small_view(language="sw"), "5", "1", "1")
    assert "Deni KES 50,000.40\nIjayo KES 2,500.00 tarehe 31/12/2026" in swahili.reply


def test_a_member_without_loans():
    view = small_view(loans=())
    assert signed_in(view, "5", "1").reply == "CON You have no loans.\n0 Back 00 Home"
    assert signed_in(view, "5", "2").reply == "CON You have no loans.\n0 Back 00 Home"
    assert signed_in(view, "5", "2", "1").reply.startswith("CON Invalid choice.")


def test_loan_application_within_eligibility():
    view = small_view()
    products = signed_in(view, "5", "3")
    assert products.reply == (
        "CON Apply for:\n1 Instant Loan\n2 Salary Advance\n3 Asset Loan\n0 Back 00 Home"
    )
    amount = step(products.state, "1", view)
    assert amount.reply == (
        "CON Instant Loan\nYou qualify for up to KES 20,000.00\n"
        "Enter amount (min KES 500.00):\n0 Back 00 Home"
    )
    assert step(amount.state, "20001", view).reply.startswith("CON The maximum is KES 20,000.00.")
    assert step(amount.state, "499", view).reply.startswith("CON The minimum is KES 500.00.")
    term = step(amount.state, "15000", view)
    assert term.reply == "CON Repay over:\n1 1 month\n2 3 months\n0 Back 00 Home"
    confirm = step(term.state, "2", view)
    assert confirm.reply == (
        "CON Apply for KES 15,000.00\nInstant Loan\n3 months at 1.5% a month\n"
        "Enter PIN to confirm:\n0 Back 00 Home"
    )
    done = step(confirm.state, "4826", view)
    assert done.action == ApplyLoan("inst", D("15000.00"), 3, "4826")
    assert done.reply.startswith("END Your application for KES 15,000.00 (Instant Loan)")


def test_a_single_term_product_skips_the_term_choice():
    result = signed_in(small_view(), "5", "3", "2", "8000")
    assert result.state.screen == "loan_confirm"
    assert "1 month at 10% a year" in result.reply


def test_a_product_the_member_does_not_qualify_for():
    result = signed_in(small_view(), "5", "3", "3")
    assert result.reply == ("CON Asset Loan\nYou do not qualify for this loan now.\n0 Back 00 Home")


def test_no_mobile_loan_products():
    result = signed_in(small_view(loan_products=()), "5", "3")
    assert result.reply == "CON No loan is open to you on this channel now.\n0 Back 00 Home"


# 6 Guarantees ----------------------------------------------------------------------------


def test_guarantee_request_accepted_with_an_amount():
    view = small_view()
    menu = signed_in(view, "6")
    assert menu.reply == "CON Guarantees\n1 Requests (2)\n2 My guarantees\n0 Back 00 Home"
    listed = step(menu.state, "1", view)
    assert listed.reply == (
        "CON Guarantee requests:\n1 Otieno Kamau KES 20,000.00\n2 Mary Wambui KES 10,000.00\n"
        "0 Back 00 Home"
    )
    detail = step(listed.state, "1", view)
    assert detail.reply == (
        "CON Otieno Kamau asks you to guarantee KES 20,000.00 of a KES 100,000.00 loan.\n"
        "1 Accept\n2 Decline\n0 Back 00 Home"
    )
    amount = step(detail.state, "1", view)
    assert amount.reply == ("CON Enter amount to guarantee (max KES 15,000.00):\n0 Back 00 Home")
    assert step(amount.state, "15001", view).reply.startswith("CON The maximum is KES 15,000.00")
    confirm = step(amount.state, "12000", view)
    assert confirm.reply == (
        "CON Guarantee KES 12,000.00 for Otieno Kamau?\nEnter PIN to confirm:\n0 Back 00 Home"
    )
    done = step(confirm.state, "4826", view)
    assert done.action == RespondGuarantee("g1", True, D("12000.00"), "4826")
    assert (
        done.reply == "END You have guaranteed KES 12,000.00 for Otieno Kamau. You will get an SMS."
    )


def test_guarantee_request_declined():
    done = signed_in(small_view(), "6", "1", "2", "2", "4826")
    assert done.action == RespondGuarantee("g2", False, None, "4826")
    assert done.reply == "END You have declined to guarantee Mary Wambui."


def test_no_free_deposits_to_guarantee_with():
    view = small_view(exposure=Exposure(3, D("90000"), D("0.50")))
    result = signed_in(view, "6", "1", "1", "1")
    assert result.reply.startswith("CON You have no free deposits to guarantee with.\nOtieno")


def test_own_guarantee_exposure_and_no_requests():
    result = signed_in(small_view(), "6", "2")
    assert result.reply == (
        "CON You guarantee 2 loans\nTotal KES 40,000.00\nFree deposits KES 15,000.00\n"
        "0 Back 00 Home"
    )
    empty = signed_in(small_view(guarantee_requests=()), "6", "1")
    assert empty.reply == "CON You have no guarantee requests.\n0 Back 00 Home"


# 8 My account ----------------------------------------------------------------------------


def test_change_pin():
    view = small_view()
    old = signed_in(view, "8", "1")
    assert old.reply == "CON Enter your current PIN:\n0 Back 00 Home"
    verified = step(old.state, "4826", view)
    assert verified.action == VerifyPin("4826")
    assert verified.reply == "CON Choose a 4-digit PIN:\n0 Back 00 Home"
    assert refuse(verified, ussd.WRONG_PIN, view, 2).reply.startswith(
        "CON Wrong PIN. 2 tries left.\nEnter your current PIN:"
    )
    staged = step(verified.state, "5937", view)
    assert staged.action == StagePin("5937")
    done = step(staged.state, "5937", view)
    assert done.action == CommitPin("5937")
    assert done.reply.startswith("CON Your PIN has been changed.\nMain menu")
    mismatch = refuse(done, ussd.PIN_MISMATCH, view)
    assert mismatch.reply.startswith("CON The PINs did not match.\nChoose a 4-digit PIN:")
    assert lines(step(mismatch.state, "0", view).reply)[0] == "CON My account"


def test_language_is_chosen_and_carried_by_the_state():
    view = small_view()
    result = signed_in(view, "8", "2", "2")
    assert result.action == SetLanguage("sw")
    assert result.reply.startswith("CON Lugha sasa ni Kiswahili.\nMenyu kuu\n1 Salio")
    assert result.state.language == "sw"
    assert step(result.state, "0", view).reply == "END Asante kwa kutumia huduma zetu."
    back = step(result.state, "8", view)
    english = step(step(back.state, "2", view).state, "1", view)
    assert english.reply.startswith("CON Language set to English.\nMain menu")


def test_after_the_end_any_input_says_goodbye():
    ended = signed_in(small_view(), "0")
    assert step(ended.state, "1", small_view()).reply == "END Thank you for banking with us."


def test_a_state_from_another_version_ends_politely():
    state = UssdState(screen="screen_of_an_old_version", authenticated=True)
    assert step(state, "1", small_view()).reply.startswith("END Sorry, we could not")


def test_final_replies_for_the_caller():
    assert ussd.final_reply("expired") == "END Your session has expired. Please dial again."
    assert ussd.final_reply("failed", "sw").startswith("END Samahani")


# Pagination ------------------------------------------------------------------------------


def test_paginate_keeps_pages_within_budget_and_cuts_what_cannot_fit():
    pages = ussd.paginate("Title", ["x" * 30] * 10, ["0 Back"], "98 More", 100)
    assert all(len(page) <= 100 for page in pages)
    assert sum(page.count("x" * 30) for page in pages) == 10
    assert all(page.endswith("98 More\n0 Back") for page in pages[:-1])
    assert pages[-1].endswith("x\n0 Back")
    cut = ussd.paginate("T", ["y" * 300], [], "98 More", 50)
    assert len(cut) == 1 and len(cut[0]) <= 50


# Property: anything typed gives a proper reply ------------------------------------------

INPUTS = st.one_of(
    st.sampled_from(
        ["0", "00", "98", "1", "2", "3", "4", "5", "6", "7", "8", "9", "12", "4826", "1234"]
        + ["500", "15000", "9999999", "12345678", "654321", "", "1.5", "abc", "*", "0000"]
    ),
    st.text(alphabet=string.printable + "ũé€", max_size=12),
)
REFUSALS = st.sampled_from(
    [None, None, None, ussd.WRONG_PIN, ussd.WRONG_OTP, ussd.PIN_MISMATCH, ussd.FAILED]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    language=st.sampled_from(["en", "sw"]),
    big=st.booleans(),
    pin_set=st.booleans(),
    locked=st.booleans(),
    moves=st.lists(st.tuples(INPUTS, REFUSALS, st.integers(0, 2)), max_size=25),
)
def test_any_input_sequence_yields_a_valid_reply(language, big, pin_set, locked, moves):
    view = long_view(language) if big else small_view(language=language)
    view = replace(view, pin_set=pin_set, locked=locked)
    result = step(None, None, view)
    assert is_valid_reply(result.reply)
    for entry, refusal, attempts_left in moves:
        state = UssdState.from_dict(json.loads(json.dumps(result.state.to_dict())))
        result = step(state, entry, view)
        if result.action is not None and refusal is not None:
            result = refuse(result, refusal, view, attempts_left)
        assert is_valid_reply(result.reply), (len(result.reply), result.reply)
        assert len(result.state.trail) >= 1
        if result.reply.startswith("END "):
            assert result.state.screen == "ended"
        if not result.state.authenticated:
            assert result.state.screen in {"pin", "locked", "id_number", "otp", "new_pin"} | {
                "confirm_pin",
                "ended",
            }
    assert USSD_MAX_LENGTH == 182
